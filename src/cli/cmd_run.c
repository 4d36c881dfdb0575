// SPDX-License-Identifier: GPL-2.0
/* xdpi run -i IFACE: attach the fast path to a live interface and inspect what it steers. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "xdpi/cidr_list.h"
#include "xdpi/host.h"
#include "xdpi/log.h"
#include "xdpi/metrics.h"
#include "xdpi/policy.h"
#include "xdpi/port_rules.h"

static const char synopsis[] =
	"usage: xdpi run -i IFACE [OPTIONS]\n"
	"       xdpi run --config FILE [OPTIONS]\n"
	"\n"
	"Attaches the XDP ingress and TC egress programs to IFACE (through bpf_link: if xdpi dies,\n"
	"the kernel detaches them), counts every flow in the kernel, receives the packets the\n"
	"steering state selects through a ring buffer, decodes them (dns, http, http2/gRPC, tls,\n"
	"quic) and writes EVE JSON events until SIGINT or SIGTERM (or --duration); SIGHUP reopens\n"
	"the EVE file (logrotate). Traffic is never held up: a full ring buffer is a counted loss,\n"
	"not a drop. It checks the host first (capabilities, bpffs, which it mounts when missing).\n";

static const char epilogue[] =
	"Exit status: 0; 1 when the host or a file is not right, or events were lost; 2 for a\n"
	"usage error.\n"
	"\n"
	"Examples:\n"
	"  sudo xdpi run -i eth0 -o /var/log/xdpi/eve.json\n"
	"  sudo xdpi run --config /etc/xdpi/xdpi.conf -i eth0\n"
	"  xdpi run --config /etc/xdpi/xdpi.conf --check-config\n"
	"  sudo xdpi run -i eth0 --steer snip --snaplen 512\n"
	"  sudo xdpi run -i veth0 --snip-port 8080 --duration 60 | jq .event_type\n"
	"  sudo xdpi run -i eth0 --block drop_v4.txt --block drop_v6.txt --allow ours.txt\n"
	"  sudo xdpi run -i eth0 --syn-dst-rate 2000 --icmp-limit 50 --rate-limit 100000\n"
	"  sudo xdpi run -i eth0 --rules '/etc/suricata/rules/*.rules' \\\n"
	"       --rule-var 'HOME_NET=[10.0.0.0/8]' --drop-ttl 600 --anomaly scan_ports=20\n"
	"  sudo xdpi run -i eth0 --metrics :9469 --api-routes openapi.yaml \\\n"
	"       --api-alert 'error_ratio > 5% for 1m' --api-webhook http://alerts.internal/hook\n"
	"  sudo xdpi run -i eth0 --redis redis://127.0.0.1/suricata --ipfix 127.0.0.1:4739 \\\n"
	"       --rules local.rules --pcap-alerts /var/log/xdpi/pcap --pcap-rotate 50\n";

#define RUN_LISTS_MAX 16

/* One --block or --allow file, parsed before anything is attached. */
struct run_list {
	const char *path;
	uint8_t action; /* enum xdpi_policy_action */
	struct xdpi_cidr_list cidrs;
};

struct run_ctx {
	struct cli_common common;
	const char *ifname;
	enum xdpi_xdp_mode xdp_mode;
	bool egress;
	uint64_t ringbuf_size;
	uint64_t stats_interval;
	uint64_t duration;
	struct cli_output out;
	struct cli_sources sources;
	struct xdpi_loader *loader;
	struct cli_sink sink;
	struct xdpi_rb *rb;
	struct run_list lists[RUN_LISTS_MAX];
	struct cli_rule rules[RUN_LISTS_MAX];
	size_t nlists;
	struct cli_limits limits;
	uint64_t bypass_bytes;
	bool no_bypass;
	bool persist;
	bool no_pin;
	bool tap;
	const char *metrics_listen;
	struct xdpi_metrics *metrics;
	struct xdpi_afxdp_cfg xsk;
	struct xdpi_afxdp *afxdp;
	struct xdpi_port_rules ports;
	char (*port_names)[96];
};

static volatile sig_atomic_t stop_requested, reopen_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen_requested = 1;
	else
		stop_requested = 1;
}

static int opt_xdp_mode(void *ctx, const char *arg)
{
	struct run_ctx *c = ctx;

	if (!strcmp(arg, "auto"))
		c->xdp_mode = XDPI_XDP_AUTO;
	else if (!strcmp(arg, "native"))
		c->xdp_mode = XDPI_XDP_NATIVE;
	else if (!strcmp(arg, "generic"))
		c->xdp_mode = XDPI_XDP_GENERIC;
	else {
		cli_error("--xdp-mode: '%s' is not one of auto, native, generic", arg);
		return -1;
	}
	return 0;
}

static int add_list(struct run_ctx *c, const char *path, uint8_t action)
{
	struct run_list *l = &c->lists[c->nlists];
	char err[512];

	if (c->nlists == RUN_LISTS_MAX) {
		cli_error("--%s: at most %d --block/--allow lists", action == XDPI_POLICY_DROP ?
			  "block" : "allow", RUN_LISTS_MAX);
		return -1;
	}
	l->path = path;
	l->action = action;
	if (xdpi_cidr_list_load(path, &l->cidrs, err, sizeof(err))) {
		cli_error("%s", err);
		xdpi_cidr_list_free(&l->cidrs);
		return -1;
	}
	c->nlists++;
	return 0;
}

static int opt_block(void *ctx, const char *arg)
{
	return add_list(ctx, arg, XDPI_POLICY_DROP);
}

static int opt_allow(void *ctx, const char *arg)
{
	return add_list(ctx, arg, XDPI_POLICY_ALLOW);
}

static int add_port_rules(struct run_ctx *c, bool file, const char *arg)
{
	char err[512];
	int rc = file ? xdpi_port_rules_load(arg, &c->ports, err, sizeof(err)) :
			xdpi_port_rules_parse("--port-rule", arg, strlen(arg), &c->ports, err,
					      sizeof(err));

	if (rc)
		cli_error("%s", err);
	return rc ? -1 : 0;
}

static int opt_port_rule(void *ctx, const char *arg)
{
	return add_port_rules(ctx, false, arg);
}

static int opt_port_rules(void *ctx, const char *arg)
{
	return add_port_rules(ctx, true, arg);
}

static int opt_ringbuf_size(void *ctx, const char *arg)
{
	struct run_ctx *c = ctx;

	if (cli_parse_u64("ringbuf-size", arg, 4096, 1u << 30, &c->ringbuf_size))
		return -1;
	if (c->ringbuf_size & (c->ringbuf_size - 1)) {
		cli_error("--ringbuf-size: %s is not a power of two", arg);
		return -1;
	}
	return 0;
}

static int opt_no_egress(void *ctx, const char *arg)
{
	(void)arg;
	((struct run_ctx *)ctx)->egress = false;
	return 0;
}

static int parse_u32(const char *name, const char *arg, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (cli_parse_u64(name, arg, min, max, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int opt_queues(void *ctx, const char *arg)
{
	return parse_u32("queues", arg, 1, XDPI_TAP_QUEUES_MAX, &((struct run_ctx *)ctx)->xsk.queues);
}

static int opt_umem_frames(void *ctx, const char *arg)
{
	return parse_u32("umem-frames", arg, 64, 1u << 20, &((struct run_ctx *)ctx)->xsk.frames);
}

static const struct cli_opt run_opts[] = {
	CLI_STR("interface", 'i', "IFACE", struct run_ctx, ifname,
		"the interface to attach to (required)"),
	CLI_FN("xdp-mode", 0, "MODE", opt_xdp_mode,
	       "auto (native, else generic), native or generic (default auto)"),
	CLI_FN("no-egress", 0, NULL, opt_no_egress, "attach XDP ingress only"),
	CLI_FN("ringbuf-size", 0, "N", opt_ringbuf_size,
	       "ring buffer bytes, a power of two (default 8388608); the\n"
	       "consumer is woken when a quarter of it waits"),
	CLI_U64("stats-interval", 0, "S", struct run_ctx, stats_interval, 0, 86400,
		"write a stats event every S seconds; 0: only at exit (default 10)"),
	CLI_U64("duration", 0, "S", struct run_ctx, duration, 1, 1u << 30, "stop after S seconds"),
	CLI_FN("block", 0, "FILE", opt_block,
	       "drop packets from (ingress) and to (egress) the CIDRs in FILE:\n"
	       "one per line, '#' and ';' remarks (the Spamhaus DROP format)"),
	CLI_FN("allow", 0, "FILE", opt_allow,
	       "never drop the CIDRs in FILE, even inside a blocked range: the\n"
	       "longest prefix decides. --block/--allow repeat; the Nth list\n"
	       "given is rule id N in the counters"),
	CLI_FN("port-rule", 0, "RULE", opt_port_rule,
	       "'drop tcp/23', 'allow tcp/22 from 198.18.5.0/24',\n"
	       "'drop udp/1900-1901', 'drop icmp from CIDR': drop or allow\n"
	       "incoming packets by protocol, destination port and source\n"
	       "(repeatable; the Nth rule is rule id 1000+N)"),
	CLI_FN("port-rules", 0, "FILE", opt_port_rules, "the same, one rule per line, '#' remarks"),
	CLI_U64("bypass-bytes", 0, "N", struct run_ctx, bypass_bytes, 1, UINT64_MAX,
		"stop copying a flow to user space once it carried N bytes"),
	CLI_FLAG("no-bypass", 0, struct run_ctx, no_bypass,
		 "keep copying flows whose dissector has nothing more to learn\n"
		 "(by default a TLS flow is bypassed after its handshake; a\n"
		 "bypassed flow's record reports what followed in flow.bypassed)"),
	CLI_FLAG("tap", 0, struct run_ctx, tap,
		 "tap mode, for a mirror (SPAN) port: flows go whole to AF_XDP\n"
		 "sockets (one per receive queue; zero-copy where the driver\n"
		 "has it, copy mode otherwise); every other packet is counted\n"
		 "and dropped, the port carrying only a copy. No TC egress."),
	CLI_FN("queues", 0, "N", opt_queues, "receive queues to serve in tap mode (default 1)"),
	CLI_FN("umem-frames", 0, "N", opt_umem_frames, "4 KiB frames per queue's UMEM (default 4096)"),
	CLI_FLAG("xdp-copy", 0, struct run_ctx, xsk.copy_only,
		 "AF_XDP copy mode, without trying zero-copy first"),
	CLI_FLAG("busy-poll", 0, struct run_ctx, xsk.busy_poll,
		 "prefer busy polling on the AF_XDP sockets"),
	CLI_CHECKED("metrics", 0, "ADDR:PORT", struct run_ctx, metrics_listen,
		    xdpi_metrics_check_listen,
	       "serve Prometheus metrics at http://ADDR:PORT/metrics (every\n"
	       "counter, refreshed each second; ':PORT' is 127.0.0.1)"),
	CLI_FLAG("process-context", 0, struct run_ctx, common.observe.process_context,
		 "attach socket hooks (BTF tracepoints) and write the\n"
		 "owning process and container of local flows into their\n"
		 "events (xdpi.process, xdpi.container)"),
	CLI_FLAG("persist", 0, struct run_ctx, persist,
		 "leave the programs and their policy attached when xdpi exits\n"
		 "(pinned under /sys/fs/bpf/xdpi/netns-INODE/IFACE; `xdpi ctl`\n"
		 "still works; traffic is inspected by nobody until xdpi runs\n"
		 "again). Remove with the `rm -r` it prints. Not with --tap."),
	CLI_FLAG("no-pin", 0, struct run_ctx, no_pin,
		 "pin nothing (no bpffs needed; `xdpi ctl` cannot reach it)"),
};

/* What no single option can check: combinations. */
static int check_args(const struct run_ctx *c, int first, int argc, char **argv)
{
	if (first != argc) {
		cli_error("run: unexpected argument '%s' (`xdpi run --help`)", argv[first]);
		return -1;
	}
	if (!c->ifname) {
		cli_error("run: -i IFACE is required (`xdpi run --help`)");
		return -1;
	}
	if (c->persist && (c->tap || c->no_pin)) {
		cli_error("run: --persist cannot go with %s", c->tap ?
			  "--tap: a tap port's program drops every packet it does not hand to "
			  "xdpi, so left behind it would black-hole the port" : "--no-pin");
		return -1;
	}
	return 0;
}

static int parse_args(struct run_ctx *c, int argc, char **argv)
{
	struct cli_command cmd = {
		.name = "run", .synopsis = synopsis, .epilogue = epilogue, .config = true,
		.groups = { CLI_GROUP(run_opts, c), cli_common_group(&c->common),
			    cli_limits_group(&c->limits), cli_detect_group(&c->common.detect),
			    cli_observe_group(&c->common.observe) },
		.ngroups = 5,
	};
	int first, rc = cli_opts_parse(&cmd, argc, argv, &first);

	if (rc)
		return rc;
	if (check_args(c, first, argc, argv))
		return -1;
	if (cmd.check_config) {
		/* the files the options name are read later: read them now too */
		if (cli_detect_load(&c->common.detect, NULL, NULL) ||
		    cli_observe_check(&c->common.observe))
			return -2;
		cli_opts_print_config(&cmd, stdout);
		return 1;
	}
	return 0;
}

static int feed_engine(void *ctx, const struct xdpi_pkt *pkt)
{
	struct run_ctx *c = ctx;

	cli_sink_packet(&c->sink, pkt);
	return 0;
}

static void free_lists(struct run_ctx *c)
{
	xdpi_port_rules_free(&c->ports);
	free(c->port_names);
	for (size_t i = 0; i < c->nlists; i++)
		xdpi_cidr_list_free(&c->lists[i].cidrs);
}

static int install_port_rules(struct run_ctx *c)
{
	int fd4 = xdpi_loader__map_fd(c->loader, XDPI_MAP_PORTS4);
	int fd6 = xdpi_loader__map_fd(c->loader, XDPI_MAP_PORTS6);

	c->port_names = calloc(c->ports.count + 1, sizeof(*c->port_names));
	if (!c->port_names)
		return -1;
	for (size_t i = 0; i < c->ports.count; i++) {
		const struct xdpi_port_rule *r = &c->ports.rules[i];
		int rc = xdpi_port_rule_apply(fd4, fd6, r, (uint32_t)(XDPI_RULE_PORT_FIRST + i), false);

		xdpi_port_rule_format(r, c->port_names[i], sizeof(c->port_names[i]));
		if (rc) {
			xdpi_log_error("port rule '%s': %s%s\n", c->port_names[i], strerror(-rc),
				       rc == -ENOSPC ? " (the port trie is full)" : "");
			return -1;
		}
		fprintf(stderr, "xdpi: rule %zu: %s\n", XDPI_RULE_PORT_FIRST + i, c->port_names[i]);
	}
	return 0;
}

/* Before attaching, so that the policy holds from the first packet. */
static int install_lists(struct run_ctx *c)
{
	struct xdpi_policy_maps maps;
	char err[512];
	struct xdpi_policy_fds fds = xdpi_loader__policy_fds(c->loader);
	int rc = xdpi_policy_tries_open(&fds, &maps);
	size_t total = 0;

	if (rc) {
		xdpi_log_error("opening the policy tries: %s\n", strerror(-rc));
		return -1;
	}
	for (size_t i = 0; i < c->nlists; i++) {
		const struct run_list *l = &c->lists[i];

		if (xdpi_policy_install(&maps, &l->cidrs, l->action, (uint32_t)(i + 1), 0, err,
					sizeof(err))) {
			xdpi_log_error("%s: %s\n", l->path, err);
			xdpi_policy_tries_close(&maps);
			return -1;
		}
		total += l->cidrs.count;
		c->rules[i] = (struct cli_rule){ .source = l->path, .entries = l->cidrs.count,
			.action = l->action == XDPI_POLICY_DROP ? "block" : "allow" };
		fprintf(stderr, "xdpi: rule %zu: %s %zu entries (%zu IPv4, %zu IPv6) from %s\n", i + 1,
			l->action == XDPI_POLICY_DROP ? "block" : "allow", l->cidrs.count, l->cidrs.v4,
			l->cidrs.count - l->cidrs.v4, l->path);
	}
	xdpi_policy_tries_close(&maps);
	if (total >= XDPI_POLICY_CACHE_MIN) {
		rc = xdpi_policy_cache_set(fds.gen, true);
		if (rc)
			xdpi_log_error("turning the verdict cache on: %s\n", strerror(-rc));
		else
			fprintf(stderr, "xdpi: %zu list entries: verdict cache on\n", total);
	}
	return rc ? -1 : install_port_rules(c);
}

/* The defaults of the SYN defence's second half apply only when it is turned on. */
static struct xdpi_limits run_limits(const struct run_ctx *c)
{
	struct cli_limits l = c->limits;
	struct xdpi_limits k = { 0 };

	if (!l.given[CLI_LIMIT_SYN_DST])
		l.given[CLI_LIMIT_SYN_SRC] = l.given[CLI_LIMIT_SYN_BLOCK] = false;
	cli_limits_apply(&l, &k);
	return k;
}

struct offload {
	struct xdpi_policy_maps maps;
	size_t entries;
};

static bool offload_rule(void *ctx, const struct xdpi_rule *r, bool by_source)
{
	struct offload *o = ctx;

	return xdpi_policy_offload_rule(&o->maps, r, by_source, &o->entries) == 0;
}

/* --rules: loaded here, the reputation rules among them into the kernel's tries. */
static int load_rules(struct run_ctx *c)
{
	struct xdpi_policy_fds fds = xdpi_loader__policy_fds(c->loader);
	struct offload o;
	int rc;

	if (!c->common.detect.nfiles)
		return 0;
	if ((rc = xdpi_policy_tries_open(&fds, &o.maps))) {
		xdpi_log_error("opening the policy tries: %s\n", strerror(-rc));
		return -1;
	}
	o.entries = 0;
	rc = cli_detect_load(&c->common.detect, offload_rule, &o);
	xdpi_policy_tries_close(&o.maps);
	if (!rc && o.entries >= XDPI_POLICY_CACHE_MIN && (rc = xdpi_policy_cache_set(fds.gen, true)))
		xdpi_log_error("turning the verdict cache on: %s\n", strerror(-rc));
	return rc ? -1 : 0;
}

static void say_check(const struct xdpi_host_check *r)
{
	static const char *const word[] = { "ok", "set up", "note", "warning", "error" };

	fprintf(stderr, "xdpi: %s: %s: %s%s%s\n", word[r->status], r->name, r->what,
		r->fix[0] ? "; fix: " : "", r->fix);
}

/* What this run needs of the host, checked before anything is loaded: one line each for what
 * is wrong or what xdpi set up itself (every line with -v). */
static int check_host(const struct run_ctx *c)
{
	struct xdpi_host_check r[3];
	size_t n = 0;
	int failed = 0;

	xdpi_host_check_caps(c->tap ? XDPI_CAPS_TAP : XDPI_CAPS_RUN, &r[n++]);
	if (!c->no_pin && r[0].status == XDPI_HOST_OK) /* mount only when the rest can work */
		xdpi_host_check_bpffs(xdpi_host_caps_effective() &
				      XDPI_CAPBIT(XDPI_CAP_SYS_ADMIN), &r[n++]);
	if (c->common.observe.process_context)
		xdpi_host_check_btf(true, &r[n++]);
	for (size_t i = 0; i < n; i++) {
		if (r[i].status != XDPI_HOST_OK || c->common.verbose)
			say_check(&r[i]);
		failed |= r[i].status == XDPI_HOST_FAIL;
	}
	if (failed)
		fprintf(stderr, "xdpi: the host is not ready for `xdpi run` (`xdpi doctor -i %s` "
			"tells more)\n", c->ifname);
	return failed ? -1 : 0;
}

static int setup(struct run_ctx *c)
{
	struct xdpi_loader_cfg lc = {
		.ifname = c->ifname,
		.xdp_mode = c->xdp_mode,
		.egress = c->egress && !c->tap, /* a mirror port sends nothing worth a look */
		.default_steer = c->tap ? XDPI_STEER_FULL : c->common.steer,
		.tap = c->tap,
		.head_pkts = (uint32_t)c->common.head_pkts,
		.snaplen = (uint32_t)c->common.snaplen,
		.max_flows = (uint32_t)c->common.max_flows,
		.ringbuf_bytes = (uint32_t)c->ringbuf_size,
		.ports = c->common.ports,
		.nports = c->common.nports,
		.pin = !c->no_pin,
		.persist = c->persist,
		.limits = run_limits(c),
	};
	struct xdpi_engine_cfg ec = {
		.max_flows = c->common.max_flows,
		.timeouts = c->common.timeouts,
		.wall_offset_ns = cli_wall_offset_ns(),
		.in_iface = c->ifname,
		.kops = &xdpi_loader_kernel_ops,
		.emit = cli_emit,
		.emit_ctx = &c->out,
		.stats_extra = cli_stats_extra,
		.stats_ctx = &c->sources,
		.bypass_done = !c->no_bypass,
		.bypass_bytes = c->bypass_bytes,
	};

	c->loader = xdpi_loader__open(&lc);
	if (!c->loader || install_lists(c) || load_rules(c) || xdpi_loader__attach(c->loader))
		return -1;
	ec.kctx = c->loader;
	ec.detect = c->common.detect.d;
	ec.drop_ttl_ns = c->common.detect.drop_ttl_s * XDPI_NS_PER_SEC;
	ec.anomaly = &c->common.detect.anomaly;
	c->sources.out = &c->out;
	c->sources.observe = &c->common.observe;
	if (cli_observe_open(&c->common.observe, &ec, &c->out, c->metrics_listen != NULL))
		return -1;
	c->rb = !cli_sink_open(&c->sink, &ec, &c->common.detect, (uint32_t)c->common.workers)
			? xdpi_rb__new(xdpi_loader__map_fd(c->loader, XDPI_MAP_EVENTS_RB), feed_engine, c)
			: NULL;
	if (!c->rb) {
		xdpi_log_error("setting up the slow path failed: %s\n", strerror(errno));
		return -1;
	}
	c->sources.rb = c->rb;
	if (c->tap) {
		c->xsk.ifname = c->ifname;
		c->xsk.xsks_map_fd = xdpi_loader__map_fd(c->loader, XDPI_MAP_XSKS);
		if (!(c->afxdp = xdpi_afxdp__new(&c->xsk, feed_engine, c)))
			return -1;
		c->sources.afxdp = c->afxdp;
	}
	c->sources.rules = c->rules;
	c->sources.nrules = c->nlists;
	c->sources.port_rules = c->port_names;
	c->sources.nport_rules = c->ports.count;
	c->sources.rule_stats_fd = xdpi_loader__map_fd(c->loader, XDPI_MAP_RULE_STATS);
	if (c->afxdp) {
		struct xdpi_afxdp_stats st;

		xdpi_afxdp__stats(c->afxdp, &st);
		fprintf(stderr, "xdpi: attached to %s (xdp %s); tap mode: %u AF_XDP socket%s, %s\n",
			c->ifname, xdpi_loader__xdp_mode(c->loader), st.queues,
			st.queues > 1 ? "s" : "", st.zerocopy ? "zero-copy" : "copy mode");
		return 0;
	}
	fprintf(stderr, "xdpi: attached to %s (xdp %s, tc egress %s); steering %s\n", c->ifname,
		xdpi_loader__xdp_mode(c->loader), xdpi_loader__tc_mode(c->loader),
		c->common.steer == XDPI_STEER_HEAD ? "head" :
		c->common.steer == XDPI_STEER_SNIP ? "snip" : "pass");
	return 0;
}

/* The snapshot every scrape gets until the next second. */
static void publish_metrics(struct run_ctx *c)
{
	char *text = NULL;
	size_t len = 0;

	if (!c->metrics)
		return;
	if (!cli_metrics_compose(&c->sink, &c->sources, c->loader, c->common.detect.d, &text, &len))
		xdpi_metrics__publish(c->metrics, XDPI_DOC_METRICS, text, len);
	free(text);
	text = NULL;
	if (!cli_top_compose(c->loader, &text, &len))
		xdpi_metrics__publish(c->metrics, XDPI_DOC_TOP, text, len);
	free(text);
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask); /* no SA_RESTART: poll returns EINTR at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL); /* logrotate: reopen the EVE file */
	signal(SIGPIPE, SIG_IGN);
}

/* Drains the ring buffer every 50 ms (the kernel produces without wake-ups below its
 * threshold) and runs timeouts, flushes and stats once a second. */
static int loop(struct run_ctx *c)
{
	uint64_t start = cli_monotonic_ns(), next_tick = start + XDPI_NS_PER_SEC;
	uint64_t next_stats = start + c->stats_interval * XDPI_NS_PER_SEC, now;
	int n;

	while (!stop_requested) {
		/* the kernel wakes us only past its threshold: drain on our own timer too */
		/* tap mode: the frames arrive on the sockets, drop samples still in the ring */
		n = c->afxdp ? xdpi_afxdp__poll(c->afxdp, 50) : xdpi_rb__poll(c->rb, 50);
		if (n >= 0 || n == -EINTR)
			n = xdpi_rb__consume(c->rb);
		cli_sink_flush(&c->sink);
		if (n < 0 && n != -EINTR) {
			xdpi_log_error("reading the ring buffer failed: %s\n", strerror(-n));
			return -1;
		}
		if (reopen_requested) {
			reopen_requested = 0;
			if (!cli_output_reopen(&c->out))
				fprintf(stderr, "xdpi: SIGHUP: reopened %s\n", c->common.output);
		}
		now = cli_monotonic_ns();
		if (c->duration && now - start >= c->duration * XDPI_NS_PER_SEC)
			break;
		if (now < next_tick)
			continue;
		next_tick = now + XDPI_NS_PER_SEC;
		cli_sink_tick(&c->sink, now);
		cli_observe_tick(&c->common.observe);
		publish_metrics(c);
		if (c->stats_interval && now >= next_stats) {
			cli_sink_stats(&c->sink, now);
			next_stats = now + c->stats_interval * XDPI_NS_PER_SEC;
		}
		if (cli_output_flush(&c->out) == -EPIPE) {
			fprintf(stderr, "xdpi: the reader of the output went away (EPIPE): stopping\n");
			break;
		}
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_ctx c = { .egress = true, .ringbuf_size = XDPI_RINGBUF_DEFAULT,
			     .stats_interval = 10,
			     .limits = { .v = { [CLI_LIMIT_SYN_SRC] = 10, [CLI_LIMIT_SYN_BLOCK] = 60,
						[CLI_LIMIT_SAMPLES] = 100 },
					 .given = { [CLI_LIMIT_SYN_SRC] = true,
						    [CLI_LIMIT_SYN_BLOCK] = true,
						    [CLI_LIMIT_SAMPLES] = true } } };
	int err, rc = 1;

	cli_common_defaults(&c.common);
	err = parse_args(&c, argc, argv);
	if (err) {
		free_lists(&c);
		cli_detect_free(&c.common.detect);
		return err > 0 ? 0 : err == -2 ? 1 : EXIT_USAGE;
	}
	cli_set_verbosity(c.common.verbose);
	install_signals();
	if (check_host(&c) || cli_output_open(&c.out, c.common.output))
		goto out;
	if (c.metrics_listen) { /* before the slow load: a taken port fails at once */
		char why[256];

		if (!(c.metrics = xdpi_metrics__start(c.metrics_listen, why, sizeof(why)))) {
			xdpi_log_error("--metrics %s\n", why);
			goto out;
		}
	}
	if (setup(&c))
		goto out;
	if (c.metrics) {
		publish_metrics(&c);
		fprintf(stderr, "xdpi: metrics at http://%s/metrics\n", c.metrics_listen);
	}
	err = loop(&c);
	if (c.afxdp)
		xdpi_afxdp__consume(c.afxdp);
	xdpi_rb__consume(c.rb);
	cli_sink_tick(&c.sink, cli_monotonic_ns());
	cli_sink_finish(&c.sink, cli_monotonic_ns(), true);
	rc = err ? 1 : 0;
	if (c.persist)
		fprintf(stderr, "xdpi: left attached to %s (--persist); remove with `rm -r %s`\n",
			c.ifname, xdpi_loader__pin_dir(c.loader));
	else
		fprintf(stderr, "xdpi: detached from %s\n", c.ifname);
out:
	xdpi_metrics__stop(c.metrics);
	xdpi_afxdp__free(c.afxdp);
	xdpi_rb__free(c.rb);
	cli_sink_free(&c.sink);
	cli_observe_close(&c.common.observe, &c.out);
	xdpi_loader__free(c.loader);
	if (cli_output_close(&c.out))
		rc = 1; /* events lost: said by cli_output_close */
	free_lists(&c);
	cli_detect_free(&c.common.detect);
	return rc;
}
