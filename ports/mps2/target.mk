# target.mk - what every MPS2 bare-metal target shares (included by ports/targets/cortex-m*.mk
# after they set MCU_CPU, MCU_MACHINE, MCU_LD and MPS2_SYSCLK_HZ): Debian's
# gcc-arm-none-eabi + newlib (scripts/deps.sh mcu), the image of mk/mcu.mk, run by
# scripts/mcu.sh under `qemu-system-arm -icount shift=0`. The Mbed TLS config is a
# bare-metal one (default CONFIG=mcu).
CC := arm-none-eabi-gcc
AR := arm-none-eabi-ar
SIZE := arm-none-eabi-size
# Soft float: Mbed TLS has no floating point; the FPU stays off (no lazy stacking).
TARGET_CFLAGS := -mcpu=$(MCU_CPU) -mthumb -mfloat-abi=soft -Os -ffunction-sections \
                 -fdata-sections
TARGET_LDFLAGS := -Wl,--gc-sections
# Only for the image's own code: the SysTick clock (QEMU's value for the board) and the
# switch that lets the test-only entropy source compile (ports/mps2/entropy_testonly.c).
MCU_CFLAGS := -DMPS2_SYSCLK_HZ=$(MPS2_SYSCLK_HZ) -DACKBENCH_EMULATED_BENCHMARK=1
QEMU := qemu-system-arm
ifneq ($(origin CONFIG),command line)
CONFIG := mcu
endif
