# stack.mk - how the Makefile builds the wolfssl stack (src/stack/README.md): wolfSSL 5.9+
# from Debian's source package (scripts/fetch-wolfssl.sh: forky/sid), built static into
# build/<target>/wolfssl (one library per target, shared by the plain, sanitizer and static
# variants; autotools from scripts/deps.sh wolfssl generate its configure script).
# One configuration, the one a performance-minded embedded user picks:
# - SP math with the platform's assembly (--enable-sp --enable-sp-asm, and the AES/SHA
#   instructions: Intel's on x86_64, the Armv8 crypto extensions on aarch64);
# - TLS 1.3, X25519, ML-KEM (the hybrid groups too), ML-DSA certificates;
# - DTLS 1.2 and 1.3, DTLS 1.3 ClientHello fragmentation (PQ key shares do not fit one
#   datagram) and the MTU setting (--mtu);
# - what the stack's code needs: the OpenSSL compatibility layer (the key check and the peer
#   certificate's key in wolf_ctx.c, ex data), session tickets, the key log
#   (HAVE_SECRET_CALLBACK, for --keylog), the IP entries of subjectAltName (--enable-ip-alt-name:
#   a server named by its IP address, the default), and --enable-ticket-nonce-malloc: without it
#   wolfSSL (5.5 and still 5.9) refuses a NewSessionTicket nonce longer than 8 bytes, and
#   Mbed TLS sends 32; --enable-psk and WOLFSSL_STATIC_PSK for --psk (off by default in
#   wolfSSL; without the latter it has no plain PSK suite, only ECDHE_PSK and TLS 1.3);
#   WOLFSSL_DTLS_DROP_STATS: a DTLS server counts the records it dropped undecrypted (a
#   PSK client with the wrong key, whose Finished DTLS drops silently, wolf_conn.c);
#   --enable-rpk (HAVE_RPK): raw public keys (RFC 7250) for --rpk (wolf_rpk.c);
#   --enable-dtlscid (WOLFSSL_DTLS_CID): DTLS 1.2 Connection ID (RFC 9146) for --cid.
WOLF := build/$(TARGET)/wolfssl
WOLF_ASM_native := --enable-intelasm
WOLF_ASM_aarch64 := --enable-armasm --host=aarch64-linux-gnu
WOLF_ASM_armhf := --host=arm-linux-gnueabihf
WOLF_ASM_riscv64 := --host=riscv64-linux-gnu
WOLF_CONFIGURE := --enable-static --disable-shared --disable-examples --disable-crypttests \
                  --enable-sp --enable-sp-asm $(WOLF_ASM_$(TARGET)) --enable-tls13 \
                  --enable-curve25519 --enable-mlkem --enable-mldsa --enable-dtls \
                  --enable-dtls13 --enable-dtls-frag-ch --enable-dtls-mtu --enable-opensslextra \
                  --enable-session-ticket --enable-ticket-nonce-malloc --enable-ip-alt-name --enable-psk \
                  --enable-earlydata --enable-rpk --enable-dtlscid \
                  CPPFLAGS='-DHAVE_SECRET_CALLBACK -DWOLFSSL_STATIC_PSK -DWOLFSSL_DTLS_DROP_STATS'
# $(WOLF)/wolf_build.h: ACKBENCH_WOLFSSL_BUILD, the build configuration stack.c reports
STACK_CFLAGS := -isystem $(WOLF)/src -I$(WOLF)
STACK_LIBS := $(WOLF)/src/src/.libs/libwolfssl.a -lm -lpthread
STACK_DEPS := $(WOLF)/.built
# A bare-metal target (MCU_MACHINE) builds the image instead, with its own wolfSSL build
# (mk/mcu-wolfssl.mk).
STACK_REFUSE := $(if $(MCU_MACHINE),,$(if $(filter undefined,$(origin WOLF_ASM_$(TARGET))),no \
  wolfSSL configuration for TARGET=$(TARGET),)$(if $(filter-out full,$(CONFIG)),CONFIG=$(CONFIG) \
  is an Mbed TLS config))

# wolfCrypt's own benchmark program on the same library (the crypto floor of
# scripts/bench-stacks.sh: `benchmark -ecc` times P-256 ECDH, sign, verify; -ecc-kg key
# generation). --disable-crypttests leaves it out of wolfSSL's makefile (no sources: it did
# not link), so it is compiled here from wolfSSL's benchmark.c with the library's own
# options.h, the configuration the programs use.
WOLF_BENCH := $(WOLF)/benchmark
$(WOLF_BENCH): $(WOLF)/.built
	@echo "  CC       $@"
	$(Q)cd $(WOLF)/src && $(CC) -O2 -I. -include wolfssl/options.h -o ../benchmark \
	  wolfcrypt/benchmark/benchmark.c src/.libs/libwolfssl.a -lm -lpthread >>../build.log 2>&1 || \
	  { tail -n 20 ../build.log; echo "wolfCrypt benchmark build failed: $(WOLF)/build.log"; exit 1; }

# What the library's build depends on (the Makefile's stamp): the pinned source version and
# the configure line, not this file's or the fetch script's mtime.
WOLF_STAMP := $(call stamp,$(WOLF).stamp,wolfssl $(call pinned,scripts/fetch-wolfssl.sh) | \
                CC=$(CC) ./configure $(WOLF_CONFIGURE))
$(WOLF)/.built: $(WOLF_STAMP)
	@echo "  WOLFSSL  $(WOLF)"
	$(Q)tree=$$(scripts/fetch-wolfssl.sh) && rm -rf $(WOLF) && mkdir -p $(WOLF) && \
	  cp -R "$$tree" $(WOLF)/src && cp "$$tree/.ackbench-source" $(WOLF)/ackbench.source
	$(Q)start=$$(date +%s); cd $(WOLF)/src && { ./autogen.sh && \
	  ./configure CC="$(CC)" $(WOLF_CONFIGURE) && $(MAKE) src/libwolfssl.la; } >../build.log 2>&1 || \
	  { tail -n 30 ../build.log; echo "wolfSSL build failed: $(WOLF)/build.log"; exit 1; }; \
	  echo "  WOLFSSL  built in $$(( $$(date +%s) - start )) s" | tee -a ../build.log
	$(Q)printf '#define ACKBENCH_WOLFSSL_BUILD "Debian source %s (sha256 %s), static, ./configure %s"\n' \
	  "$$(sed -n 's/.*debian=\([^ ]*\).*/\1/p' $(WOLF)/ackbench.source)" \
	  "$$(sed -n 's/.*sha256=\([^ ]*\).*/\1/p' $(WOLF)/ackbench.source | cut -c1-16)" \
	  "$(WOLF_CONFIGURE)" >$(WOLF)/wolf_build.h
	$(Q)touch $@
