# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets (clang, ASan+UBSan) in build-fuzz/. `make fuzz FUZZ_TIME=600` runs each
# target that long; `make fuzz-short` (part of `make test`) runs each briefly.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_OUT := build-fuzz
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_OUT)/%)
FUZZ_TIME ?= 600
FUZZ_SHORT_TIME ?= 12
FUZZ_SEEDS := $(FUZZ_OUT)/seeds
CORPUS_DIR ?= ../shared/corpus

ifeq ($(SANITIZE),fuzz)
CFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(LIBXDPI)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CC) $(CFLAGS) $(CPPFLAGS) -fsanitize=fuzzer,address,undefined $< $(LIBXDPI) $(LDLIBS) -o $@

# the configuration file's parser lives with the command line
$(FUZZ_OUT)/fuzz_config: tests/fuzz/fuzz_config.c src/cli/opts.c $(LIBXDPI)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CC) $(CFLAGS) $(CPPFLAGS) -fsanitize=fuzzer,address,undefined $^ $(LDLIBS) -o $@

.PHONY: fuzz-bins fuzz fuzz-short fuzz-seeds
fuzz-bins:
	$(Q)$(MAKE) --no-print-directory OUT=$(FUZZ_OUT) CC=$(CLANG) SANITIZE=fuzz $(FUZZ_BINS)

fuzz-seeds:
	$(Q)[ -d $(FUZZ_SEEDS)/decode ] || python3 tools/pcap_seeds.py $(FUZZ_SEEDS)/decode 40 $(wildcard $(CORPUS_DIR)/*.pcap*) $(wildcard $(CORPUS_DIR)/tunnels/*.pcap)
	$(Q)[ -d $(FUZZ_SEEDS)/tunnel ] || python3 tools/pcap_seeds.py $(FUZZ_SEEDS)/tunnel 40 $(wildcard $(CORPUS_DIR)/tunnels/*.pcap)
	$(Q)[ -d $(FUZZ_SEEDS)/dns ] || python3 tools/pcap_seeds.py $(FUZZ_SEEDS)/dns 20 --dns $(wildcard $(CORPUS_DIR)/*.pcap*)
	$(Q)[ -d $(FUZZ_SEEDS)/http ] || python3 tools/pcap_seeds.py $(FUZZ_SEEDS)/http 20 --http $(wildcard $(CORPUS_DIR)/*.pcap*)
	$(Q)[ -d $(FUZZ_SEEDS)/tls ] || python3 tools/pcap_seeds.py $(FUZZ_SEEDS)/tls 20 --tls $(wildcard $(CORPUS_DIR)/*.pcap*)
	$(Q)[ -d $(FUZZ_SEEDS)/http2 ] || python3 tools/pcap_seeds.py $(FUZZ_SEEDS)/http2 20 --http2 $(wildcard $(CORPUS_DIR)/*.pcap*)
	$(Q)[ -d $(FUZZ_SEEDS)/quic ] || python3 tools/pcap_seeds.py $(FUZZ_SEEDS)/quic 20 --quic $(wildcard $(CORPUS_DIR)/*.pcap*)
	$(Q)mkdir -p $(FUZZ_SEEDS)/reassembly
	$(Q)for d in tests/fuzz/seeds/*/; do t=$$(basename $$d); \
		mkdir -p $(FUZZ_SEEDS)/$$t && cp $$d* $(FUZZ_SEEDS)/$$t/; done
	$(Q)[ -d $(FUZZ_SEEDS)/appid ] || python3 tests/fuzz/appid_seeds.py $(FUZZ_SEEDS)/appid tests/data/appid/samples.txt tests/data/appid/manual.txt


fuzz: deps-build fuzz-bins fuzz-seeds
	$(Q)tests/fuzz/run.sh $(FUZZ_TIME)

fuzz-short: deps-build fuzz-bins fuzz-seeds
	$(Q)tests/fuzz/run.sh $(FUZZ_SHORT_TIME)
