# cortex-m4.mk - bare-metal Cortex-M4 image for QEMU's mps2-an386 board: Mbed TLS client
# and server inside one image, counted in instructions (ports/mps2/target.mk, mk/mcu.mk).
MCU_CPU := cortex-m4
MCU_MACHINE := mps2-an386
MCU_LD := an386.ld
MPS2_SYSCLK_HZ := 25000000
include ports/mps2/target.mk
