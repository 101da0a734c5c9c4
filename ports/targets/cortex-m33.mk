# cortex-m33.mk - bare-metal Cortex-M33 (Armv8-M, secure state) image for QEMU's mps2-an505
# board: Mbed TLS client and server inside one image, counted in instructions
# (ports/mps2/target.mk, mk/mcu.mk).
MCU_CPU := cortex-m33
MCU_MACHINE := mps2-an505
MCU_LD := an505.ld
MPS2_SYSCLK_HZ := 20000000
include ports/mps2/target.mk
