# mcu.mk - the bare-metal image of TARGET=cortex-m3/m4/m7/m33/m55 (ports/targets/, a target
# that sets MCU_MACHINE). Included by the Makefile after its variables: for such a target
# `make` builds build/<target>-<config>[-<stack>]/mcu/ackbench-mcu.elf instead of the eight
# programs. The image's stack-neutral code is mcu/*.c, the stack's side of mcu/tls.h is
# mcu/$(STACK)/ (mbedtls, or wolfssl: mk/mcu-wolfssl.mk builds its library).
#   MCU_KEYS   extra key types compiled in beside certs/ (default rsa2048 rsa3072 on Mbed
#              TLS, none on wolfSSL, whose config has no RSA; each is generated with
#              scripts/gen-certs.sh -t TYPE under the build dir, never in the tree)
#   CONFIG=mcu-psk  pre-shared keys only, no X.509: no certificates at all; the keys are
#              drawn at build time by scripts/mcu-psk.sh (mcu/creds.h)
# scripts/mcu.sh runs the image under qemu-system-arm -icount shift=0.
ifneq ($(MCU_MACHINE),)
ifeq ($(filter mcu%,$(CONFIG))$(filter print-%,$(MAKECMDGOALS)),)
$(error TARGET=$(TARGET) is bare metal and needs a bare-metal Mbed TLS config (CONFIG=mcu), not '$(CONFIG)')
endif

MCU_DIR := $(BUILD)/mcu
MCU_IMAGE := $(MCU_DIR)/ackbench-mcu.elf
MCU_PSK := $(filter mcu-psk%,$(CONFIG))
MCU_KEYS ?= $(if $(filter mbedtls,$(STACK)),$(if $(MCU_PSK),,rsa2048 rsa3072))
MCU_CERT_DIRS := certs $(addprefix $(MCU_DIR)/certs-,$(MCU_KEYS))
# The image's own code, the board port, and the stack-neutral parts of src/ it shares
# (heap accounting, wire format, handshake sniffers).
MCU_SRCS := $(wildcard mcu/*.c) $(wildcard mcu/$(STACK)/*.c) $(wildcard ports/mps2/*.c) \
            src/mem.c src/msg.c src/tls_sniff.c src/dtls_wire.c
MCU_OBJS := $(patsubst %.c,$(MCU_DIR)/obj/%.o,$(MCU_SRCS)) $(MCU_DIR)/obj/creds.o
ifeq ($(filter mbedtls wolfssl,$(STACK)),)
$(error TARGET=$(TARGET): the bare-metal image is built on Mbed TLS or wolfSSL (STACK=mbedtls|wolfssl), not STACK=$(STACK))
endif
ifeq ($(STACK),wolfssl)
include mk/mcu-wolfssl.mk
else
# The image calls Mbed TLS directly: its headers and config on top of the core's flags.
MCU_LIB_CFLAGS := -isystem $(MBT)/include $(MBEDTLS_CFG)
MCU_LIB_DEPS := $(MBT)/.built
MCU_LIBS := $(MBT_LIBS)
endif
MCU_CFLAGS_ALL := $(ALL_CFLAGS) $(MCU_CFLAGS) -Iports/mps2 -Imcu -Imcu/$(STACK) $(MCU_LIB_CFLAGS)
MCU_LDFLAGS := $(TARGET_CFLAGS) $(TARGET_LDFLAGS) -nostartfiles --specs=rdimon.specs \
               -Lports/mps2 -T$(MCU_LD) -Wl,-Map=$(MCU_DIR)/ackbench-mcu.map

BINS := $(MCU_IMAGE)
.DEFAULT_GOAL := all
UNIT :=

.PHONY: mcu-deps
mcu-deps:
	$(Q)scripts/deps.sh mcu
$(MCU_LIB_DEPS): ports/mps2/target.mk | mcu-deps

$(MCU_DIR)/obj/%.o: %.c $(MCU_LIB_DEPS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC       $<")
	$(Q)$(CC) $(MCU_CFLAGS_ALL) -c -o $@ $<

# Credentials: certs/ (make certs) and one generated set per extra key type.
# The Makefile's .SECONDARY: would let a missing set go unnoticed: the list of key types is
# recorded in keys.list (rewritten only when it changes), which creds.c depends on.
MCU_CERT_INFOS := $(addsuffix /certs.info,$(filter-out certs,$(MCU_CERT_DIRS)))
$(shell mkdir -p $(MCU_DIR) && echo '$(MCU_KEYS)' | cmp -s - $(MCU_DIR)/keys.list || \
        echo '$(MCU_KEYS)' >$(MCU_DIR)/keys.list)
$(MCU_CERT_INFOS): $(MCU_DIR)/certs-%/certs.info: scripts/gen-certs.sh
	@echo "  CERTS    $(@D) ($*)"
	$(Q)scripts/gen-certs.sh -o $(@D) -t $* >/dev/null
ifneq ($(MCU_PSK),)
$(MCU_DIR)/creds.c: scripts/mcu-psk.sh
	@mkdir -p $(@D)
	$(Q)scripts/mcu-psk.sh >$@.tmp && mv $@.tmp $@
else
$(MCU_DIR)/creds.c: scripts/mcu-creds.sh certs/ca.crt $(MCU_DIR)/keys.list $(MCU_CERT_INFOS)
	@mkdir -p $(@D)
	$(Q)scripts/mcu-creds.sh $(MCU_CERT_DIRS) >$@.tmp && mv $@.tmp $@
endif
$(MCU_DIR)/obj/creds.o: $(MCU_DIR)/creds.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC       $<")
	$(Q)$(CC) $(MCU_CFLAGS_ALL) -c -o $@ $<

$(MCU_IMAGE): $(MCU_OBJS) $(MCU_LIBS) ports/mps2/sections.ld ports/mps2/$(MCU_LD)
	@$(if $(Q),echo "  LD       $@")
	$(Q)$(CC) $(MCU_LDFLAGS) -o $@ $(MCU_OBJS) $(MCU_LIBS) -lm

-include $(wildcard $(MCU_DIR)/obj/*/*.d $(MCU_DIR)/obj/*/*/*.d $(MCU_DIR)/obj/*.d)
endif
