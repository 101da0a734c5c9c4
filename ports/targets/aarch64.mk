# aarch64.mk - 64-bit Arm Linux boards (Raspberry Pi 3/4/5, i.MX8, RK3399...), built with
# Debian's gcc-aarch64-linux-gnu (scripts/deps.sh cross); QEMU runs the result on this host.
CROSS_COMPILE ?= aarch64-linux-gnu-
CC := $(CROSS_COMPILE)gcc
AR := $(CROSS_COMPILE)ar
SIZE := $(CROSS_COMPILE)size
# Per-function sections + --gc-sections: the footprint counts only code that is reachable.
TARGET_CFLAGS := -ffunction-sections -fdata-sections
TARGET_LDFLAGS := -Wl,--gc-sections
QEMU := qemu-aarch64 -L /usr/aarch64-linux-gnu
