# mk/package.mk — packages built from this tree.  Included by the Makefile.
#
#   make deb      build/deb/ddci_$(VERSION)_<arch>.deb (packaging/deb.sh): a
#                 release build with Debian's hardening flags (dpkg-buildflags,
#                 hardening=+all), installed into a stage with PREFIX=/usr, Depends: from
#                 dpkg-shlibdeps.  Needs dpkg-dev (tests/deps.sh deb installs it).

DEB_DIR   := build/deb
DEB_BUILD := $(DEB_DIR)/obj
DEB_STAGE := $(DEB_DIR)/root
deb_flags  = $(or $(shell DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get $(1) 2>/dev/null),$(2))

.PHONY: deb

deb:
	@tests/deps.sh deb
	@rm -rf $(DEB_STAGE) && mkdir -p $(DEB_DIR)
	@$(MAKE) --no-print-directory BUILD=$(DEB_BUILD) SANITIZE= \
		CFLAGS='$(call sq,$(call deb_flags,CFLAGS,-O2 -g))' \
		CPPFLAGS='$(call sq,$(call deb_flags,CPPFLAGS))' \
		LDFLAGS='$(call sq,$(call deb_flags,LDFLAGS))' \
		install PREFIX=/usr DESTDIR=$(CURDIR)/$(DEB_STAGE) >$(DEB_DIR).log 2>&1 || \
		{ tail -n 30 $(DEB_DIR).log >&2; exit 1; }
	@SOURCE_DATE_EPOCH=$(or $(MAN_EPOCH),$(shell date +%s)) packaging/deb.sh $(DEB_STAGE) $(DEB_DIR) $(VERSION)

# Long checks on fresh machines, not part of `make check` (need root):
#   make check-fresh [FRESH_SUITES="bookworm trixie"]   tests/fresh/run.sh, then check-fresh-runner
#   make check-image                                     tests/fresh/image.sh
# DDCI_FRESH_CACHE=DIR reuses DIR/minbase-<suite>.tar.gz instead of debootstrap.
FRESH_SUITES ?= bookworm trixie

.PHONY: check-fresh check-image

check-fresh:
	@tests/deps.sh fresh
	@tests/fresh/run.sh $(FRESH_SUITES)
	@$(MAKE) --no-print-directory check-fresh-runner

check-image:
	@tests/deps.sh image
	@tests/fresh/image.sh
