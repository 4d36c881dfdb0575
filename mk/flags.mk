# SPDX-License-Identifier: GPL-2.0
# Compiler flags, shared by every build flavour (release, asan, fuzz).
ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s%s\n' "$(1)" "$(patsubst $(abspath $(OUT))/%,%,$(2))" "$(if $(3), $(3))";
endif

CC ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif
CLANG ?= clang-14
LLVM_STRIP ?= llvm-strip-14
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

WARNINGS := -Wall -Wextra -Werror -Wmissing-field-initializers -Wundef -Wshadow \
	-Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS := -Iinclude -Ibpf -I$(OUT)
CFLAGS := -std=gnu11 -g -O2 $(WARNINGS) -ffile-prefix-map=$(CURDIR)=. -fno-strict-aliasing
LDLIBS := -lxdp -lbpf -lelf -lz -lpcap -lcrypto -lnghttp2 -lhs -lpcre2-8 -lhiredis -lyaml -ljansson -lpthread -lm

ifeq ($(SANITIZE),1)
CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
else
CPPFLAGS += -D_FORTIFY_SOURCE=3
endif
