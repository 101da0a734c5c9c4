# fuzz.mk - libFuzzer targets (test/fuzz/fuzz_*.c), included by the Makefile.
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="msg server"]   fuzz each target that long
#   make fuzz-test     replay seeds + regression inputs, then FUZZ_TEST_SECONDS (6) each
#   make fuzzers       only build them (build/native-fuzz/bin/fuzz_*)
# Always native, clang + ASan + UBSan, in build/native-fuzz/ (never mixed with the normal
# objects); the in-memory port ports/fake/ stands in for the network.
FUZZ_CC ?= clang-14
FUZZ_AR ?= ar
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 6
FUZZ_B := build/native-fuzz
FUZZ_TARGETS ?= $(patsubst test/fuzz/fuzz_%.c,%,$(wildcard test/fuzz/fuzz_*.c))
# The stack-neutral core (an archive: each target links what it reaches) and the fake
# port in place of the platform's; no TLS stack.
FUZZ_FAKE := $(basename $(notdir $(wildcard ports/fake/*.c)))
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(WARN) $(if $(WERROR),-Werror,) -std=c11 \
               -D_POSIX_C_SOURCE=200809L -MMD -MP -Iports -Iports/fake -Isrc -Itest/fuzz \
               -DACKBENCH_CONFIG='"full"' -DACKBENCH_TARGET='"native"'
FUZZ_LIB := $(FUZZ_B)/lib/libackbench.a
FUZZ_FAKE_OBJS := $(addprefix $(FUZZ_B)/obj/,$(addsuffix .o,$(FUZZ_FAKE)))
FUZZ_BINS := $(addprefix $(FUZZ_B)/bin/fuzz_,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-test fuzzers fuzz-deps
$(FUZZ_B)/obj/%.o: src/%.c | fuzz-deps
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZCC   $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<
$(FUZZ_B)/obj/%.o: ports/fake/%.c | fuzz-deps
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZCC   $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<
$(FUZZ_LIB): $(addprefix $(FUZZ_B)/obj/,$(addsuffix .o,$(CORE)))
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(FUZZ_AR) rcs $@ $^
$(FUZZ_B)/bin/fuzz_%: test/fuzz/fuzz_%.c test/fuzz/fuzz.h $(FUZZ_FAKE_OBJS) $(FUZZ_LIB) | fuzz-deps
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZLD   $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_FAKE_OBJS) $(FUZZ_LIB) -lm
fuzz-deps:
	$(Q)scripts/deps.sh fuzz
fuzzers: $(FUZZ_BINS)
fuzz: fuzzers
	$(Q)scripts/fuzz.sh -B $(FUZZ_B) -t $(FUZZ_SECONDS) $(FUZZ_TARGETS)
fuzz-test: fuzzers
	$(Q)scripts/fuzz.sh -B $(FUZZ_B) -t $(FUZZ_TEST_SECONDS) -f $(FUZZ_TARGETS)

-include $(wildcard $(FUZZ_B)/obj/*.d $(FUZZ_B)/bin/*.d)
