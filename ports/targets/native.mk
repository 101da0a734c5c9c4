# native.mk - build for the machine that runs make, with its default compiler.
CC ?= cc
AR ?= ar
TARGET_CFLAGS :=
