# cortex-m7.mk - bare-metal Cortex-M7 (Armv7E-M, dual issue on silicon; QEMU counts
# instructions, not cycles) image for QEMU's mps2-an500 board: Mbed TLS client and server
# inside one image, counted in instructions (ports/mps2/target.mk, mk/mcu.mk).
MCU_CPU := cortex-m7
MCU_MACHINE := mps2-an500
MCU_LD := an500.ld
MPS2_SYSCLK_HZ := 25000000
include ports/mps2/target.mk
