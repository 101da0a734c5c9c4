# stack.mk - how the Makefile builds the openssl stack (src/stack/README.md): OpenSSL 3.0
# from Debian's libssl-dev (scripts/deps.sh openssl), linked as the system's libssl/libcrypto.
# Only for this machine: Debian's package is installed for the build host's architecture
# (a cross target would need libssl-dev:<arch>), and CONFIG names an Mbed TLS config.
STACK_CFLAGS := -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED
STACK_LIBS := -lssl -lcrypto $(if $(STATIC),-ldl -pthread)
STACK_DEPS :=
STACK_REFUSE := $(if $(filter-out native,$(TARGET)),Debian's libssl-dev is installed for this \
  machine only; cross-build the tls/dtls programs with STACK=mbedtls,$(if $(filter-out \
  full,$(CONFIG)),CONFIG=$(CONFIG) is an Mbed TLS configuration; OpenSSL is Debian's build,))
