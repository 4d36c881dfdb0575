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
#include "xdpi/eve.h"
#include "xdpi/host.h"
#include "xdpi/lb.h"
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
	"  sudo xdpi run -i eth0 --head-budget 32768   # API heads with large JWTs\n"
	"  sudo xdpi run -i eth0 --apps /etc/xdpi/apps.conf --rules risks.rules   # xdpi.risk:tls_weak_cipher;\n"
	"  sudo xdpi run -i eth0 --vxlan-port 8888   # overlay on a custom VXLAN port: inner flows\n"
	"  sudo xdpi run -i eth0 --steer snip --snaplen 512\n"
	"  sudo xdpi run -i veth-app0 --xdp-mode tc   # a container's link: TC, not XDP\n"
	"  sudo xdpi run -i veth0 --snip-port 8080 --duration 60 | jq .event_type\n"
	"  sudo xdpi run -i eth0 --block drop_v4.txt --block drop_v6.txt --allow ours.txt\n"
	"  sudo xdpi run -i eth0 --syn-dst-rate 2000 --icmp-limit 50 --rate-limit 100000\n"
	"  sudo xdpi run -i eth0 --rules '/etc/suricata/rules/*.rules' \\\n"
	"       --rule-var 'HOME_NET=[10.0.0.0/8]' --drop-ttl 600 --anomaly scan_ports=20\n"
	"  sudo xdpi run -i eth0 --tls-plaintext --metrics :9469   # HTTPS APIs, no keys\n"
	"  sudo xdpi run -i eth0 --tls-plaintext --metrics :9469 --llm-prices prices.txt \\\n"
	"       --rules contrib/rules/llm.rules   # LLM calls: tokens, cost, prompt attacks\n"
	"  sudo xdpi run -i eth0 --metrics :9469 --api-routes openapi.yaml \\\n"
	"       --api-alert 'error_ratio > 5% for 1m' --api-webhook http://alerts.internal/hook\n"
	"  sudo xdpi run -i eth0 --lb /etc/xdpi/lb.conf --metrics :9469   # XDP balancer\n"
	"  sudo xdpi run -i eth0 --lb-decap --metrics 0.0.0.0:9469   # on each of its backends\n"
	"  sudo xdpi run -i eth0 --redis redis://127.0.0.1/suricata --ipfix 127.0.0.1:4739 \\\n"
	"       --rules local.rules --pcap-alerts /var/log/xdpi/pcap --pcap-rotate 50\n";

/* The options of a live run: the application's configuration, and the rate limits as given
 * (turned into the kernel's struct when parsing ends). */
struct run_ctx {
	struct xdpi_live_cfg live;
	struct cli_limits limits;
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
	struct xdpi_live_cfg *c = ctx;

	if (!strcmp(arg, "auto"))
		c->xdp_mode = XDPI_XDP_AUTO;
	else if (!strcmp(arg, "native"))
		c->xdp_mode = XDPI_XDP_NATIVE;
	else if (!strcmp(arg, "generic"))
		c->xdp_mode = XDPI_XDP_GENERIC;
	else if (!strcmp(arg, "tc"))
		c->xdp_mode = XDPI_XDP_TC;
	else {
		cli_error("--xdp-mode: '%s' is not one of auto, native, generic, tc", arg);
		return -1;
	}
	return 0;
}

static int add_list(struct xdpi_live_cfg *c, const char *path, uint8_t action)
{
	struct xdpi_live_list *l = &c->lists[c->nlists];
	char err[512];

	if (c->nlists == XDPI_LIVE_LISTS_MAX) {
		cli_error("--%s: at most %d --block/--allow lists", action == XDPI_POLICY_DROP ?
			  "block" : "allow", XDPI_LIVE_LISTS_MAX);
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

static int add_port_rules(struct xdpi_live_cfg *c, bool file, const char *arg)
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
	struct xdpi_live_cfg *c = ctx;

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
	((struct xdpi_live_cfg *)ctx)->no_egress = true;
	return 0;
}

static int opt_policy_outer(void *ctx, const char *arg)
{
	(void)arg;
	((struct xdpi_live_cfg *)ctx)->policy_outer = true;
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
	return parse_u32("queues", arg, 1, XDPI_TAP_QUEUES_MAX, &((struct xdpi_live_cfg *)ctx)->xsk.queues);
}

static int opt_umem_frames(void *ctx, const char *arg)
{
	return parse_u32("umem-frames", arg, 64, 1u << 20, &((struct xdpi_live_cfg *)ctx)->xsk.frames);
}

static int opt_lb(void *ctx, const char *arg)
{
	struct xdpi_live_cfg *c = ctx;
	char err[512];

	if (c->lb) {
		cli_error("--lb: given twice (one file holds every service)");
		return -1;
	}
	c->lb = calloc(1, sizeof(*c->lb));
	if (!c->lb || xdpi_lb_conf_load(arg, c->lb, err, sizeof(err))) {
		cli_error("%s", c->lb ? err : "--lb: out of memory");
		return -1;
	}
	return 0;
}

static const struct cli_opt run_opts[] = {
	CLI_STR("interface", 'i', "IFACE", struct xdpi_live_cfg, ifname,
		"the interface to attach to (required)"),
	CLI_FN("xdp-mode", 0, "MODE", opt_xdp_mode,
	       "auto (native, else generic), native, generic, or tc: no XDP,\n"
	       "the same ingress pipeline at TC ingress (tcx), cheaper on veth\n"
	       "and other links whose packets the stack built (containers),\n"
	       "where native XDP first copies each one (default auto)"),
	CLI_FN("no-egress", 0, NULL, opt_no_egress, "attach XDP ingress only"),
	CLI_FN("ringbuf-size", 0, "N", opt_ringbuf_size,
	       "ring buffer bytes, a power of two (default 8388608); the\n"
	       "consumer is woken when a quarter of it waits"),
	CLI_U64("stats-interval", 0, "S", struct xdpi_live_cfg, stats_interval, 0, 86400,
		"write a stats event every S seconds; 0: only at exit (default 10)"),
	CLI_U64("duration", 0, "S", struct xdpi_live_cfg, duration, 1, 1u << 30, "stop after S seconds"),
	CLI_FN("block", 0, "FILE", opt_block,
	       "drop packets from (ingress) and to (egress) the CIDRs in FILE:\n"
	       "one per line, '#' and ';' remarks (the Spamhaus DROP format)"),
	CLI_FN("allow", 0, "FILE", opt_allow,
	       "never drop the CIDRs in FILE, even inside a blocked range: the\n"
	       "longest prefix decides. --block/--allow repeat; the Nth list\n"
	       "given is rule id N in the counters"),
	CLI_FN("policy-outer", 0, NULL, opt_policy_outer,
	       "block/allow lists and port rules also look at a tunnelled\n"
	       "packet's outer addresses, before its inner ones"),
	CLI_FN("port-rule", 0, "RULE", opt_port_rule,
	       "'drop tcp/23', 'allow tcp/22 from 198.18.5.0/24',\n"
	       "'drop udp/1900-1901', 'drop icmp from CIDR': drop or allow\n"
	       "incoming packets by protocol, destination port and source\n"
	       "(repeatable; the Nth rule is rule id 1000+N)"),
	CLI_FN("port-rules", 0, "FILE", opt_port_rules, "the same, one rule per line, '#' remarks"),
	CLI_U64("bypass-bytes", 0, "N", struct xdpi_live_cfg, bypass_bytes, 1, UINT64_MAX,
		"stop copying a flow to user space once it carried N bytes"),
	CLI_FLAG("no-bypass", 0, struct xdpi_live_cfg, no_bypass,
		 "keep copying flows whose dissector has nothing more to learn\n"
		 "(by default a TLS flow is bypassed after its handshake; a\n"
		 "bypassed flow's record reports what followed in flow.bypassed)"),
	CLI_FLAG("tap", 0, struct xdpi_live_cfg, tap,
		 "tap mode, for a mirror (SPAN) port: flows go whole to AF_XDP\n"
		 "sockets (one per receive queue; zero-copy where the driver\n"
		 "has it, copy mode otherwise); every other packet is counted\n"
		 "and dropped, the port carrying only a copy. No TC egress."),
	CLI_FN("queues", 0, "N", opt_queues, "receive queues to serve in tap mode (default 1)"),
	CLI_FN("umem-frames", 0, "N", opt_umem_frames, "4 KiB frames per queue's UMEM (default 4096)"),
	CLI_FLAG("xdp-copy", 0, struct xdpi_live_cfg, xsk.copy_only,
		 "AF_XDP copy mode, without trying zero-copy first"),
	CLI_FLAG("busy-poll", 0, struct xdpi_live_cfg, xsk.busy_poll,
		 "prefer busy polling on the AF_XDP sockets"),
	CLI_CHECKED("metrics", 0, "ADDR:PORT", struct xdpi_live_cfg, metrics_listen,
		    xdpi_metrics_check_listen,
	       "serve Prometheus metrics at http://ADDR:PORT/metrics (every\n"
	       "counter, refreshed each second; ':PORT' is 127.0.0.1)"),
	CLI_FLAG("process-context", 0, struct xdpi_live_cfg, common.observe.process_context,
		 "attach socket hooks (BTF tracepoints) and write the\n"
		 "owning process and container of local flows into their\n"
		 "events (xdpi.process, xdpi.container)"),
	CLI_FLAG("tls-plaintext", 0, struct xdpi_live_cfg, common.observe.tls_plaintext,
		 "see inside TLS without keys: uprobes on OpenSSL 3 and GnuTLS\n"
		 "(SSL_read/SSL_write and _ex, gnutls_record_recv/send) in\n"
		 "every process, the plaintext parsed as HTTP/1.1, HTTP/2 and\n"
		 "gRPC on the TLS flow (http events with xdpi.plaintext, API\n"
		 "metrics, HTTP rules); losses in stats tls_plaintext"),
	CLI_U64("tls-plaintext-bytes", 0, "N", struct xdpi_live_cfg,
		common.observe.tls_plaintext_bytes, 64, 16384,
		"the most of one TLS call copied (default 4096: heads and gRPC\n"
		"frames fit; the rest is counted as truncated_bytes)"),
	CLI_FLAG("persist", 0, struct xdpi_live_cfg, persist,
		 "leave the programs and their policy attached when xdpi exits\n"
		 "(pinned under /sys/fs/bpf/xdpi/netns-INODE/IFACE; `xdpi ctl`\n"
		 "still works; traffic is inspected by nobody until xdpi runs\n"
		 "again). Remove with the `rm -r` it prints. Not with --tap."),
	CLI_FLAG("no-pin", 0, struct xdpi_live_cfg, no_pin,
		 "pin nothing (no bpffs needed; `xdpi ctl` cannot reach it)"),
	CLI_FN("lb", 0, "FILE", opt_lb,
	       "balance the virtual services of FILE over their backends in\n"
	       "XDP (Maglev, IP-in-IP, direct server return), with health\n"
	       "checks; change backends live with `xdpi ctl lb-...` (README,\n"
	       "\"The balancer\")"),
	CLI_FLAG("lb-decap", 0, struct xdpi_live_cfg, lb_decap,
		 "a balancer's backend: unwrap IP-in-IP packets arriving on\n"
		 "IFACE in XDP, before anything reads them (no ipip device)"),
};

/* What no single option can check: combinations. */
static int check_args(const struct xdpi_live_cfg *c, int first, int argc, char **argv)
{
	if (first != argc) {
		cli_error("run: unexpected argument '%s' (`xdpi run --help`)", argv[first]);
		return -1;
	}
	if (!c->ifname) {
		cli_error("run: -i IFACE is required (`xdpi run --help`)");
		return -1;
	}
	if (c->lb && (c->tap || c->persist || c->no_egress || c->common.workers > 1)) {
		cli_error("run: --lb cannot go with %s", c->tap ? "--tap (a copy of traffic)" :
			  c->persist ? "--persist: its health checks and tables need the daemon" :
			  c->no_egress ? "--no-egress: health checks leave through TC egress" :
			  "--workers above 1 (its events share the output with the engine's)");
		return -1;
	}
	if (c->xdp_mode == XDPI_XDP_TC && (c->tap || c->lb || c->lb_decap)) {
		cli_error("run: --xdp-mode tc cannot go with %s: it needs XDP", c->tap ? "--tap" :
			  c->lb ? "--lb" : "--lb-decap");
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
	struct xdpi_live_cfg *live = &c->live;
	struct cli_command cmd = {
		.name = "run", .synopsis = synopsis, .epilogue = epilogue, .config = true,
		.groups = { CLI_GROUP(run_opts, live), cli_common_group(&live->common),
			    cli_limits_group(&c->limits), cli_detect_group(&live->common.rules),
			    cli_observe_group(&live->common.observe) },
		.ngroups = 5,
	};
	int first, rc = cli_opts_parse(&cmd, argc, argv, &first);

	if (rc)
		return rc;
	if (check_args(live, first, argc, argv))
		return -1;
	if (cmd.check_config) {
		/* the files the options name are read later: read them now too */
		if (xdpi_app_rules_load(&live->common.rules, NULL, NULL) ||
		    xdpi_app_observe_check(&live->common.observe))
			return -2;
		cli_opts_print_config(&cmd, stdout);
		return 1;
	}
	return 0;
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

static void say_check(const struct xdpi_host_check *r)
{
	static const char *const word[] = { "ok", "set up", "note", "warning", "error" };

	fprintf(stderr, "xdpi: %s: %s: %s%s%s\n", word[r->status], r->name, r->what,
		r->fix[0] ? "; fix: " : "", r->fix);
}

/* What this run needs of the host, checked before anything is loaded: one line each for what
 * is wrong or what xdpi set up itself (every line with -v). */
static int check_host(const struct xdpi_live_cfg *c)
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

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask); /* no SA_RESTART: poll returns EINTR at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL); /* logrotate: reopen the EVE file */
	signal(SIGPIPE, SIG_IGN);
}

static void say_attached(const struct xdpi_live_cfg *c, const struct xdpi_live *l)
{
	uint32_t queues;
	bool zerocopy;

	if (c->tap) {
		xdpi_live__afxdp(l, &queues, &zerocopy);
		fprintf(stderr, "xdpi: attached to %s (xdp %s); tap mode: %u AF_XDP socket%s, %s\n",
			c->ifname, xdpi_live__xdp_mode(l), queues, queues > 1 ? "s" : "",
			zerocopy ? "zero-copy" : "copy mode");
	} else {
		fprintf(stderr, "xdpi: attached to %s (xdp %s, tc egress %s); steering %s\n",
			c->ifname, xdpi_live__xdp_mode(l), xdpi_live__tc_mode(l),
			xdpi_steer_name(c->common.steer));
	}
	if (c->metrics_listen)
		fprintf(stderr, "xdpi: metrics at http://%s/metrics\n", c->metrics_listen);
}

int cmd_run(int argc, char **argv)
{
	struct run_ctx c = {
		.live = { .ringbuf_size = XDPI_RINGBUF_DEFAULT, .stats_interval = 10 },
		.limits = { .v = { [CLI_LIMIT_SYN_SRC] = 10, [CLI_LIMIT_SYN_BLOCK] = 60,
				   [CLI_LIMIT_SAMPLES] = 100 },
			    .given = { [CLI_LIMIT_SYN_SRC] = true, [CLI_LIMIT_SYN_BLOCK] = true,
				       [CLI_LIMIT_SAMPLES] = true } },
	};
	struct xdpi_live *l = NULL;
	int err, rc = 1;

	xdpi_app_defaults(&c.live.common);
	err = parse_args(&c, argc, argv);
	if (err) {
		xdpi_live_cfg_free(&c.live);
		xdpi_app_rules_free(&c.live.common.rules);
		return err > 0 ? 0 : err == -2 ? 1 : EXIT_USAGE;
	}
	cli_set_verbosity(c.live.common.verbose);
	install_signals();
	c.live.limits = run_limits(&c);
	if (check_host(&c.live) || !(l = xdpi_live__open(&c.live)))
		goto out;
	say_attached(&c.live, l);
	rc = xdpi_live__run(l, &stop_requested, &reopen_requested) ? 1 : 0;
	if (c.live.persist)
		fprintf(stderr, "xdpi: left attached to %s (--persist); remove with `rm -r %s`\n",
			c.live.ifname, xdpi_live__pin_dir(l));
	else
		fprintf(stderr, "xdpi: detached from %s\n", c.live.ifname);
out:
	if (xdpi_live__free(l))
		rc = 1; /* events lost: said by the output */
	if (!l)
		xdpi_app_rules_free(&c.live.common.rules);
	xdpi_live_cfg_free(&c.live);
	return rc;
}
