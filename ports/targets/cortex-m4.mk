# cortex-m4.mk - bare-metal Cortex-M4 image for QEMU's mps2-an386 board (ports/mps2/,
# mk/mcu.mk): Mbed TLS client and server inside one image, counted in instructions under
# `qemu-system-arm -icount shift=0` (scripts/mcu.sh). Debian's gcc-arm-none-eabi + newlib
# (scripts/deps.sh mcu). The Mbed TLS config is a bare-metal one (default CONFIG=mcu).
CC := arm-none-eabi-gcc
AR := arm-none-eabi-ar
SIZE := arm-none-eabi-size
MCU_CPU := cortex-m4
MCU_MACHINE := mps2-an386
MCU_LD := an386.ld
# Soft float: Mbed TLS has no floating point; the FPU stays off (no lazy stacking).
TARGET_CFLAGS := -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -ffunction-sections \
                 -fdata-sections
TARGET_LDFLAGS := -Wl,--gc-sections
# Only for the image's own code: the SysTick clock (QEMU's value for the board) and the
# switch that lets the test-only entropy source compile (ports/mps2/entropy_testonly.c).
MCU_CFLAGS := -DMPS2_SYSCLK_HZ=25000000 -DACKBENCH_EMULATED_BENCHMARK=1
QEMU := qemu-system-arm
ifneq ($(origin CONFIG),command line)
CONFIG := mcu
endif
