# stack.mk - how the Makefile builds the wolfssl stack (src/stack/README.md): wolfSSL 5.5.4
# from Debian's source package (scripts/fetch-wolfssl.sh: bookworm, Debian's patches),
# configured as Debian configures libwolfssl-dev (--enable-distro) plus the two things that
# package lacks and ackbench needs: the key log (HAVE_SECRET_CALLBACK, for --keylog) and
# the DTLS MTU (--enable-dtls-mtu, for --mtu); and --enable-ticket-nonce-malloc, without
# which a wolfSSL 5.5 TLS 1.3 client fails on the first NewSessionTicket of a server that
# sends nonces longer than 8 bytes (Mbed TLS sends 32: wolfSSL PR 5593). A static library in $(WOLF); autotools
# (scripts/deps.sh wolfssl) generate its configure script. Native target, full config only.
WOLF := $(BUILD)/wolfssl
WOLF_CONFIGURE := --enable-distro --enable-dtls-mtu --enable-ticket-nonce-malloc --enable-static --disable-shared \
                  --disable-examples CPPFLAGS=-DHAVE_SECRET_CALLBACK
# $(WOLF)/wolf_build.h: ACKBENCH_WOLFSSL_BUILD, the build configuration stack.c reports
STACK_CFLAGS := -isystem $(WOLF)/src -I$(WOLF)
STACK_LIBS := $(WOLF)/src/src/.libs/libwolfssl.a -lm -lpthread
STACK_DEPS := $(WOLF)/.built
STACK_REFUSE := $(if $(filter-out native,$(TARGET)),wolfSSL is built for the native target only,)$(if $(filter-out full,$(CONFIG)),$(if $(filter-out native,$(TARGET)),; ,)CONFIG=$(CONFIG) is an Mbed TLS config (wolfSSL has Debian's one),)

# wolfCrypt's own benchmark program from the same build (the crypto floor of
# scripts/bench-stacks.sh: `benchmark -ecc` times P-256 key generation, ECDH, sign, verify).
WOLF_BENCH := $(WOLF)/src/wolfcrypt/benchmark/benchmark
$(WOLF_BENCH): $(WOLF)/.built
	$(Q)$(MAKE) -C $(WOLF)/src wolfcrypt/benchmark/benchmark >>$(WOLF)/build.log 2>&1

# What the library's build depends on (the Makefile's stamp): the pinned source version and
# the configure line, not this file's or the fetch script's mtime.
WOLF_STAMP := $(call stamp,$(WOLF).stamp,wolfssl $(call pinned,scripts/fetch-wolfssl.sh) | \
                CC=$(CC) ./configure $(WOLF_CONFIGURE))
$(WOLF)/.built: $(WOLF_STAMP)
	@echo "  WOLFSSL  $(WOLF)"
	$(Q)tree=$$(scripts/fetch-wolfssl.sh) && rm -rf $(WOLF) && mkdir -p $(WOLF) && \
	  cp -R "$$tree" $(WOLF)/src
	$(Q)cd $(WOLF)/src && { ./autogen.sh && ./configure CC="$(CC)" $(WOLF_CONFIGURE) && \
	  $(MAKE) src/libwolfssl.la; } >../build.log 2>&1 || \
	  { tail -n 30 $(WOLF)/build.log; echo "wolfSSL build failed: $(WOLF)/build.log"; exit 1; }
	$(Q)printf '#define ACKBENCH_WOLFSSL_BUILD "Debian source %s, ./configure %s, static"\n' \
	  "$$(cat $(WOLF)/src/.ackbench-patched)" "$(WOLF_CONFIGURE)" >$(WOLF)/wolf_build.h
	$(Q)touch $@
