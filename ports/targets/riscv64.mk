# riscv64.mk - 64-bit RISC-V Linux boards (RV64GC: VisionFive 2, Milk-V, ...), built with
# Debian's gcc-riscv64-linux-gnu (scripts/deps.sh cross).
CROSS_COMPILE ?= riscv64-linux-gnu-
CC := $(CROSS_COMPILE)gcc
AR := $(CROSS_COMPILE)ar
SIZE := $(CROSS_COMPILE)size
# Per-function sections + --gc-sections: the footprint counts only code that is reachable.
TARGET_CFLAGS := -ffunction-sections -fdata-sections
TARGET_LDFLAGS := -Wl,--gc-sections
QEMU := qemu-riscv64 -L /usr/riscv64-linux-gnu
