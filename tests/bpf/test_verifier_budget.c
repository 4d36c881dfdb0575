// SPDX-License-Identifier: GPL-2.0
/* The verifier's budget, as a gate: every shipped program (and the benchmark's copy of the
 * pipeline, which must be the shipped one) is loaded with the verifier's statistics on, and
 * its processed instructions must stay under XDPI_VERIFIER_BUDGET, a quarter of the kernel's
 * million: the rest is headroom for the stages still to come. Prints a line per program.
 * Also a gate on speed: no map lookup may be left to the generic bpf_map_lookup_elem helper,
 * which the verifier keeps where one call instruction sees two maps (the compiler merged the
 * calls of two branches) and which costs an indirect call where the map's own lookup is
 * inlined or called directly (the policy trie's lookup was 11 ns of a 67 ns drop).
 * Exits 77 (skip) without privileges outside CI; under CI that is a failure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf/xdp_ingress.skel.h"
#include "bpf/tc_egress.skel.h"
#include "bpf/tc_ingress.skel.h"
#include "bpf/sock_ctx.skel.h"
#include "bench/progs/bench_progs.skel.h"

#define XDPI_VERIFIER_BUDGET 250000u
#define LOG_SIZE (1u << 20)

static char logbuf[LOG_SIZE];
static int failures, skipped;

struct stats {
	unsigned long processed;
	unsigned insns;
	int generic_lookups; /* calls of the generic lookup helper; -1: unknown */
	double secs;
};

/* ADDR of kernel symbol NAME from /proc/kallsyms; 0 when unreadable (not root). */
static unsigned long long ksym(const char *name)
{
	char line[256], sym[128];
	unsigned long long a = 0, v;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && !a && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %*s %127s", &v, sym) == 2 && !strcmp(sym, name))
			a = v;
	if (f)
		fclose(f);
	return a;
}

/* How many of FD's translated instructions call the generic bpf_map_lookup_elem: a helper
 * call's immediate is its address's offset from __bpf_call_base once the verifier fixed it. */
static int generic_lookups(int fd, unsigned n_insns)
{
	static unsigned long long base, fn; /* read once: kallsyms is long */
	struct bpf_insn *insns = calloc(n_insns, sizeof(*insns));
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int n = 0;

	if (!base || !fn) {
		base = ksym("__bpf_call_base");
		fn = ksym("bpf_map_lookup_elem");
	}
	info.xlated_prog_len = n_insns * sizeof(*insns);
	info.xlated_prog_insns = (__u64)(unsigned long)insns;
	if (!insns || !base || !fn || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		free(insns);
		return -1;
	}
	for (unsigned i = 0; i < n_insns; i++)
		n += insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg == 0 &&
		     (long long)base + insns[i].imm == (long long)fn;
	free(insns);
	return n;
}

/* Only WANT is loaded, with log level 4: the statistics line, not the whole trace. */
static void only(struct bpf_object *obj, const char *want)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		bool it = !strcmp(bpf_program__name(p), want);

		bpf_program__set_autoload(p, it);
		if (it) {
			bpf_program__set_log_buf(p, logbuf, sizeof(logbuf));
			bpf_program__set_log_level(p, getenv("XDPI_VLOG") ? 1 : 4);
		}
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int stats_of(struct bpf_object *obj, const char *prog, double secs, struct stats *st)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, prog);
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	const char *s = strstr(logbuf, "processed ");

	if (!p || !s || sscanf(s, "processed %lu insns", &st->processed) != 1)
		return -1;
	st->generic_lookups = -1;
	if (!bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len)) {
		st->insns = info.xlated_prog_len / 8;
		st->generic_lookups = generic_lookups(bpf_program__fd(p), st->insns);
	}
	st->secs = secs;
	return 0;
}

static void report(const char *prog, int err, const struct stats *st)
{
	if (err == -EPERM || err == -EACCES) {
		skipped++;
		return;
	}
	if (err) {
		size_t n = strlen(logbuf);

		/* the verifier's last words say why */
		printf("FAIL %-18s did not load: %s\n%s\n", prog, strerror(-err),
		       logbuf + (n > 3000 ? n - 3000 : 0));
		failures++;
		return;
	}
	printf("%s %-18s %7u insns, %8lu processed by the verifier (%4.1f%% of the budget "
	       "%u), %.2f s\n", st->processed <= XDPI_VERIFIER_BUDGET ? "ok  " : "FAIL", prog,
	       st->insns, st->processed, 100.0 * (double)st->processed / XDPI_VERIFIER_BUDGET,
	       XDPI_VERIFIER_BUDGET, st->secs);
	failures += st->processed > XDPI_VERIFIER_BUDGET;
	if (st->generic_lookups) {
		printf("FAIL %-18s %d map lookups through the generic helper%s\n", prog,
		       st->generic_lookups, st->generic_lookups < 0 ? " (unknown: kallsyms unreadable)" : "");
		failures++;
	}
}

static void xdp_prog(const char *prog)
{
	struct xdp_ingress *s = xdp_ingress__open();
	struct stats st = { 0 };
	double t;
	int err;

	if (!s) {
		report(prog, -errno, &st);
		return;
	}
	only(s->obj, prog);
	t = now_s();
	err = xdp_ingress__load(s);
	if (!err && stats_of(s->obj, prog, now_s() - t, &st))
		err = -EBADMSG;
	report(prog, err, &st);
	xdp_ingress__destroy(s);
}

/* The XDP object's maps for a TC object's, as the loader arranges. */
static void share_xdp_maps(struct xdp_ingress *x, struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj)
		if (!strchr(bpf_map__name(m), '.'))
			bpf_map__reuse_fd(m, bpf_map__fd(bpf_object__find_map_by_name(
						     x->obj, bpf_map__name(m))));
}

/* One TC program (tc_egress; tc_ingress for --xdp-mode tc), each its own skeleton type. */
#define TC_PROG(name)                                                                          \
	static void name##_prog(void)                                                          \
	{                                                                                      \
		struct xdp_ingress *x = xdp_ingress__open_and_load();                          \
		struct name *s = name##__open();                                               \
		struct stats st = { 0 };                                                       \
		double t;                                                                      \
		int err = x && s ? 0 : -errno;                                                 \
                                                                                               \
		if (!err) {                                                                    \
			only(s->obj, #name);                                                   \
			share_xdp_maps(x, s->obj);                                             \
			t = now_s();                                                           \
			err = name##__load(s);                                                 \
			if (!err && stats_of(s->obj, #name, now_s() - t, &st))                 \
				err = -EBADMSG;                                                \
		}                                                                              \
		report(#name, err, &st);                                                       \
		name##__destroy(s);                                                            \
		xdp_ingress__destroy(x);                                                       \
	}
TC_PROG(tc_egress)
TC_PROG(tc_ingress)

static void sock_prog(const char *prog)
{
	struct sock_ctx *s = sock_ctx__open();
	struct stats st = { 0 };
	double t;
	int err = s ? 0 : -errno;

	if (!err) {
		only(s->obj, prog);
		t = now_s();
		err = sock_ctx__load(s);
		if (!err && stats_of(s->obj, prog, now_s() - t, &st))
			err = -EBADMSG;
	}
	report(prog, err, &st);
	sock_ctx__destroy(s);
}

static void bench_prog(const char *prog)
{
	struct bench_progs *s = bench_progs__open();
	struct stats st = { 0 };
	double t;
	int err = s ? 0 : -errno;

	if (!err) {
		only(s->obj, prog);
		t = now_s();
		err = bench_progs__load(s);
		if (!err && stats_of(s->obj, prog, now_s() - t, &st))
			err = -EBADMSG;
	}
	report(prog, err, &st);
	bench_progs__destroy(s);
}

int main(void)
{
	libbpf_set_print(NULL);
	xdp_prog("xdp_ingress");
	xdp_prog("xdp_tap");
	tc_egress_prog();
	tc_ingress_prog();
	sock_prog("on_send");
	sock_prog("on_recv");
	bench_prog("rotate_xdpi");
	if (skipped)
		return getenv("CI") && !strcmp(getenv("CI"), "true") ? 1 : 77;
	printf("verifier budget: %s\n", failures ? "EXCEEDED" : "every program within it");
	return failures ? 1 : 0;
}
