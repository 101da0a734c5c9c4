# mcu-wolfssl.mk - wolfSSL for the bare-metal image (make TARGET=cortex-m4 STACK=wolfssl;
# included by mk/mcu.mk). The same Debian source as the Linux build (scripts/fetch-wolfssl.sh,
# 5.9+), compiled without its configure script: the files below with the target's flags and
# WOLFSSL_USER_SETTINGS, the settings being ports/config/wolfssl_settings_$(CONFIG).h
# (CONFIG=mcu: SP math and Thumb-2 assembly; mcu-c: the same in portable C). A file the
# settings leave out compiles to nothing and --gc-sections drops what the image does not call.
MCU_WOLF := $(BUILD)/wolfssl
MCU_WOLF_SETTINGS := ports/config/wolfssl_settings_$(CONFIG).h
ifeq ($(wildcard $(MCU_WOLF_SETTINGS)),)
$(error STACK=wolfssl TARGET=$(TARGET): no wolfSSL settings $(MCU_WOLF_SETTINGS) for CONFIG=$(CONFIG) (known: $(patsubst ports/config/wolfssl_settings_%.h,%,$(wildcard ports/config/wolfssl_settings_*.h))))
endif
MCU_WOLF_FILES := src/internal.c src/keys.c src/ssl.c src/tls.c src/tls13.c src/wolfio.c \
  $(addprefix wolfcrypt/src/,aes.c asn.c coding.c curve25519.c ecc.c fe_operations.c hash.c \
    hmac.c kdf.c logging.c memory.c random.c sha.c sha256.c sha3.c sha512.c signature.c \
    sp_c32.c sp_cortexm.c sp_int.c wc_encrypt.c wc_mlkem.c wc_mlkem_poly.c wc_port.c \
    wolfmath.c) \
  $(addprefix wolfcrypt/src/port/arm/,thumb2-aes-asm_c.c thumb2-curve25519_c.c \
    thumb2-mlkem-asm_c.c thumb2-sha256-asm_c.c thumb2-sha3-asm_c.c thumb2-sha512-asm_c.c)
MCU_WOLF_CFLAGS := $(TARGET_CFLAGS) -DWOLFSSL_USER_SETTINGS -I$(MCU_WOLF) -I$(CURDIR)/ports/config \
                   -I$(MCU_WOLF)/src
MCU_WOLF_LIB := $(MCU_WOLF)/libwolfssl.a
# The library's stamp: source version, flags, file list and the settings headers' checksums.
MCU_WOLF_STAMP := $(call stamp,$(MCU_WOLF).stamp,wolfssl $(call pinned,scripts/fetch-wolfssl.sh) | \
  CC=$(CC) $(MCU_WOLF_CFLAGS) | $(MCU_WOLF_FILES) | \
  $(shell cksum ports/config/wolfssl_settings_*.h 2>/dev/null | cut -d ' ' -f 1-2))

$(MCU_WOLF)/.built: $(MCU_WOLF_STAMP)
	@echo "  WOLFSSL  $(MCU_WOLF) ($(CONFIG), bare metal)"
	$(Q)tree=$$(scripts/fetch-wolfssl.sh) && rm -rf $(MCU_WOLF) && mkdir -p $(MCU_WOLF)/obj && \
	  cp -R "$$tree" $(MCU_WOLF)/src && cp "$$tree/.ackbench-source" $(MCU_WOLF)/ackbench.source
	$(Q)printf '/* Written by mk/mcu-wolfssl.mk: CONFIG=%s */\n#include "wolfssl_settings_%s.h"\n' \
	  '$(CONFIG)' '$(CONFIG)' >$(MCU_WOLF)/user_settings.h
	$(Q)start=$$(date +%s); cd $(MCU_WOLF) && for f in $(MCU_WOLF_FILES); do echo "$$f"; done | \
	  xargs -P 2 -I {} sh -c 'o=obj/$$(echo {} | tr / _ | sed "s/\.c$$/.o/"); \
	    $(CC) $(subst $(MCU_WOLF),.,$(MCU_WOLF_CFLAGS)) -c -o "$$o" "src/{}" 2>>build.log || \
	    { echo "wolfSSL: {} did not compile" >>build.log; exit 255; }' && \
	  $(AR) rcs libwolfssl.a obj/*.o || \
	  { tail -n 30 build.log; echo "wolfSSL build failed: $(MCU_WOLF)/build.log"; exit 1; }; \
	  echo "  WOLFSSL  built in $$(( $$(date +%s) - start )) s" | tee -a build.log
	$(Q)touch $@
$(MCU_WOLF_LIB): $(MCU_WOLF)/.built

MCU_LIB_CFLAGS := -DWOLFSSL_USER_SETTINGS -I$(MCU_WOLF) -Iports/config -isystem $(MCU_WOLF)/src
MCU_LIB_DEPS := $(MCU_WOLF)/.built
MCU_LIBS := $(MCU_WOLF_LIB)
