# stack.mk - how the Makefile builds the mbedtls stack (src/stack/README.md): Mbed TLS 3.6
# from its release tarball into $(MBT), with ports/config/ackbench_config_$(CONFIG).h.
# Builds for every target and config.
STACK_CFLAGS := -isystem $(MBT)/include $(MBEDTLS_CFG)
STACK_LIBS := $(MBT_LIBS)
STACK_DEPS := $(MBT)/.built
STACK_REFUSE :=
