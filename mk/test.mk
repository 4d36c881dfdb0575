# SPDX-License-Identifier: GPL-2.0
# Tests. Unit tests build and run under ASan+UBSan (build-asan/); the others use build/.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(OUT)/%)
BPF_TEST_SRCS := $(wildcard tests/bpf/test_*.c)
BPF_TEST_BINS := $(BPF_TEST_SRCS:%.c=$(OUT)/%)
TEST_LIB_OBJS := $(OUT)/tests/lib/pktbuild.o $(OUT)/tests/lib/dissect_harness.o
TEST_LDLIBS := -lcmocka -ljansson

$(OUT)/tests/%: tests/%.c $(TEST_LIB_OBJS) $(LIBXDPI) $(BPF_SKELS)
	$(call msg,TEST-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -MMD -MP -MF $(@D)/.$(@F).d $< $(TEST_LIB_OBJS) $(LIBXDPI) $(LDLIBS) $(TEST_LDLIBS) -o $@

# the budget gate also loads the benchmark's copy of the pipeline
$(OUT)/tests/bpf/test_verifier_budget: $(OUT)/bench/progs/bench_progs.skel.h

.PHONY: unit-bins bpf-test-bins
unit-bins: $(UNIT_BINS)
bpf-test-bins: $(BPF_TEST_BINS)

SUITE = ./tests/suite.sh

.PHONY: test check test-unit test-cli test-bpf test-e2e test-corpus test-schema
test: deps
	$(Q)$(SUITE) all

test-unit: deps-build
	$(Q)$(SUITE) unit
# unit tests under ASan+UBSan, the layering check, clang --analyze, the golden files
check: deps-build
	$(Q)$(SUITE) check
test-cli: deps
	$(Q)$(SUITE) cli
test-bpf: deps-build
	$(Q)$(SUITE) bpf
test-e2e: deps
	$(Q)$(SUITE) e2e
test-corpus: deps
	$(Q)$(SUITE) corpus
test-schema: deps
	$(Q)$(SUITE) schema
