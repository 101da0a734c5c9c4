# native.mk - build for the machine that runs make, with its default compiler.
CC ?= cc
AR ?= ar
TARGET_CFLAGS :=
SIZE ?= size
# Programs of this target run directly (cross targets name their qemu-user here).
QEMU :=
