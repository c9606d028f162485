# ddci — see README.md.  `make`, `make check`, `make demo`, `make bench`,
# `make install PREFIX=/usr/local DESTDIR=`.
#
# Every lib/*.c and lib/*/*.c goes into libddci.a, every bin-src/ddci*.c is one executable,
# every tests/unit/test_*.c one cmocka test, tests/fake-datadog/*.c the fake
# server.  Adding a file needs no edit here.

VERSION    := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
PREFIX     ?= /usr/local
DESTDIR    ?=
CC         ?= cc
SANITIZE   ?=
BUILD      := build/$(if $(SANITIZE),asan,rel)

PKGS       := libcurl libcjson libgit2
CPPFLAGS   += -Ilib -D_GNU_SOURCE -DDDCI_VERSION='"$(VERSION)"'
CFLAGS     ?= -O2 -g
CFLAGS     += -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral \
              -fno-common -MMD -MP
ifneq ($(SANITIZE),)
CFLAGS     += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS    += -fsanitize=address,undefined
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lcurl -lcjson -lgit2)
LDLIBS     += $(PKG_LIBS) -lm

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
MANS       := $(wildcard man/*.1 man/*.7)

.PHONY: all deps check test-run demo bench soak fuzz install uninstall clean dist lint build-tests check-fresh-runner

all: $(BINS)

deps:
	@tests/deps.sh build

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/bin-src/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(LDLIBS) -lcmocka

$(FAKE): $(FAKE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs libmicrohttpd libcjson gnutls 2>/dev/null || echo -lmicrohttpd -lcjson) -lm -lpthread

$(BUILD)/tests/fake-datadog/%.o: CFLAGS += $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)

build-tests: $(BINS) $(UNITS) $(FAKE)

# `make check` builds with ASan+UBSan (SANITIZE=1) unless SANITIZE=0 is given;
# `make check VALGRIND=1` builds without sanitizers and runs everything under
# valgrind memcheck instead.
VALGRIND ?=
check:
	@tests/deps.sh test
	@$(MAKE) --no-print-directory SANITIZE=$(if $(filter 0,$(SANITIZE))$(VALGRIND),,1) test-run

test-run: build-tests
	@BUILD=$(BUILD) VALGRIND=$(VALGRIND) tests/run.sh

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
	@tests/deps.sh test
	@$(MAKE) --no-print-directory $(BINS) $(FAKE)
	@BUILD=$(BUILD) tests/demo.sh

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
