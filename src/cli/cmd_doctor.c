// SPDX-License-Identifier: GPL-2.0
/* xdpi doctor [-i IFACE]: what this host offers xdpi and what it lacks, one line each with the
 * reason and the fix; exit status 1 when `xdpi run` would fail here. */
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "opts.h"
#include "xdpi/host.h"
#include "xdpi/json.h"

static const char synopsis[] =
	"usage: xdpi doctor [-i IFACE] [--json]\n"
	"\n"
	"Checks what xdpi needs of this host, for real: capabilities held against those needed,\n"
	"bpffs, kernel BTF, the BPF JIT, the ring buffer, BPF_PROG_TEST_RUN, BTF tracepoints\n"
	"(--process-context), uprobes, and with -i IFACE, XDP (native or generic), TC egress\n"
	"(tcx or a clsact filter) and AF_XDP (zero-copy or copy mode) on that interface. Each\n"
	"probe loads the smallest program that answers and removes it again; with -i, a no-op\n"
	"XDP program is attached to IFACE for an instant (on NICs whose drivers restart their\n"
	"queues for XDP, run it outside busy hours). Nothing is mounted or changed.\n";

static const char epilogue[] =
	"Exit status: 0 when `xdpi run` (on IFACE, with -i) would work, 1 when it would not,\n"
	"2 for a usage error.\n"
	"\n"
	"Examples:\n"
	"  sudo xdpi doctor\n"
	"  sudo xdpi doctor -i eth0\n"
	"  sudo xdpi doctor -i eth0 --json | jq '.checks[] | select(.status != \"ok\")'\n";

struct doctor_args {
	const char *ifname;
	bool json;
};

static const struct cli_opt doctor_opts[] = {
	CLI_STR("interface", 'i', "IFACE", struct doctor_args, ifname,
		"also probe XDP, TC egress and AF_XDP on IFACE"),
	CLI_FLAG("json", 0, struct doctor_args, json, "one JSON document instead of lines"),
};

static const char *const status_word[] = { "ok", "set up", "note", "warn", "FAIL" };

/* Which checks `xdpi run` (host mode) cannot do without. */
static bool run_needs(const char *name)
{
	static const char *const needed[] = { "capabilities", "bpffs", "ring buffer", "XDP",
					      "TC egress" };

	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (!strcmp(name, needed[i]))
			return true;
	return false;
}

static size_t run_checks(const struct doctor_args *a, int ifindex, struct xdpi_host_check *r)
{
	size_t n = 0;

	xdpi_host_check_caps(XDPI_CAPS_RUN, &r[n++]);
	xdpi_host_check_bpffs(false, &r[n++]);
	xdpi_host_check_btf(false, &r[n++]);
	xdpi_host_check_jit(&r[n++]);
	xdpi_host_probe_ringbuf(&r[n++]);
	xdpi_host_probe_test_run(&r[n++]);
	xdpi_host_probe_xdp(ifindex, a->ifname, &r[n++]);
	xdpi_host_probe_tcx(ifindex, a->ifname, &r[n++]);
	xdpi_host_probe_afxdp(ifindex, a->ifname, &r[n++]);
	xdpi_host_probe_tp_btf(&r[n++]);
	xdpi_host_probe_uprobe(&r[n++]);
	xdpi_host_check_tracefs(&r[n++]);
	xdpi_host_check_optional_libs(&r[n]);
	n += 2;
	return n;
}

static void print_lines(const struct utsname *u, const struct doctor_args *a,
			const struct xdpi_host_check *r, size_t n, int failed)
{
	printf("xdpi doctor: %s, kernel %s (%s), libbpf %s%s%s\n", u->nodename, u->release,
	       u->machine, libbpf_version_string(), a->ifname ? ", interface " : "",
	       a->ifname ? a->ifname : "");
	for (size_t i = 0; i < n; i++) {
		printf("  %-5s %-16s %s\n", status_word[r[i].status], r[i].name, r[i].what);
		if (r[i].fix[0])
			printf("        %-16s fix: %s\n", "", r[i].fix);
	}
	if (failed)
		printf("verdict: `xdpi run%s%s` would fail here: %d check%s above must be fixed\n",
		       a->ifname ? " -i " : "", a->ifname ? a->ifname : "", failed,
		       failed == 1 ? "" : "s");
	else
		printf("verdict: `xdpi run%s%s` would work here%s\n", a->ifname ? " -i " : "",
		       a->ifname ? a->ifname : "", a->ifname ? "" : " (give -i IFACE to probe the "
		       "interface too)");
}

static void print_json(const struct utsname *u, const struct doctor_args *a,
		       const struct xdpi_host_check *r, size_t n, int failed)
{
	struct xdpi_json j;

	xdpi_json_init(&j);
	xdpi_json_obj_open(&j, NULL);
	xdpi_json_str(&j, "host", u->nodename);
	xdpi_json_str(&j, "kernel", u->release);
	xdpi_json_str(&j, "libbpf", libbpf_version_string());
	if (a->ifname)
		xdpi_json_str(&j, "interface", a->ifname);
	xdpi_json_arr_open(&j, "checks");
	for (size_t i = 0; i < n; i++) {
		xdpi_json_obj_open(&j, NULL);
		xdpi_json_str(&j, "name", r[i].name);
		xdpi_json_str(&j, "status", status_word[r[i].status]);
		xdpi_json_str(&j, "what", r[i].what);
		if (r[i].fix[0])
			xdpi_json_str(&j, "fix", r[i].fix);
		xdpi_json_bool(&j, "needed_by_run", run_needs(r[i].name));
		xdpi_json_obj_close(&j);
	}
	xdpi_json_arr_close(&j);
	xdpi_json_bool(&j, "run_would_work", !failed);
	xdpi_json_obj_close(&j);
	printf("%.*s\n", (int)j.len, j.buf);
	xdpi_json_free(&j);
}

int cmd_doctor(int argc, char **argv)
{
	struct doctor_args a = { 0 };
	struct cli_command cmd = {
		.name = "doctor", .synopsis = synopsis, .epilogue = epilogue,
		.groups = { CLI_GROUP(doctor_opts, &a) }, .ngroups = 1,
	};
	struct xdpi_host_check r[16];
	struct utsname u;
	int first, ifindex = 0, failed = 0, rc = cli_opts_parse(&cmd, argc, argv, &first);
	size_t n;

	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	if (first != argc) {
		cli_error("doctor: unexpected '%s' (`xdpi doctor --help`)", argv[first]);
		return EXIT_USAGE;
	}
	if (a.ifname && !(ifindex = (int)if_nametoindex(a.ifname))) {
		cli_error("doctor: no interface named '%s' here (see `ip link`)", a.ifname);
		return EXIT_USAGE;
	}
	libbpf_set_print(NULL); /* the probes' refusals are findings, not noise */
	uname(&u);
	n = run_checks(&a, ifindex, r);
	for (size_t i = 0; i < n; i++)
		failed += r[i].status == XDPI_HOST_FAIL && run_needs(r[i].name);
	if (a.json)
		print_json(&u, &a, r, n, failed);
	else
		print_lines(&u, &a, r, n, failed);
	return failed ? 1 : 0;
}
