# mk/docs.mk — man pages, shell completions, install/uninstall of both, and
# the source tarball.  Included at the end of the Makefile.
#
#   make man                     build/man/ddci-*.1, ddci.7 from man/*.scd (needs scdoc)
#   make install [NOMAN=1]       also installs man pages and bash/zsh completions
#   make uninstall               removes everything install put there
#   make dist                    build/ddci-$(VERSION).tar.gz, builds with `make` alone
#                                and carries the generated man pages (man/ddci-*.1)
#
# The pages installed: built from man/*.scd when scdoc is there; else the
# pre-generated ones of a release tarball (man/<page>), else earlier ones in
# build/man; with none of those, install goes on without man pages and says so.

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
HAVE_SCDOC := $(shell command -v $(SCDOC) 2>/dev/null)
ifneq ($(HAVE_SCDOC),)
MAN_PAGES := $(MAN_OUT)
else
MAN_PAGES := $(foreach p,$(MAN_SRC:man/%.scd=%),$(firstword $(wildcard man/$p build/man/$p)))
endif
MAN_PAGES1 := $(filter %.1,$(MAN_PAGES))
MAN_PAGES7 := $(filter %.7,$(MAN_PAGES))

.PHONY: man install-man install-completions uninstall-docs

man: $(MAN_OUT)

build/man/%: man/%.scd man/tidy.awk VERSION
	@command -v $(SCDOC) >/dev/null 2>&1 || { echo "ddci: scdoc is needed for man pages: sudo apt-get install -y scdoc (or make install NOMAN=1)" >&2; exit 1; }
	@mkdir -p $(dir $@)
	$(if $(MAN_EPOCH),SOURCE_DATE_EPOCH=$(MAN_EPOCH) )$(SCDOC) < $< > $@.tmp
	awk -v version="$(VERSION)" -f man/tidy.awk $@.tmp > $@
	@rm -f $@.tmp

install: $(if $(NOMAN),,install-man) install-completions

install-man: $(MAN_PAGES)
	$(if $(filter-out $(words $(MAN_SRC)),$(words $(MAN_PAGES))),@echo "ddci: warning: scdoc not found and no pre-generated pages:\
	 installing $(words $(MAN_PAGES)) of $(words $(MAN_SRC)) man pages (install scdoc, or build from 'make dist')" >&2)
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	$(if $(MAN_PAGES1),install -m 0644 $(MAN_PAGES1) $(DESTDIR)$(MANDIR)/man1/)
	$(if $(MAN_PAGES7),install -m 0644 $(MAN_PAGES7) $(DESTDIR)$(MANDIR)/man7/)

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
# build output.  Plus the generated man pages, so that installing from the
# tarball needs no scdoc.
dist: $(MAN_PAGES)
	@rm -rf build/dist && mkdir -p build/dist/$(DIST_NAME)
	@rm -f build/$(DIST_NAME).tar.gz
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
		git archive --format=tar HEAD | tar -C build/dist/$(DIST_NAME) -xf -; \
	else \
		tar --exclude=./build --exclude=node_modules --exclude='*.o' --exclude='*.d' -cf - . | \
		    tar -C build/dist/$(DIST_NAME) -xf -; \
	fi
	$(if $(MAN_PAGES),@cp $(MAN_PAGES) build/dist/$(DIST_NAME)/man/)
	@# the version of this build, as a build from the tarball reports it
	@printf '%s\n' '$(call sq,$(VERSION))' >build/dist/$(DIST_NAME)/VERSION
	@tar -C build/dist --sort=name --owner=0 --group=0 --numeric-owner \
	    $(if $(MAN_EPOCH),--mtime=@$(MAN_EPOCH)) -cf - $(DIST_NAME) | gzip -9n > build/$(DIST_NAME).tar.gz
	@rm -rf build/dist
	@echo build/$(DIST_NAME).tar.gz
