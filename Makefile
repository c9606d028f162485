# ddci — see README.md.  `make`, `make check`, `make demo`, `make bench`,
# `make install PREFIX=/usr/local DESTDIR=`, `make deb`, `make check-fresh`.
#
# Every lib/*.c and lib/*/*.c goes into libddci.a, every bin-src/ddci*.c is one executable,
# every tests/unit/test_*.c one cmocka test, tests/fake-datadog/*.c the fake
# server.  Adding a file needs no edit here.
#
# Flags work as in git's Makefile: what ddci needs is in ALL_CPPFLAGS,
# ALL_CFLAGS, ALL_LDFLAGS and ALL_LDLIBS; the user's CPPFLAGS, CFLAGS,
# LDFLAGS and LDLIBS are added to them, never replace them
# (`make CFLAGS=-O0`, `make CPPFLAGS=-DX` and distribution build flags keep
# -std=c11, the warnings and dependency tracking).  DEVELOPER=1 adds
# -Werror; `make check` and CI set it, a plain build does not, so a newer
# compiler's new warning does not break a distribution build.  A change of
# flags or compiler rebuilds everything ($(BUILD)/FLAGS); a change of version
# rebuilds lib/util/version.c only ($(BUILD)/VERSION-FILE).

# VERSION, plus +g<commit>[.dirty] outside the release commit (mk/version.sh);
# `make VERSION=x` sets it.
VERSION    := $(shell mk/version.sh 2>/dev/null || cat VERSION 2>/dev/null || echo 0.0.0)
PREFIX     ?= /usr/local
DESTDIR    ?=
CC         ?= cc
CFLAGS     ?= -O2 -g
PKG_CONFIG ?= pkg-config
SANITIZE   ?=
DEVELOPER  ?=
BUILD      := build/$(if $(filter-out 0,$(SANITIZE)),asan,rel)

# The libraries ddci links, with the oldest versions it is built and tested
# against (README "Supported platforms"): pkg-config name, minimum version,
# Debian/Ubuntu package.
REQUIRES   := libcurl:7.81.0:libcurl4-openssl-dev libcjson:1.7.13:libcjson-dev libgit2:1.5.0:libgit2-dev
PKGS       := $(foreach r,$(REQUIRES),$(word 1,$(subst :, ,$r)))

# lazy VAR,VALUE: computed once, and only when a recipe needs it (so `make
# demo` on a bare machine can install the packages before anything asks
# pkg-config about them).
lazy        = $(eval $(1) := $(2))$($(1))
pkg_cflags  = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pkg_libs    = $(or $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null),$(2))
PKG_CFLAGS  = $(call lazy,PKG_CFLAGS,$(foreach p,$(PKGS),$(call pkg_cflags,$p)))
PKG_LIBS    = $(call lazy,PKG_LIBS,$(foreach p,$(PKGS),$(call pkg_libs,$p,-l$(patsubst lib%,%,$p))))

# libgit2 built on mbedTLS (Debian 12's) parses the whole CA bundle in
# git_libgit2_init(); lib/git/git.c then answers those two loaders itself
# (see there).  That override defines mbedTLS symbols in our executables, so
# it is on only when this libgit2 uses mbedTLS and links dynamically: a
# static link would define them twice, and with another TLS backend there is
# nothing to override.  GIT_MBEDTLS_OVERRIDE=0|1 decides by hand.
GIT_MBEDTLS_OVERRIDE ?= auto
git_mbedtls = $(if $(filter -static,$(LDFLAGS)),,$(if $(filter -lmbedtls,$(shell $(PKG_CONFIG) --libs --static libgit2 2>/dev/null)),1))
MBEDTLS_ON  = $(call lazy,MBEDTLS_ON,$(if $(filter auto,$(GIT_MBEDTLS_OVERRIDE)),$(git_mbedtls),$(filter-out 0,$(GIT_MBEDTLS_OVERRIDE))))
# dlsym() is in libdl before glibc 2.34 (and in libc elsewhere): -ldl when it links.
DL_LIBS     = $(call lazy,DL_LIBS,$(if $(MBEDTLS_ON),$(shell printf 'int main(void){return 0;}\n' | \
              $(CC) -x c -o /dev/null - -ldl >/dev/null 2>&1 && echo -ldl)))

WARNINGS   := -Wall -Wextra -Wshadow -Wformat=2 -Wno-format-nonliteral
comma      := ,
SAN_FLAGS  := $(if $(filter-out 0,$(SANITIZE)),-fsanitize=address$(comma)undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
# Issue 17: what gcc's -fsanitize=undefined lacks (float-to-int overflow,
# implicit conversions), with clang: `make check CC=clang`; SANITIZE_EXTRA=
# (empty) turns it off.
SANITIZE_EXTRA ?= $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n 1)),float-cast-overflow$(comma)implicit-conversion)
SAN_FLAGS  += $(if $(and $(filter-out 0,$(SANITIZE)),$(SANITIZE_EXTRA)),-fsanitize=$(SANITIZE_EXTRA) -fno-sanitize-recover=$(SANITIZE_EXTRA))
ALL_CPPFLAGS = -Ilib -D_GNU_SOURCE $(if $(MBEDTLS_ON),-DDDCI_GIT_MBEDTLS_OVERRIDE) \
               $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS   = -std=c11 $(WARNINGS) $(if $(filter-out 0,$(DEVELOPER)),-Werror) -fno-common -MMD -MP \
               $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS  = $(SAN_FLAGS) $(LDFLAGS)
ALL_LDLIBS   = $(PKG_LIBS) $(DL_LIBS) -lm $(LDLIBS)

LIB_SRC    := $(wildcard lib/*.c lib/*/*.c)
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB_A      := $(BUILD)/libddci.a
BIN_SRC    := $(wildcard bin-src/ddci*.c)
BINS       := $(BIN_SRC:bin-src/%.c=$(BUILD)/bin/%)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNITS      := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FAKE_SRC   := $(wildcard tests/fake-datadog/*.c)
FAKE_OBJ   := $(FAKE_SRC:%.c=$(BUILD)/%.o)
FAKE       := $(BUILD)/fake-datadog
FAKE_LIBS   = $(call lazy,FAKE_LIBS,$(call pkg_libs,libmicrohttpd,-lmicrohttpd) $(call pkg_libs,libcjson,-lcjson) -lm -lpthread)
FLAGS_FILE := $(BUILD)/FLAGS
VERSION_FILE := $(BUILD)/VERSION-FILE

.PHONY: version all deps check test-run demo bench soak fuzz install uninstall clean dist lint build-tests check-fresh-runner FORCE fake

all: $(BINS)

deps:
	@tests/deps.sh build

# sq: quoted for the shell's single quotes.
sq = $(subst ','\'',$(1))

# Checks the libraries (present, new enough) and records the flags; the file
# changes, and everything is rebuilt, only when the flags do.
$(FLAGS_FILE): FORCE
	@mkdir -p $(dir $@)
	@PKG_CONFIG='$(call sq,$(PKG_CONFIG))' mk/requires.sh $(REQUIRES)
	@printf '%s\n' '$(call sq,$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) | $(ALL_LDFLAGS) | $(ALL_LDLIBS))' >$@.$$$$ && \
	if cmp -s $@.$$$$ $@; then rm -f $@.$$$$; else mv -f $@.$$$$ $@; fi

# The version, rewritten only when it changes: only version.o depends on it.
$(VERSION_FILE): FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(call sq,$(VERSION))' >$@.$$$$ && \
	if cmp -s $@.$$$$ $@; then rm -f $@.$$$$; else mv -f $@.$$$$ $@; fi

$(BUILD)/lib/util/version.o: $(VERSION_FILE)
$(BUILD)/lib/util/version.o: ALL_CPPFLAGS += -DDDCI_VERSION='"$(call sq,$(VERSION))"'

version:
	@echo '$(call sq,$(VERSION))'

$(BUILD)/%.o: %.c $(FLAGS_FILE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/bin-src/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB_A) $(ALL_LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB_A) $(ALL_LDLIBS) -lcmocka

$(FAKE): $(FAKE_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(FAKE_LIBS)

$(BUILD)/tests/fake-datadog/%.o: ALL_CPPFLAGS += $(call pkg_cflags,libmicrohttpd)

build-tests: $(BINS) $(UNITS) $(FAKE)

# `make check` builds with ASan+UBSan (SANITIZE=1) unless SANITIZE=0 is given,
# and with -Werror (DEVELOPER=1) unless DEVELOPER=0 is given;
# `make check VALGRIND=1` builds without sanitizers and runs everything under
# valgrind memcheck instead.
VALGRIND ?=
check:
	@tests/deps.sh test
	@$(MAKE) --no-print-directory SANITIZE=$(if $(filter 0,$(SANITIZE))$(VALGRIND),,1) \
		DEVELOPER=$(or $(DEVELOPER),1) test-run

test-run: build-tests
	@BUILD=$(BUILD) VALGRIND=$(VALGRIND) DEVELOPER=$(DEVELOPER) tests/run.sh

# Long runs, not part of `make check`.
soak:
	@tests/deps.sh test
	@$(MAKE) --no-print-directory SANITIZE=1 build-tests
	@BUILD=build/asan tests/soak.sh

# actions/setup on fresh Debian 12/13 runner chroots (root; long):
# cache miss, then a hit in a new chroot, deploy and flaky-gate against the
# fake, and the wall times (tests/fresh-runner/run.sh).
check-fresh-runner:
	@tests/deps.sh test
	@tests/fresh-runner/run.sh $(FRESH_SUITES)

fuzz:
	@tests/deps.sh fuzz
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

demo:
	@tests/deps.sh demo
	@$(MAKE) --no-print-directory $(BINS) $(FAKE)
	@BUILD=$(BUILD) tests/demo.sh

# `make fake`: the bundled fake Datadog on loopback with generated data, for
# trying commands by hand (tests/fake-datadog/start.sh prints what to export).
fake:
	@tests/deps.sh test
	@$(MAKE) --no-print-directory $(FAKE)
	@FAKE_BIN=$(FAKE) tests/fake-datadog/start.sh

bench:
	@tests/deps.sh bench
	@$(MAKE) --no-print-directory $(BINS) $(FAKE)
	@BUILD=$(BUILD) tests/bench/run.sh

install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(notdir $(BINS)))

clean:
	rm -rf build

.SECONDARY:
-include $(shell find build -name '*.d' 2>/dev/null)
-include mk/docs.mk
-include mk/package.mk
