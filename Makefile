# ackbench - one non-recursive GNU Makefile.
#   make                  Mbed TLS (from its release tarball) + the eight programs
#   make test             unit + integration tests, then the same under ASan/UBSan
#   make run              the main job: all protocols on loopback, one comparison table
#   make bench            the loopback benchmark against sockperf (prints ratios)
#   make matrix           the configuration matrix (scripts/matrix.sh; MATRIX_ARGS='-x ...')
#   make TARGET=name      cross-build with ports/targets/<name>.mk
#   make TARGET=cortex-m4 bare-metal image for QEMU (mk/mcu.mk; scripts/mcu.sh runs it)
#   make mcu-explore      its configuration space (scripts/mcu-explore.sh; MCU_EXPLORE_ARGS)
#   make SAN=1            sanitizer build (build/<target>-san)
#   make STATIC=1         statically linked programs (build/<target>-static)
#   make CONFIG=small     Mbed TLS config ports/config/ackbench_config_small.h
#   make STACK=openssl    the tls/dtls programs on another TLS stack (src/stack/<name>/,
#                         build/<target>-<stack>); `make -s print-STACKS` lists them
#   make footprint        text/data/bss of every built target and config
#   make install          PREFIX (/usr/local), DESTDIR: programs, board scripts, man pages
#   make fuzz             libFuzzer targets, FUZZ_SECONDS each (test/fuzz/fuzz.mk)
#   make V=1              show full commands;  WERROR=1 turns warnings into errors
# CC, CFLAGS, LDFLAGS, AR may be overridden.

TARGET ?= native
CONFIG ?= full
# The TLS stacks: one folder src/stack/<name>/ each (src/stack/README.md), mbedtls first.
STACKS := $(strip mbedtls $(sort $(filter-out mbedtls,$(patsubst src/stack/%/stack.mk,%,\
          $(wildcard src/stack/*/stack.mk)))))
STACK ?= mbedtls
# `make` alone builds the programs: without this, the first rule of an included file (a stack.mk
# building its library's own tools) would become the default goal.
.DEFAULT_GOAL := all
# The analysis scripts (scripts/ackbench) run on Debian's interpreter, not a python3 on the PATH.
PYTHON ?= /usr/bin/python3
include ports/targets/$(TARGET).mk

CFG_SUFFIX := $(if $(filter full,$(CONFIG)),,-$(CONFIG))
VARIANT := $(if $(SAN),-san,)$(if $(STATIC),-static,)
STACK_SUFFIX := $(if $(filter mbedtls,$(STACK)),,-$(STACK))
BUILD := build/$(TARGET)$(CFG_SUFFIX)$(STACK_SUFFIX)$(VARIANT)
# The Mbed TLS tree of this target/config/variant: the mbedtls stack's library, and for
# every stack the test tools (udp_proxy, benchmark) built from it.
MBT := build/$(TARGET)$(CFG_SUFFIX)$(VARIANT)/mbedtls

ifeq ($(V),1)
Q :=
else
Q := @
endif

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wcast-qual -Wundef -Wvla
CFLAGS ?= -O2 -g
SANITIZE := -fsanitize=address -fsanitize=undefined -fno-sanitize-recover=undefined \
            -fno-omit-frame-pointer
SANFLAGS := $(if $(SAN),$(SANITIZE))
# Each ackbench_config_<CONFIG>.h is a whole Mbed TLS config (full.h includes the default).
# CONFIG_DIR: where it is, when not in ports/config (scripts/mcu-explore.sh writes one per
# point that includes a shipped one).
CONFIG_DIR ?= ports/config
MBEDTLS_CFG := $(if $(filter-out ports/config,$(CONFIG_DIR)),-I$(abspath $(CONFIG_DIR))) \
               -I$(CURDIR)/ports/config -DMBEDTLS_CONFIG_FILE='<ackbench_config_$(CONFIG).h>'
# The core (src/*.c, ports/) knows no TLS library: no stack include path here.
ALL_CFLAGS := $(CFLAGS) $(TARGET_CFLAGS) $(SANFLAGS) $(WARN) $(if $(WERROR),-Werror,) \
              -std=c11 -D_POSIX_C_SOURCE=200809L -MMD -MP -Iports -Isrc \
              -DACKBENCH_CONFIG='"$(CONFIG)"' -DACKBENCH_TARGET='"$(TARGET)"'
ALL_LDFLAGS := $(LDFLAGS) $(TARGET_LDFLAGS) $(SANFLAGS) $(if $(STATIC),-static)
MBT_LIBS := $(MBT)/library/libmbedtls.a $(MBT)/library/libmbedx509.a $(MBT)/library/libmbedcrypto.a

# Goals that build something (others neither refuse a stack nor write stamps).
BUILDS := $(filter-out print-% clean distclean lint format format-check deps,$(or $(MAKECMDGOALS),all))

# A library built from source depends on a stamp: a file holding what its build depends on
# (configure line, compiler and flags, source version, config headers' checksums), written
# while the Makefile is read and rewritten, mtime and all, only when that text changes. A
# checkout or rebase that rewrites a makefile or fetch script without changing what it
# says then rebuilds nothing, while a new flag or version rebuilds the library (and `make
# -n` shows it). A stamp written for the first time is dated 1970: a library built before
# stamps existed is kept. $(call stamp,FILE,TEXT) writes FILE and returns its name.
# Runs of blanks count as one (an empty variable in a flag list changes nothing).
stamp = $(if $(BUILDS),$(shell f='$(1)'; t='$(subst ','"'"',$(strip $(2)))'; mkdir -p "$${f%/*}"; \
          if [ ! -e "$$f" ]; then printf '%s\n' "$$t" >"$$f" && touch -d @0 "$$f"; \
          elif [ "$$(tr -s ' ' <"$$f")" != "$$t" ]; then printf '%s\n' "$$t" >"$$f"; fi; \
          echo "$$f"),$(1))
# The version a fetch script pins (its readonly PIN_* lines): the source of a library.
pinned = $(shell sed -n 's/^readonly PIN_[A-Z0-9_]*=//p' $(1))

# The stack: its stack.mk sets STACK_CFLAGS (include paths, defines), STACK_LIBS (link
# arguments), STACK_DEPS (files its objects and programs need first: a library it builds),
# and STACK_REFUSE (why it cannot build this TARGET/CONFIG, empty when it can).
STACK_DIR := src/stack/$(STACK)
ifeq ($(filter $(STACK),$(STACKS)),)
STACK_REFUSE := unknown stack (known: $(STACKS))
else
include $(STACK_DIR)/stack.mk
endif
# Goals that build nothing are not refused.
ifneq ($(STACK_REFUSE),)
ifneq ($(BUILDS),)
$(error STACK=$(STACK) TARGET=$(TARGET) CONFIG=$(CONFIG): $(STACK_REFUSE))
endif
endif
STACK_CFLAGS_ALL := -I$(STACK_DIR) $(STACK_CFLAGS)

PLAIN_PROGS := tcp_client tcp_server udp_client udp_server
SEC_PROGS := $(foreach p,tls dtls,$(if $(wildcard src/$(p)_client.c),$(p)_client $(p)_server))
PROGS := $(PLAIN_PROGS) $(SEC_PROGS)
# Every src/*.c that is not a program's main() is part of the shared core, an archive:
# a program links only the members it uses (tcp_client no TLS code at all).
CORE := $(filter-out %_client %_server,$(basename $(notdir $(wildcard src/*.c))))
PORT_DIR ?= posix
PORT := $(basename $(notdir $(wildcard ports/$(PORT_DIR)/*.c)))
STACK_SRCS := $(basename $(notdir $(wildcard $(STACK_DIR)/*.c)))

CORE_OBJS := $(addprefix $(BUILD)/obj/,$(addsuffix .o,$(CORE) $(PORT)))
CORE_LIB := $(BUILD)/lib/libackbench.a
STACK_OBJS := $(addprefix $(BUILD)/obj/stack/,$(addsuffix .o,$(STACK_SRCS)))
PLAIN_BINS := $(addprefix $(BUILD)/bin/,$(PLAIN_PROGS))
SEC_BINS := $(addprefix $(BUILD)/bin/,$(SEC_PROGS))
BINS := $(PLAIN_BINS) $(SEC_BINS)
# The link shaper (below): set before `all:`, whose prerequisites make expands as it reads them.
LINK_BIN := $(if $(filter native,$(TARGET)),$(if $(STATIC),,$(BUILD)/bin/link_shaper))
UNIT := $(patsubst test/unit/%.c,$(BUILD)/test/%,$(wildcard test/unit/test_*.c))
include mk/mcu.mk

# No .SECONDARY: it would keep make from rebuilding an object that is missing (or new, from
# a source older than the program) while the program is newer than its sources.
.PHONY: link-shaper other-stacks all mbedtls deps run matrix mcu-explore test test-prereqs unit integration test-san bench certs format install \
        cross-build \
        format-check lint clean distclean footprint
all: $(BINS) $(LINK_BIN)

# --- Mbed TLS 3.6, built from its release tarball into $(MBT) ---
MBT_CFLAGS := -O2 $(TARGET_CFLAGS) $(SANFLAGS) $(MBEDTLS_CFG)
# The config header and those of ports/config it includes, recursively (a header is looked
# for in CONFIG_DIR first; the checksums name files without their directory).
HASH := \#
mbt_cfg_path = $(firstword $(wildcard $(CONFIG_DIR)/$(1) ports/config/$(1)))
mbt_configs = $(1) $(foreach i,$(shell sed -n 's/^$(HASH)include "\(ackbench_config_[^"]*\)".*/\1/p' \
                $(call mbt_cfg_path,$(1)) 2>/dev/null),$(call mbt_configs,$(i)))
MBT_STAMP := $(call stamp,$(MBT).stamp,mbedtls $(call pinned,scripts/fetch-mbedtls.sh) | \
               CC=$(CC) AR=$(AR) CFLAGS=$(MBT_CFLAGS) | \
               $(shell cksum $(foreach f,$(call mbt_configs,ackbench_config_$(CONFIG).h),\
                 $(call mbt_cfg_path,$(f))) | sed 's|[^ ]*/||'))
$(MBT)/.built: $(MBT_STAMP)
	@echo "  MBEDTLS  $(MBT) ($(CONFIG))"
	$(Q)tree=$$(scripts/fetch-mbedtls.sh) && rm -rf $(MBT) && mkdir -p $(BUILD) && \
	  cp -R "$$tree" $(MBT) && cp "$$(dirname "$$tree")/mbedtls.source" $(MBT)/ackbench.source
	$(Q)$(MAKE) -s -C $(MBT) lib CC="$(CC)" AR="$(AR)" \
	  CFLAGS="$(MBT_CFLAGS)" >$(MBT)/build.log 2>&1 || \
	  { tail -n 30 $(MBT)/build.log; echo "Mbed TLS build failed: $(MBT)/build.log"; exit 1; }
	$(Q)touch $@
mbedtls: $(MBT)/.built
$(MBT_LIBS): $(MBT)/.built

# Mbed TLS's test programs from the same tree (udp_proxy for loss injection, benchmark
# for the crypto floor). PYTHON=true: the release tarball has every generated file.
$(MBT)/programs/test/udp_proxy $(MBT)/programs/test/benchmark: $(MBT)/.built
	$(Q)$(MAKE) -s -C $(MBT)/tests mbedtls_test PYTHON=true CC="$(CC)" \
	  CFLAGS="$(MBT_CFLAGS)" >>$(MBT)/build.log 2>&1
	$(Q)$(MAKE) -s -C $(MBT)/programs test/udp_proxy test/benchmark PYTHON=true CC="$(CC)" \
	  CFLAGS="$(MBT_CFLAGS)" LDFLAGS="$(SANFLAGS)" \
	  >>$(MBT)/build.log 2>&1

# --- our objects and programs ---
$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC       $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/obj/%.o: ports/$(PORT_DIR)/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC       $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/obj/stack/%.o: $(STACK_DIR)/%.c $(STACK_DEPS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC       $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(STACK_CFLAGS_ALL) -c -o $@ $<
$(CORE_LIB): $(CORE_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AR       $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $(CORE_OBJS)
$(PLAIN_BINS): $(BUILD)/bin/%: $(BUILD)/obj/%.o $(CORE_LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD       $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(CORE_LIB) -lm -lpthread
$(SEC_BINS): $(BUILD)/bin/%: $(BUILD)/obj/%.o $(STACK_OBJS) $(CORE_LIB) $(STACK_DEPS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD       $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(STACK_OBJS) $(CORE_LIB) $(STACK_LIBS) -lm -lpthread

# The link shaper of scripts/link.sh (src/link/, docs/links.md): not one of the benchmark
# programs; native dynamic builds only (libnetfilter-queue, scripts/deps.sh link).
LINK_OBJS := $(patsubst src/link/%.c,$(BUILD)/obj/link/%.o,$(wildcard src/link/*.c))
$(BUILD)/obj/link/%.o: src/link/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC       $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/bin/link_shaper: $(LINK_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD       $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(LINK_OBJS) -lnetfilter_queue -lnfnetlink
link-shaper: $(LINK_BIN)

# --- tests ---
# Unit tests see the core and the stack (test_mem installs the stack's allocator hook).
$(BUILD)/test/%: test/unit/%.c test/unit/check.h $(STACK_OBJS) $(CORE_LIB) $(STACK_DEPS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC       $<")
	$(Q)$(CC) $(ALL_CFLAGS) -Itest/unit $(ALL_LDFLAGS) -o $@ $< $(STACK_OBJS) $(CORE_LIB) \
	  $(STACK_LIBS) -lm -lpthread
# Unit tests over the in-memory port ports/fake/ (fake_port.h) instead of the platform's:
# the core's objects without the port's, no TLS stack (so not sec_tp.o, which needs one).
FAKE_TESTS := test_server test_client test_sec_io test_waitroom test_loglimit
FAKE_OBJS := $(patsubst ports/fake/%.c,$(BUILD)/obj/fake/%.o,$(wildcard ports/fake/*.c))
$(BUILD)/obj/fake/%.o: ports/fake/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC       $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(addprefix $(BUILD)/test/,$(FAKE_TESTS)): $(BUILD)/test/%: test/unit/%.c test/unit/check.h \
  $(filter-out $(addprefix $(BUILD)/obj/,$(addsuffix .o,$(PORT) sec_tp)),$(CORE_OBJS)) $(FAKE_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC       $<")
	$(Q)$(CC) $(ALL_CFLAGS) -Itest/unit -Iports/fake $(ALL_LDFLAGS) -o $@ $< $(filter %.o,$^) -lm -lpthread
# The link shaper's decisions (loss, bursts, drop lists, delay order), without a queue.
$(BUILD)/test/test_linkmodel: test/unit/test_linkmodel.c test/unit/check.h $(BUILD)/obj/link/linkmodel.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC       $<")
	$(Q)$(CC) $(ALL_CFLAGS) -Itest/unit -Isrc/link $(ALL_LDFLAGS) -o $@ $< $(BUILD)/obj/link/linkmodel.o -lm
# The misbehaving client of the integration tests: plain POSIX sockets, no core objects.
$(BUILD)/test/badpeer: test/badpeer.c test/badpeer_swarm.c test/badpeer.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC       $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ test/badpeer.c test/badpeer_swarm.c

# The aarch64 programs of every stack (each stack's library cross-built from source), which
# test/cross.sh runs under qemu-user.
cross-build:
	$(Q)scripts/deps.sh cross-aarch64
	$(Q)for s in $(STACKS); do \
	  $(MAKE) --no-print-directory -j$(JOBS) STACK=$$s TARGET=aarch64 CONFIG=full SAN= STATIC= all || exit 1; \
	done
# Each stack but mbedtls has a scripts/deps.sh group of its own name.
STACK_DEB_GROUPS := $(filter-out mbedtls,$(STACKS))
deps:
	$(Q)scripts/deps.sh build test analysis link $(STACK_DEB_GROUPS)
# The other stacks' programs (native, full config, plain build), for test/stacks.sh.
OTHER_STACKS := $(filter-out $(STACK),$(STACKS))
other-stacks:
	$(Q)for s in $(OTHER_STACKS); do \
	  $(MAKE) --no-print-directory STACK=$$s TARGET=native CONFIG=full SAN= STATIC= all || exit 1; \
	done
unit: $(UNIT)
	$(Q)test/unit/run.sh $(UNIT)
# test/dtls.sh injects handshake loss with Mbed TLS's udp_proxy from the same build;
# test/stacks.sh runs every stack's programs against this build's.
integration: all certs other-stacks $(BUILD)/test/badpeer $(MBT)/programs/test/udp_proxy
	$(Q)BADPEER=$(BUILD)/test/badpeer test/run.sh $(BUILD)/bin
# The README's test command: everything, plain build then sanitizer build; every other
# stack is built and unit-tested, and meets the default one in test/stacks.sh.
# Cross coverage: the aarch64 programs of every stack, which test/cross.sh (one of the
# integration scripts) runs under qemu-user against the native ones. The sanitizer pass leaves cross.sh out
# (CROSS_TARGETS=none) and the other stacks' own DTLS loss runs (STACKS_LOSSES=0), and every
# script that calls lib.sh's first_pass_only (ACKBENCH_PASS=san): the same runs again would
# only add time.
# The builds come first, each make with -j$(JOBS) (the libraries' own builds too: OpenSSL's
# alone is 6-7 CPU-minutes); the tests then run one at a time.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test-prereqs: all certs $(UNIT) $(BUILD)/test/badpeer $(MBT)/programs/test/udp_proxy
test: deps
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) test-prereqs
	$(Q)for s in $(OTHER_STACKS); do \
	  $(MAKE) --no-print-directory -j$(JOBS) STACK=$$s TARGET=native CONFIG=full SAN= STATIC= all || exit 1; \
	done
	$(Q)$(MAKE) --no-print-directory cross-build
	$(Q)$(MAKE) --no-print-directory unit integration
	$(Q)for s in $(OTHER_STACKS); do $(MAKE) --no-print-directory -j$(JOBS) STACK=$$s unit || exit 1; done
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) SAN=1 test-prereqs
	$(Q)ACKBENCH_PASS=san CROSS_TARGETS=none STACKS_LOSSES=0 $(MAKE) --no-print-directory SAN=1 unit integration
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) fuzzers
	$(Q)$(MAKE) --no-print-directory fuzz-test
test-san:
	$(Q)$(MAKE) --no-print-directory SAN=1 unit integration

certs: certs/ca.crt
certs/ca.crt: scripts/gen-certs.sh
	$(Q)scripts/gen-certs.sh
run: deps all certs
	$(Q)scripts/loopback.sh -B $(BUILD)/bin
# The default grid (about 10 minutes on 2 cores) or MATRIX_ARGS, e.g. MATRIX_ARGS='-x key=ec256,rsa2048'.
matrix: deps all
	$(Q)scripts/matrix.sh -B $(BUILD)/bin $(MATRIX_ARGS)
# The bare-metal image's configuration space: the default one (ports/config/mcu-explore.space,
# Cortex-M4) or MCU_EXPLORE_ARGS, e.g. MCU_EXPLORE_ARGS='-T cortex-m33 -x ECP_WINDOW_SIZE=2,4'.
mcu-explore:
	$(Q)scripts/deps.sh mcu
	$(Q)scripts/mcu-explore.sh $(MCU_EXPLORE_ARGS)
# The minimal connect/send/read/close loop the per-message TCP figure is compared with.
$(BUILD)/test/ref_tcp_loop: test/ref_tcp_loop.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC       $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<
bench: deps all $(BUILD)/test/ref_tcp_loop
	$(Q)scripts/deps.sh bench
	$(Q)scripts/bench-loopback.sh -B $(BUILD)/bin -R $(BUILD)/test/ref_tcp_loop
footprint:
	$(Q)scripts/footprint.sh
# For scripts: `make -s TARGET=x print-QEMU` prints a make variable (SIZE, QEMU, BUILD...).
print-%:
	@echo '$($*)'

FORMAT_FILES := $(wildcard src/*.[ch] src/link/*.[ch] src/stack/*/*.[ch] ports/*.h ports/*/*.[ch] mcu/*.[ch] mcu/*/*.[ch] test/unit/*.[ch] \
                test/fuzz/*.[ch])
format:
	$(Q)clang-format -i $(FORMAT_FILES)
format-check:
	$(Q)clang-format --dry-run --Werror $(FORMAT_FILES)
lint:
	$(Q)shellcheck -x scripts/*.sh test/*.sh test/unit/*.sh .ci/run
	$(Q)$(PYTHON) -m pyflakes scripts/ackbench

# make install [PREFIX=/usr/local] [DESTDIR=/staging]: this build's programs, the scripts a
# board needs, manual pages from --help (run under $(QEMU) for a cross build, skipped when
# that is not here), docs (scripts/install.sh says what goes where).
PREFIX ?= /usr/local
install: all
	$(Q)scripts/install.sh -B $(BUILD)/bin -p "$(PREFIX)" -d "$(DESTDIR)" \
	  $(if $(QEMU),-r "$(QEMU)",)

clean:
	rm -rf $(filter-out build/cache,$(wildcard build/*))
distclean:
	rm -rf build

include test/fuzz/fuzz.mk
-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/stack/*.d $(BUILD)/obj/fake/*.d $(BUILD)/obj/link/*.d $(BUILD)/test/*.d)
