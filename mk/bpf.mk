# SPDX-License-Identifier: GPL-2.0
# .bpf.c -> .bpf.o -> .skel.h, all under $(OUT)/bpf.            [libbpf-bootstrap, bcc]
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_HDRS := $(wildcard bpf/lib/*.h bpf/shared/*.h)
BPF_OBJS := $(BPF_SRCS:bpf/%.bpf.c=$(OUT)/bpf/%.bpf.o)
BPF_SKELS := $(BPF_OBJS:.bpf.o=.skel.h)
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Wextra -Werror \
	-Ibpf -idirafter /usr/include/$(shell gcc -dumpmachine) -ffile-prefix-map=$(CURDIR)=.

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | deps-build
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $(@:.bpf.o=.tmp.o)
	$(Q)$(LLVM_STRIP) -g $(@:.bpf.o=.tmp.o)
	$(Q)$(BPFTOOL) gen object $@ $(@:.bpf.o=.tmp.o)
	$(Q)rm -f $(@:.bpf.o=.tmp.o)

$(OUT)/bpf/%.skel.h: $(OUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .bpf.o,,$(notdir $<)) > $@

.PHONY: bpf
bpf: $(BPF_SKELS)

# Bench-only BPF programs (bench/progs), same pipeline, their own skeletons.
$(OUT)/bench/progs/%.bpf.o: bench/progs/%.bpf.c $(BPF_HDRS) | deps-build
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $(@:.bpf.o=.tmp.o)
	$(Q)$(LLVM_STRIP) -g $(@:.bpf.o=.tmp.o)
	$(Q)$(BPFTOOL) gen object $@ $(@:.bpf.o=.tmp.o)
	$(Q)rm -f $(@:.bpf.o=.tmp.o)

$(OUT)/bench/progs/%.skel.h: $(OUT)/bench/progs/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .bpf.o,,$(notdir $<)) > $@
