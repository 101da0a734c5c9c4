# target.mk - what every MPS2 bare-metal target shares (included by ports/targets/cortex-m*.mk
# after they set MCU_CPU, MCU_MACHINE, MCU_LD and MPS2_SYSCLK_HZ): Debian's
# gcc-arm-none-eabi + newlib (scripts/deps.sh mcu), the image of mk/mcu.mk, run by
# scripts/mcu.sh under `qemu-system-arm -icount shift=0`. The Mbed TLS config is a
# bare-metal one (default CONFIG=mcu).
# MCU_OPT (Os, O2, O3; default Os) and MCU_LTO (0, 1; default 0): the optimisation of the
# image and its Mbed TLS library (scripts/mcu-explore.sh's axes opt and lto). Link-time
# optimisation archives through gcc-ar (the LTO plugin) and links with the same flags.
MCU_OPT ?= Os
MCU_LTO ?= 0
ifeq ($(filter Os O2 O3,$(MCU_OPT)),)
$(error MCU_OPT=$(MCU_OPT): not one of Os O2 O3)
endif
ifeq ($(filter 0 1,$(MCU_LTO)),)
$(error MCU_LTO=$(MCU_LTO): not 0 or 1)
endif
CC := arm-none-eabi-gcc
AR := arm-none-eabi-$(if $(filter 1,$(MCU_LTO)),gcc-ar,ar)
SIZE := arm-none-eabi-size
# Soft float: Mbed TLS has no floating point; the FPU stays off (no lazy stacking).
TARGET_CFLAGS := -mcpu=$(MCU_CPU) -mthumb -mfloat-abi=soft -$(MCU_OPT) -ffunction-sections \
                 -fdata-sections $(if $(filter 1,$(MCU_LTO)),-flto)
TARGET_LDFLAGS := -Wl,--gc-sections
# Only for the image's own code: the SysTick clock (QEMU's value for the board) and the
# switch that lets the test-only entropy source compile (ports/mps2/entropy_testonly.c).
MCU_CFLAGS := -DMPS2_SYSCLK_HZ=$(MPS2_SYSCLK_HZ) -DACKBENCH_EMULATED_BENCHMARK=1
QEMU := qemu-system-arm
ifneq ($(origin CONFIG),command line)
CONFIG := mcu
endif
