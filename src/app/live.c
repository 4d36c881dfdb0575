// SPDX-License-Identifier: GPL-2.0
/* A live interface through the pipeline: the fast path loaded, its policy (lists, port
 * rules, reputation rules) installed before it attaches, the ring buffer (or, in tap mode,
 * the AF_XDP sockets) as the source, the engine or workers, the outputs; a loop that drains
 * on a timer, ticks once a second, writes stats, publishes the metrics. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app_int.h"
#include "shared/xdpi_abi.h"
#include "xdpi/lb.h"
#include "xdpi/log.h"
#include "xdpi/metrics.h"
#include "xdpi/policy.h"

struct xdpi_live {
	struct xdpi_live_cfg *c;
	struct xdpi_loader *loader;
	struct xdpi_outputs outputs;
	struct xdpi_app_report report;
	struct xdpi_app_rule rules[XDPI_LIVE_LISTS_MAX];
	char (*port_names)[96];
	struct xdpi_sink sink;
	const struct xdpi_source_ops *src_ops[2]; /* [0] what is polled, [1] the ring in tap mode */
	void *src[2];
	struct xdpi_metrics *metrics;
	struct xdpi_lb *lb;
};

void xdpi_live_cfg_free(struct xdpi_live_cfg *c)
{
	xdpi_port_rules_free(&c->ports);
	free(c->lb);
	c->lb = NULL;
	for (size_t i = 0; i < c->nlists; i++)
		xdpi_cidr_list_free(&c->lists[i].cidrs);
	c->nlists = 0;
}

static int to_sink(void *ctx, const struct xdpi_pkt *pkt)
{
	return xdpi_sink_packet(&((struct xdpi_live *)ctx)->sink, pkt);
}

/* A TLS library's plaintext record (the header, then its bytes, one block in the ring): to
 * the engine as what it is, not a packet. */
static void plain_to_sink(void *ctx, const struct xdpi_plain_hdr *h, const uint8_t *data)
{
	struct xdpi_pkt pkt = { .data = (const uint8_t *)h, .ts_ns = h->ts_ns, .plaintext = true };

	(void)data; /* right after the header */
	pkt.cap_len = pkt.orig_len = (uint32_t)sizeof(*h) + h->copied;
	xdpi_sink_packet(&((struct xdpi_live *)ctx)->sink, &pkt);
}

static int install_port_rules(struct xdpi_live *l)
{
	const struct xdpi_port_rules *ports = &l->c->ports;
	int fd4 = xdpi_loader__map_fd(l->loader, XDPI_MAP_PORTS4);
	int fd6 = xdpi_loader__map_fd(l->loader, XDPI_MAP_PORTS6);
	int gen = xdpi_loader__map_fd(l->loader, XDPI_MAP_POLICY_GEN);

	l->port_names = calloc(ports->count + 1, sizeof(*l->port_names));
	if (!l->port_names)
		return -1;
	for (size_t i = 0; i < ports->count; i++) {
		const struct xdpi_port_rule *r = &ports->rules[i];
		int rc = xdpi_port_rule_apply(fd4, fd6, gen, r, (uint32_t)(XDPI_RULE_PORT_FIRST + i), false);

		xdpi_port_rule_format(r, l->port_names[i], sizeof(l->port_names[i]));
		if (rc) {
			xdpi_log_error("port rule '%s': %s%s\n", l->port_names[i], strerror(-rc),
				       rc == -ENOSPC ? " (the port trie is full)" : "");
			return -1;
		}
		xdpi_log_note("rule %zu: %s\n", XDPI_RULE_PORT_FIRST + i, l->port_names[i]);
	}
	return 0;
}

/* Before attaching, so that the policy holds from the first packet. */
static int install_lists(struct xdpi_live *l)
{
	struct xdpi_policy_fds fds = xdpi_loader__policy_fds(l->loader);
	struct xdpi_policy_maps maps;
	size_t total = 0;
	char err[512];
	int rc = xdpi_policy_tries_open(&fds, &maps);

	if (rc) {
		xdpi_log_error("opening the policy tries: %s\n", strerror(-rc));
		return -1;
	}
	for (size_t i = 0; i < l->c->nlists; i++) {
		const struct xdpi_live_list *ls = &l->c->lists[i];
		const char *action = ls->action == XDPI_POLICY_DROP ? "block" : "allow";

		if (xdpi_policy_install(&maps, &ls->cidrs, ls->action, (uint32_t)(i + 1), 0, err,
					sizeof(err))) {
			xdpi_log_error("%s: %s\n", ls->path, err);
			xdpi_policy_tries_close(&maps);
			return -1;
		}
		total += ls->cidrs.count;
		l->rules[i] = (struct xdpi_app_rule){ .source = ls->path, .action = action,
						      .entries = ls->cidrs.count };
		xdpi_log_note("rule %zu: %s %zu entries (%zu IPv4, %zu IPv6) from %s\n", i + 1,
			      action, ls->cidrs.count, ls->cidrs.v4, ls->cidrs.count - ls->cidrs.v4,
			      ls->path);
	}
	xdpi_policy_tries_close(&maps);
	if (total >= XDPI_POLICY_CACHE_MIN) {
		if ((rc = xdpi_policy_cache_set(fds.gen, true)))
			xdpi_log_error("turning the verdict cache on: %s\n", strerror(-rc));
		else
			xdpi_log_note("%zu list entries: verdict cache on\n", total);
	}
	return rc ? -1 : install_port_rules(l);
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
static int load_rules(struct xdpi_live *l)
{
	struct xdpi_policy_fds fds = xdpi_loader__policy_fds(l->loader);
	struct xdpi_app_rules *r = &l->c->common.rules;
	struct offload o = { .entries = 0 };
	int rc;

	if (!r->nfiles)
		return 0;
	if ((rc = xdpi_policy_tries_open(&fds, &o.maps))) {
		xdpi_log_error("opening the policy tries: %s\n", strerror(-rc));
		return -1;
	}
	rc = xdpi_app_rules_load(r, offload_rule, &o);
	xdpi_policy_tries_close(&o.maps);
	if (!rc && o.entries >= XDPI_POLICY_CACHE_MIN && (rc = xdpi_policy_cache_set(fds.gen, true)))
		xdpi_log_error("turning the verdict cache on: %s\n", strerror(-rc));
	return rc ? -1 : 0;
}

static int load_fast_path(struct xdpi_live *l)
{
	struct xdpi_live_cfg *c = l->c;
	struct xdpi_loader_cfg lc = {
		.ifname = c->ifname,
		.xdp_mode = c->xdp_mode,
		.egress = !c->no_egress && !c->tap, /* a mirror port sends nothing worth a look */
		.default_steer = c->tap ? XDPI_STEER_FULL : c->common.steer,
		.tap = c->tap,
		.head_pkts = (uint32_t)c->common.head_pkts,
		.snaplen = (uint32_t)c->common.snaplen,
		.tun_ignore = c->common.decode.tun_ignore,
		.policy_outer = c->policy_outer,
		.vxlan_port = c->common.decode.vxlan_port,
		.max_flows = (uint32_t)c->common.max_flows,
		.ringbuf_bytes = (uint32_t)c->ringbuf_size,
		.ports = c->common.ports,
		.nports = c->common.nports,
		.pin = !c->no_pin,
		.persist = c->persist,
		.limits = c->limits,
		.lb_conns = c->lb ? c->lb->conns : 0,
		.lb_decap = c->lb_decap,
	};

	char err[512];

	l->loader = xdpi_loader__open(&lc, err, sizeof(err));
	if (!l->loader || install_lists(l) || load_rules(l))
		goto fail;
	if (!xdpi_loader__attach(l->loader, err, sizeof(err)))
		return 0;
fail:
	if (!l->loader || err[0])
		xdpi_log_error("%s\n", err);
	return -1;
}

/* Tap mode: the ring, ahead of each batch of AF_XDP frames (see xdpi_source_cfg.ahead). */
static void ring_ahead(void *ctx)
{
	struct xdpi_live *l = ctx;

	if (l->src[1])
		l->src_ops[1]->drain(l->src[1]);
}

/* The ring buffer always (drop samples and renewed flows' old counts come through it in tap
 * mode too); in tap mode the AF_XDP sockets are the source polled. */
static int open_sources(struct xdpi_live *l)
{
	struct xdpi_source_cfg sc = {
		.deliver = to_sink, .ctx = l, .ahead = ring_ahead,
		.ringbuf_fd = xdpi_loader__map_fd(l->loader, XDPI_MAP_EVENTS_RB),
		.afxdp = &l->c->xsk,
	};
	char err[512];
	int ring = l->c->tap ? 1 : 0;

	l->c->xsk.ifname = l->c->ifname;
	l->c->xsk.xsks_map_fd = xdpi_loader__map_fd(l->loader, XDPI_MAP_XSKS);
	l->src_ops[ring] = xdpi_source_find("ringbuf");
	if (l->c->tap)
		l->src_ops[0] = xdpi_source_find("afxdp");
	for (int i = 0; i < 2; i++) {
		if (!l->src_ops[i])
			continue;
		if (!(l->src[i] = l->src_ops[i]->open(&sc, err, sizeof(err)))) {
			xdpi_log_error("%s\n", err);
			return -1;
		}
		l->report.sources[i] = l->src[i];
		l->report.source_ops[i] = l->src_ops[i];
	}
	return 0;
}

static int open_pipeline(struct xdpi_live *l)
{
	struct xdpi_app_common *cm = &l->c->common;
	struct xdpi_engine_cfg ec = {
		.max_flows = cm->max_flows,
		.timeouts = cm->timeouts,
		.wall_offset_ns = cm->observe.out.wall_offset_ns,
		.in_iface = l->c->ifname,
		.kops = &xdpi_loader_kernel_ops,
		.msg_head_budget = (uint32_t)cm->head_budget,
		.kctx = l->loader,
		.tls_plaintext = cm->observe.tls_plaintext,
		.emit = xdpi_outputs_event,
		.emit_ctx = &l->outputs,
		.stats_extra = xdpi_app_stats_extra,
		.stats_ctx = &l->report,
		.bypass_done = !l->c->no_bypass,
		.bypass_bytes = l->c->bypass_bytes,
		.detect = cm->rules.d,
		.drop_ttl_ns = cm->rules.drop_ttl_s * XDPI_NS_PER_SEC,
		.anomaly = &cm->rules.anomaly,
	};

	l->report = (struct xdpi_app_report){
		.outputs = &l->outputs, .observe = &cm->observe, .rules = l->rules,
		.nrules = l->c->nlists, .port_rules = l->port_names,
		.nport_rules = l->c->ports.count,
		.rule_stats = xdpi_loader__rule_stats(l->loader),
	};
	if (xdpi_app_observe_open(&cm->observe, &l->outputs, &ec, l->c->metrics_listen != NULL) ||
	    xdpi_sink_open(&l->sink, &ec, &cm->rules, (uint32_t)cm->workers, XDPI_SINK_LIVE) ||
	    xdpi_app_observe_open_plaintext(&cm->observe, plain_to_sink, l))
		return -1;
	ec.stats_ctx = &l->report;
	return open_sources(l);
}

/* --lb: the services and backends into the maps, the tables built, the health checks
 * started; its events go to the outputs, its metrics beside the others. */
static int open_balancer(struct xdpi_live *l)
{
	struct xdpi_lb_maps m = {
		.vips = xdpi_loader__map_fd(l->loader, XDPI_MAP_LB_VIPS),
		.rings = xdpi_loader__map_fd(l->loader, XDPI_MAP_LB_RINGS),
		.backends = xdpi_loader__map_fd(l->loader, XDPI_MAP_LB_BACKENDS),
		.cfg = xdpi_loader__map_fd(l->loader, XDPI_MAP_LB_CFG),
		.svc_stats = xdpi_loader__map_fd(l->loader, XDPI_MAP_LB_SVC_STATS),
		.backend_stats = xdpi_loader__map_fd(l->loader, XDPI_MAP_LB_BACKEND_STATS),
	};
	char err[256];

	if (!l->c->lb)
		return 0;
	if (xdpi_lb_host_check(l->c->lb, l->c->ifname, err, sizeof(err))) {
		xdpi_log_error("--lb: %s\n", err);
		return -1;
	}
	l->lb = xdpi_lb__open(l->c->lb, &m, xdpi_app_monotonic_ns(),
			      l->c->common.observe.out.wall_offset_ns, xdpi_outputs_event,
			      &l->outputs, err, sizeof(err));
	if (!l->lb) {
		xdpi_log_error("--lb: %s\n", err);
		return -1;
	}
	l->report.lb = l->lb;
	return 0;
}

struct xdpi_live *xdpi_live__open(struct xdpi_live_cfg *c)
{
	struct xdpi_live *l = calloc(1, sizeof(*l));
	struct xdpi_output_cfg *out = &c->common.observe.out;
	char why[256];

	if (!l)
		return NULL;
	l->c = c;
	out->wall_offset_ns = xdpi_app_wall_offset_ns();
	xdpi_decode_set_opts(&c->common.decode); /* user space reads tunnels as the kernel */
	out->pcap_rotate_bytes = c->common.observe.pcap_rotate_mb << 20;
	out->pcap_keep = (uint32_t)c->common.observe.pcap_keep;
	/* the metrics port before the slow load: a taken port fails at once */
	if (c->metrics_listen && !(l->metrics = xdpi_metrics__start(c->metrics_listen, why,
								     sizeof(why)))) {
		xdpi_log_error("--metrics %s\n", why);
		goto fail;
	}
	if (xdpi_outputs_open(&l->outputs, out) || load_fast_path(l) || open_pipeline(l) ||
	    open_balancer(l))
		goto fail;
	return l;
fail:
	xdpi_live__free(l);
	return NULL;
}

/* The snapshot every scrape gets until the next second. */
static void publish_metrics(struct xdpi_live *l)
{
	char *text = NULL;
	size_t len = 0;

	if (!l->metrics)
		return;
	if (!xdpi_app_metrics_compose(&l->sink, &l->report, l->loader, l->c->common.rules.d, &text,
				      &len))
		xdpi_metrics__publish(l->metrics, XDPI_DOC_METRICS, text, len);
	free(text);
	text = NULL;
	if (!xdpi_app_top_compose(l->loader, &text, &len))
		xdpi_metrics__publish(l->metrics, XDPI_DOC_TOP, text, len);
	free(text);
}

static int drain(struct xdpi_live *l)
{
	int n = 0;

	for (int i = 0; i < 2; i++)
		if (l->src[i])
			n += l->src_ops[i]->drain(l->src[i]);
	return n;
}

/* While records come, the next wait is short (1 ms): the kernel wakes this reader at most once
 * per cfg_wake_gap_ns for the records that ask for it, so a record that came in a gap is read
 * within a millisecond, not at the idle wait's end. Idle, it drains every 50 ms (the kernel
 * produces without wake-ups below its threshold). Runs timeouts, flushes, stats and the
 * metrics snapshot once a second. */
#define LIVE_WAIT_BUSY_MS 1
#define LIVE_WAIT_IDLE_MS 50

int xdpi_live__run(struct xdpi_live *l, volatile sig_atomic_t *stop,
		   volatile sig_atomic_t *reopen)
{
	uint64_t start = xdpi_app_monotonic_ns(), next_tick = start + XDPI_NS_PER_SEC, now;
	uint64_t next_stats = start + l->c->stats_interval * XDPI_NS_PER_SEC;
	int n = 0;

	publish_metrics(l);
	while (!*stop) {
		n = l->src_ops[0]->poll(l->src[0], n > 0 ? LIVE_WAIT_BUSY_MS : LIVE_WAIT_IDLE_MS);
		if (l->src[1])
			l->src_ops[1]->drain(l->src[1]); /* tap mode: the drop samples */
		if (l->c->common.observe.tls_plain)
			xdpi_tls_plain__drain(l->c->common.observe.tls_plain,
					      xdpi_app_monotonic_ns());
		xdpi_sink_flush(&l->sink);
		if (l->lb)
			xdpi_lb__tick(l->lb, xdpi_app_monotonic_ns());
		if (n < 0 && n != -EINTR) {
			xdpi_log_error("reading the %s failed: %s\n", l->src_ops[0]->name,
				       strerror(-n));
			return -1;
		}
		if (*reopen) {
			*reopen = 0;
			xdpi_outputs_reopen(&l->outputs);
			xdpi_log_note("SIGHUP: reopened %s\n", l->c->common.observe.out.eve);
		}
		now = xdpi_app_monotonic_ns();
		if (l->c->duration && now - start >= l->c->duration * XDPI_NS_PER_SEC)
			break;
		if (now < next_tick)
			continue;
		next_tick = now + XDPI_NS_PER_SEC;
		xdpi_sink_tick(&l->sink, now);
		publish_metrics(l);
		if (l->c->stats_interval && now >= next_stats) {
			xdpi_sink_stats(&l->sink, now);
			next_stats = now + l->c->stats_interval * XDPI_NS_PER_SEC;
		}
		if (xdpi_outputs_tick(&l->outputs) == -EPIPE) {
			xdpi_log_note("the reader of the output went away (EPIPE): stopping\n");
			break;
		}
	}
	/* nothing new reaches the rings now: what the last drain takes and the kernel's counters
	 * read for the last stats agree (a frame redirected in between would be neither) */
	xdpi_loader__quiesce(l->loader);
	drain(l);
	xdpi_sink_tick(&l->sink, xdpi_app_monotonic_ns());
	xdpi_sink_finish(&l->sink, xdpi_app_monotonic_ns(), true);
	return 0;
}

int xdpi_live__free(struct xdpi_live *l)
{
	uint64_t lost;

	if (!l)
		return 0;
	xdpi_metrics__stop(l->metrics);
	xdpi_lb__free(l->lb);
	for (int i = 0; i < 2; i++)
		if (l->src[i])
			l->src_ops[i]->close(l->src[i]);
	xdpi_sink_free(&l->sink);
	xdpi_app_observe_close(&l->c->common.observe);
	xdpi_loader__free(l->loader);
	lost = xdpi_outputs_close(&l->outputs);
	xdpi_app_rules_free(&l->c->common.rules);
	free(l->port_names);
	free(l);
	return lost ? 1 : 0;
}

const char *xdpi_live__xdp_mode(const struct xdpi_live *l)
{
	return xdpi_loader__xdp_mode(l->loader);
}

const char *xdpi_live__tc_mode(const struct xdpi_live *l)
{
	return xdpi_loader__tc_mode(l->loader);
}

const char *xdpi_live__pin_dir(const struct xdpi_live *l)
{
	return xdpi_loader__pin_dir(l->loader);
}

void xdpi_live__afxdp(const struct xdpi_live *l, uint32_t *queues, bool *zerocopy)
{
	struct xdpi_afxdp_stats st = { 0 };

	if (l->c->tap && l->src[0])
		xdpi_afxdp__stats(l->src[0], &st);
	*queues = (uint32_t)st.queues;
	*zerocopy = st.zerocopy;
}
