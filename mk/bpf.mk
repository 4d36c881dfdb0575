# SPDX-License-Identifier: GPL-2.0
# .bpf.c -> .bpf.o -> .skel.h, all under $(OUT).                 [libbpf-bootstrap, bcc]
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_HDRS := $(wildcard bpf/lib/*.h bpf/shared/*.h)
BPF_OBJS := $(BPF_SRCS:bpf/%.bpf.c=$(OUT)/bpf/%.bpf.o)
BPF_SKELS := $(BPF_OBJS:.bpf.o=.skel.h)
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Wextra -Werror \
	-Ibpf -idirafter /usr/include/$(shell gcc -dumpmachine) -ffile-prefix-map=$(CURDIR)=.

# $(call bpf_rules,SRC_DIR): compile SRC_DIR/*.bpf.c into $(OUT)/SRC_DIR, with skeletons.
define bpf_rules
$(OUT)/$(1)/%.bpf.o: $(1)/%.bpf.c $(BPF_HDRS) | deps-build
	$$(call msg,BPF,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $$< -o $$(@:.bpf.o=.tmp.o)
	$(Q)$(LLVM_STRIP) -g $$(@:.bpf.o=.tmp.o)
	$(Q)$(BPFTOOL) gen object $$@ $$(@:.bpf.o=.tmp.o)
	$(Q)rm -f $$(@:.bpf.o=.tmp.o)

$(OUT)/$(1)/%.skel.h: $(OUT)/$(1)/%.bpf.o
	$$(call msg,GEN-SKEL,$$@)
	$(Q)$(BPFTOOL) gen skeleton $$< name $$(subst .bpf.o,,$$(notdir $$<)) > $$@
endef

$(eval $(call bpf_rules,bpf))
$(eval $(call bpf_rules,bench/progs))

.PHONY: bpf
bpf: $(BPF_SKELS)
