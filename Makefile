# SPDX-License-Identifier: GPL-2.0
# xdpi: `make` builds build/xdpi; `make test` and `make demo` install what they need first.
# Targets: all, asan, test, test-unit, test-bpf, test-e2e, test-corpus, test-schema, fuzz,
#          fuzz-short, bench, demo, check, clean.  V=1 shows commands.

OUT ?= build
.DEFAULT_GOAL := all
include mk/flags.mk
include mk/bpf.mk

LIB_SRCS := $(wildcard src/lib/*.c src/app/*.c src/core/*.c src/api/*.c src/context/*.c src/capture/*.c src/dissect/*.c src/dissect/lib/*.c src/llm/*.c src/detect/*.c src/policy/*.c src/lb/*.c \
	src/output/*.c src/appid/*.c src/appid/ident/*.c)
CLI_SRCS := $(wildcard src/cli/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(OUT)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(OUT)/%.o)
LIBXDPI := $(OUT)/libxdpi.a

.PHONY: all
all: $(OUT)/xdpi

$(OUT)/xdpi: $(CLI_OBJS) $(LIBXDPI)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(LIBXDPI): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# The loader and the socket hooks embed the BPF skeletons.
# The default application table is linked in whole (src/appid/apps_default.c).
$(OUT)/src/appid/apps_default.o: data/apps.conf

$(OUT)/src/core/loader.o $(OUT)/src/context/sock_ctx.o $(OUT)/src/context/tls_plain.o: $(BPF_SKELS)

$(OUT)/%.o: %.c | deps-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c $< -o $@

.PHONY: deps deps-build
deps:
	$(Q)./tools/deps.sh all
deps-build:
	$(Q)./tools/deps.sh build

.PHONY: asan
asan:
	$(Q)$(MAKE) --no-print-directory OUT=build-asan SANITIZE=1 all unit-bins

include mk/test.mk
include mk/fuzz.mk

.PHONY: demo
demo: deps all
	$(Q)./tools/demo.sh

.PHONY: bench
bench: deps all bench-bins
	$(Q)./bench/run.sh

.PHONY: clean
clean:
	$(call msg,CLEAN)
	$(Q)rm -rf build build-asan build-fuzz build-tsan

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(TEST_LIB_OBJS:.o=.d) $(join $(dir $(UNIT_BINS) $(BPF_TEST_BINS)),$(patsubst %,.%.d,$(notdir $(UNIT_BINS) $(BPF_TEST_BINS))))
.DELETE_ON_ERROR:
.SECONDARY:

BENCH_BINS := $(OUT)/bench/xdp_ns $(OUT)/bench/xdp_gen $(OUT)/bench/lb_ns $(OUT)/bench/sweep \
	$(OUT)/bench/cpu_pair
$(OUT)/bench/xdp_gen: bench/xdp_gen.c $(OUT)/tests/lib/pktbuild.o $(OUT)/bench/progs/bench_progs.skel.h
	$(call msg,BENCH-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(CPPFLAGS) $< $(OUT)/tests/lib/pktbuild.o $(LDLIBS) -o $@

$(OUT)/bench/xdp_ns: bench/xdp_ns.c $(OUT)/tests/lib/pktbuild.o $(LIBXDPI) $(OUT)/bench/progs/bench_progs.skel.h $(BPF_SKELS)
	$(call msg,BENCH-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(CPPFLAGS) $< $(OUT)/tests/lib/pktbuild.o $(LIBXDPI) $(LDLIBS) -o $@

$(OUT)/bench/lb_ns: bench/lb_ns.c $(OUT)/tests/lib/pktbuild.o $(LIBXDPI) $(OUT)/bench/progs/bench_progs.skel.h
	$(call msg,BENCH-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(CPPFLAGS) $< $(OUT)/tests/lib/pktbuild.o $(LIBXDPI) $(LDLIBS) -o $@

$(OUT)/bench/sweep: bench/sweep.c $(LIBXDPI) $(BPF_SKELS)
	$(call msg,BENCH-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(CPPFLAGS) $< $(LIBXDPI) $(LDLIBS) -o $@

$(OUT)/bench/cpu_pair: bench/cpu_pair.c
	$(call msg,BENCH-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< -o $@

.PHONY: bench-bins
bench-bins: $(BENCH_BINS)

# ---- install: the binary, the systemd unit, a commented configuration, logrotate ----
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
SBINDIR := $(PREFIX)/sbin
UNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR := $(PREFIX)/share/doc/xdpi
INSTALL ?= install

.PHONY: install uninstall
install: all
	$(Q)$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(SYSCONFDIR)/xdpi $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	$(Q)$(INSTALL) -m 0755 $(OUT)/xdpi $(DESTDIR)$(SBINDIR)/xdpi
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		-e 's|@DOCDIR@|$(DOCDIR)|g' contrib/systemd/xdpi@.service >$(DESTDIR)$(UNITDIR)/xdpi@.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/xdpi@.service
	$(Q)[ -e $(DESTDIR)$(SYSCONFDIR)/xdpi/xdpi.conf ] || \
		$(OUT)/xdpi run --config-template >$(DESTDIR)$(SYSCONFDIR)/xdpi/xdpi.conf
	$(Q)$(INSTALL) -m 0644 contrib/logrotate/xdpi $(DESTDIR)$(SYSCONFDIR)/logrotate.d/xdpi
	$(Q)$(INSTALL) -m 0644 README.md contrib/grafana/xdpi-dashboard.json $(DESTDIR)$(DOCDIR)/
	@echo "installed under $(DESTDIR)$(PREFIX) and $(DESTDIR)$(SYSCONFDIR) (the configuration is kept if it was there)"

uninstall:
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/xdpi $(DESTDIR)$(UNITDIR)/xdpi@.service \
		$(DESTDIR)$(SYSCONFDIR)/logrotate.d/xdpi
	$(Q)rm -rf $(DESTDIR)$(DOCDIR)
	@echo "left $(DESTDIR)$(SYSCONFDIR)/xdpi/xdpi.conf and /var/log/xdpi in place"
