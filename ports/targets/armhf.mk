# armhf.mk - 32-bit Arm Linux boards with hardware float (Armv7-A: Raspberry Pi 2, BeagleBone,
# i.MX6, STM32MP1...), built with Debian's gcc-arm-linux-gnueabihf (scripts/deps.sh cross).
CROSS_COMPILE ?= arm-linux-gnueabihf-
CC := $(CROSS_COMPILE)gcc
AR := $(CROSS_COMPILE)ar
SIZE := $(CROSS_COMPILE)size
# Per-function sections + --gc-sections: the footprint counts only code that is reachable.
TARGET_CFLAGS := -ffunction-sections -fdata-sections
TARGET_LDFLAGS := -Wl,--gc-sections
QEMU := qemu-arm -L /usr/arm-linux-gnueabihf
