# mk/docs.mk — man pages, shell completions, install/uninstall of both, and
# the source tarball.  Included at the end of the Makefile.
#
#   make man                     build/man/ddci-*.1, ddci.7 from man/*.scd (needs scdoc)
#   make install [NOMAN=1]       also installs man pages and bash/zsh completions
#   make uninstall               removes everything install put there
#   make dist                    build/ddci-$(VERSION).tar.gz, builds with `make` alone

MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
NOMAN       ?=
SCDOC       ?= scdoc

MAN_SRC   := $(wildcard man/*.[1-8].scd)
MAN_OUT   := $(MAN_SRC:man/%.scd=build/man/%)
MAN1      := $(filter %.1,$(MAN_OUT))
MAN7      := $(filter %.7,$(MAN_OUT))
# The date printed in each page: the last commit's, so rebuilding a release
# gives the same pages; today outside a git checkout.
MAN_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null)
DIST_NAME := ddci-$(VERSION)

.PHONY: man install-man install-completions uninstall-docs

man: $(MAN_OUT)

build/man/%: man/%.scd man/tidy.awk VERSION
	@command -v $(SCDOC) >/dev/null 2>&1 || { echo "ddci: scdoc is needed for man pages: sudo apt-get install -y scdoc (or make install NOMAN=1)" >&2; exit 1; }
	@mkdir -p $(dir $@)
	$(if $(MAN_EPOCH),SOURCE_DATE_EPOCH=$(MAN_EPOCH) )$(SCDOC) < $< > $@.tmp
	awk -v version="$(VERSION)" -f man/tidy.awk $@.tmp > $@
	@rm -f $@.tmp

install: $(if $(NOMAN),,install-man) install-completions

install-man: $(MAN_OUT)
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	$(if $(MAN1),install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/)
	$(if $(MAN7),install -m 0644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/)

# bash-completion loads a command's completion from a file named after it:
# one file, `ddci`, and a link per executable.
install-completions:
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0644 completions/ddci.bash $(DESTDIR)$(BASHCOMPDIR)/ddci
	for b in $(filter-out ddci,$(notdir $(BINS))); do \
		ln -sf ddci $(DESTDIR)$(BASHCOMPDIR)/$$b || exit 1; \
	done
	install -m 0644 completions/_ddci $(DESTDIR)$(ZSHCOMPDIR)/_ddci

uninstall: uninstall-docs

uninstall-docs:
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) \
	      $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7))) \
	      $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,ddci $(notdir $(BINS))) \
	      $(DESTDIR)$(ZSHCOMPDIR)/_ddci

# The committed tree (HEAD) from git; outside git, the files at hand minus
# build output.
dist:
	@mkdir -p build
	@rm -f build/$(DIST_NAME).tar.gz
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
		git archive --format=tar --prefix=$(DIST_NAME)/ HEAD | gzip -9n > build/$(DIST_NAME).tar.gz; \
	else \
		tar --exclude=./build --exclude=node_modules --exclude='*.o' --exclude='*.d' \
		    --transform 's,^\.,$(DIST_NAME),' -czf build/$(DIST_NAME).tar.gz .; \
	fi
	@echo build/$(DIST_NAME).tar.gz
