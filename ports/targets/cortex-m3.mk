# cortex-m3.mk - bare-metal Cortex-M3 (Armv7-M, no DSP extension) image for QEMU's
# mps2-an385 board: Mbed TLS client and server inside one image, counted in instructions
# (ports/mps2/target.mk, mk/mcu.mk).
MCU_CPU := cortex-m3
MCU_MACHINE := mps2-an385
MCU_LD := an385.ld
MPS2_SYSCLK_HZ := 25000000
include ports/mps2/target.mk
