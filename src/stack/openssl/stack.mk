# stack.mk - how the Makefile builds the openssl stack (src/stack/README.md): OpenSSL 3.5 LTS
# from Debian trixie's source package (scripts/fetch-openssl.sh: Debian's patches applied),
# configured static and small-to-build, into build/<target>/openssl: one library per target,
# shared by the plain, sanitizer and static variants (the library itself is not
# instrumented, as the system's libssl was not). Its own apps/openssl is kept: it makes the
# key types the system's OpenSSL 3.0 cannot (ML-DSA: scripts/gen-certs.sh finds it there).
# OSSL_CONFIGURE is what the build keeps: TLS, DTLS, ML-KEM, ML-DSA, the key log and the
# openssl command. Left out, to keep the build short (it is make test's biggest single
# cost): QUIC, engines, loadable modules, the legacy provider, compression, SSLv3, SRP,
# CMP/CMS/CT/OCSP/TS, SLH-DSA, the national and legacy ciphers, docs and OpenSSL's tests.
OSSL := build/$(TARGET)/openssl
OSSL_TARGET_native :=
OSSL_TARGET_aarch64 := linux-aarch64
OSSL_TARGET_armhf := linux-armv4
OSSL_TARGET_riscv64 := linux64-riscv64
OSSL_CONFIGURE := no-shared no-docs no-tests no-quic no-engine no-dso no-module no-legacy \
                  no-comp no-ssl3 no-srp no-ui-console no-cmp no-cms no-ct no-ocsp no-ts \
                  no-srtp no-sctp no-sm2 no-sm3 no-sm4 no-seed no-idea no-rc2 no-rc4 no-rc5 \
                  no-md4 no-mdc2 no-whirlpool no-camellia no-aria no-bf no-cast no-gost \
                  no-ec2m no-siphash no-scrypt no-slh-dsa no-rfc3779 no-nextprotoneg no-argon2 \
                  no-ssl-trace
# $(OSSL)/ossl_build.h: ACKBENCH_OSSL_BUILD, the build configuration stack.c reports
STACK_CFLAGS := -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED -isystem $(OSSL)/include \
                -isystem $(OSSL)/src/include -I$(OSSL)
STACK_LIBS := $(OSSL)/libssl.a $(OSSL)/libcrypto.a -ldl -pthread
STACK_DEPS := $(OSSL)/.built
STACK_REFUSE := $(if $(filter undefined,$(origin OSSL_TARGET_$(TARGET))),OpenSSL has no \
  Configure target here for TARGET=$(TARGET),)$(if $(filter-out full,$(CONFIG)),CONFIG=$(CONFIG) \
  is an Mbed TLS configuration)
OSSL_BIN := $(OSSL)/apps/openssl

# What the library's build depends on (the Makefile's stamp): the versions accepted and the
# Configure line, not this file's or the fetch script's mtime.
OSSL_STAMP := $(call stamp,$(OSSL).stamp,openssl $(call pinned,scripts/fetch-openssl.sh) | \
                CC=$(CC) AR=$(AR) Configure $(OSSL_TARGET_$(TARGET)) $(OSSL_CONFIGURE))
$(OSSL)/.built: $(OSSL_STAMP)
	@echo "  OPENSSL  $(OSSL)"
	$(Q)tree=$$(scripts/fetch-openssl.sh) && rm -rf $(OSSL) && mkdir -p $(OSSL) && \
	  ln -s "$$tree" $(OSSL)/src && cp "$$tree/.ackbench-source" $(OSSL)/ackbench.source
	$(Q)start=$$(date +%s); cd $(OSSL) && { src/Configure $(OSSL_TARGET_$(TARGET)) \
	  CC="$(CC)" AR="$(AR)" $(OSSL_CONFIGURE) && \
	  $(MAKE) build_generated && $(MAKE) libcrypto.a libssl.a apps/openssl; } >build.log 2>&1 || \
	  { tail -n 30 build.log; echo "OpenSSL build failed: $(OSSL)/build.log"; exit 1; }; \
	  echo "  OPENSSL  built in $$(( $$(date +%s) - start )) s" | tee -a build.log
	$(Q)printf '#define ACKBENCH_OSSL_BUILD "Debian source %s (sha256 %s), static, %s"\n' \
	  "$$(sed -n 's/.*debian=\([^ ]*\).*/\1/p' $(OSSL)/ackbench.source)" \
	  "$$(sed -n 's/.*sha256=\([^ ]*\).*/\1/p' $(OSSL)/ackbench.source | cut -c1-16)" \
	  "$(OSSL_CONFIGURE)" >$(OSSL)/ossl_build.h
	$(Q)touch $@
$(OSSL)/libssl.a $(OSSL)/libcrypto.a $(OSSL_BIN): $(OSSL)/.built
