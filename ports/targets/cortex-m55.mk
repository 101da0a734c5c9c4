# cortex-m55.mk - bare-metal Cortex-M55 (Armv8.1-M, secure state; MVE not used: soft
# float, no vector code) image for QEMU's mps3-an547 board: Mbed TLS client and server
# inside one image, counted in instructions (ports/mps2/target.mk, mk/mcu.mk).
MCU_CPU := cortex-m55
MCU_MACHINE := mps3-an547
MCU_LD := an547.ld
MPS2_SYSCLK_HZ := 32000000
include ports/mps2/target.mk
