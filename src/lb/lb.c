// SPDX-License-Identifier: GPL-2.0
/* The balancer's controller, run from the daemon's loop (never blocking it): backends' health
 * from three sources, each with its own hysteresis, and each service's Maglev table rebuilt and
 * swapped when the set of backends that should take new connections changes.
 *
 *  - active: a TCP connect or an HTTP GET to the VIP, marked so that TC egress wraps it for one
 *    backend (lb_tc_encap): it takes the clients' path, so a backend without the VIP fails it.
 *    FALL failures in a row take the backend out, RISE successes bring it back.
 *  - passive: the XDP program counts, per backend, new connections and SYNs retried on
 *    connections it already sent there; a retried share of RATIO or more over a window ejects.
 *  - layer 7: the backend's own xdpi agent's /metrics (xdpi_api_requests_total by status
 *    class): a server-error share of RATIO or more ejects. With direct server return the
 *    balancer never sees a reply; the agent on the backend does.
 * Ejections by passive and layer-7 signals last EJECT, doubling with each ejection in a row (at
 * most 8x), then the backend is readmitted on trial. Weight 0 (draining) takes no new
 * connections; established ones keep their backend. When every weighted backend of a service
 * is unhealthy, the table keeps them all (panic: failing open beats refusing everyone). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpi/curl_dl.h"
#include "xdpi/eve.h"
#include "xdpi/json.h"
#include "xdpi/lb.h"
#include "xdpi/stats.h"

#define READ_EVERY_NS (100 * 1000000ull) /* the backends map and counters */
#define SAMPLES 32
#define BODY_MAX (4u << 20)
#define MS 1000000ull

/* Cumulative counters sampled over time: the change over the last window. */
struct series {
	uint64_t t[SAMPLES], total[SAMPLES], bad[SAMPLES];
	uint32_t n, head;
};

struct outlier_state {
	struct series s;
	uint64_t until;    /* ejected until (0: not ejected) */
	uint64_t admitted; /* readmitted at */
	uint32_t streak;
};

enum probe_kind { PROBE_ACTIVE, PROBE_METRICS };

struct probe {
	CURL *easy;
	enum probe_kind kind;
	uint32_t id;
	char *body;
	size_t len;
	bool busy;
	uint64_t next;
};

struct backend {
	struct xdpi_lb_backend k; /* as last read (weight, state: xdpi ctl's) */
	char text[48];
	uint8_t health;            /* XDPI_LB_HEALTH_* bits failing */
	uint32_t ok_run, fail_run;
	struct probe active, metrics;
	struct outlier_state passive, l7;
	char why[128];             /* the last failure, for events */
};

struct service {
	struct xdpi_lb_member applied[XDPI_LB_BACKENDS_MAX];
	uint32_t napplied;
	bool built, panic;
};

struct xdpi_lb {
	struct xdpi_lb_conf c;
	struct xdpi_lb_maps m;
	int64_t wall_offset;
	xdpi_lb_emit_fn emit;
	void *emit_ctx;
	CURLM *multi;
	uint64_t next_read;
	uint32_t *table;
	uint64_t swaps, swap_errors, events;
	bool dirty[XDPI_LB_SERVICES_MAX]; /* a service whose table may have to change */
	struct backend b[XDPI_LB_BACKENDS_MAX];
	struct service s[XDPI_LB_SERVICES_MAX];
	struct xdpi_lb_member members[XDPI_LB_BACKENDS_MAX];
	uint32_t read_keys[XDPI_LB_BACKENDS_MAX]; /* one batch read of lb_backends */
	struct xdpi_lb_backend read_vals[XDPI_LB_BACKENDS_MAX];
};

static const char *const source_name[] = { "active", "passive", "l7" };

/* ---- events ---- */

static void event_begin(struct xdpi_lb *lb, struct xdpi_json *j, uint64_t now, const char *what,
			uint32_t svc)
{
	char ts[64], vip[80];

	xdpi_eve_time(ts, sizeof(ts), now + (uint64_t)lb->wall_offset);
	xdpi_lb_vip_format(&lb->c.services[svc].vip, vip, sizeof(vip));
	xdpi_json_init(j);
	xdpi_json_obj_open(j, NULL);
	xdpi_json_str(j, "timestamp", ts);
	xdpi_json_str(j, "event_type", "lb");
	xdpi_json_obj_open(j, "xdpi");
	xdpi_json_obj_open(j, "lb");
	xdpi_json_str(j, "event", what);
	xdpi_json_str(j, "service", lb->c.services[svc].name);
	xdpi_json_str(j, "vip", vip);
}

static void event_end(struct xdpi_lb *lb, struct xdpi_json *j)
{
	xdpi_json_obj_close(j);
	xdpi_json_obj_close(j);
	xdpi_json_obj_close(j);
	if (lb->emit)
		lb->emit(lb->emit_ctx, j->buf, j->len);
	lb->events++;
	xdpi_json_free(j);
}

static void put_health(struct xdpi_json *j, uint8_t health)
{
	xdpi_json_arr_open(j, "failing");
	for (int i = 0; i < 3; i++)
		if (health & (1u << i))
			xdpi_json_str(j, NULL, source_name[i]);
	xdpi_json_arr_close(j);
}

/* A backend's health or configuration changed: WHAT, by SOURCE (NULL: xdpi ctl). */
static void backend_event(struct xdpi_lb *lb, uint32_t id, uint64_t now, const char *what,
			  const char *source)
{
	struct backend *b = &lb->b[id];
	struct xdpi_json j;

	event_begin(lb, &j, now, what, b->k.service);
	xdpi_json_str(&j, "backend", b->text);
	xdpi_json_u64(&j, "backend_id", id);
	if (source)
		xdpi_json_str(&j, "source", source);
	if (source && b->why[0])
		xdpi_json_str(&j, "reason", b->why);
	xdpi_json_u64(&j, "weight", b->k.weight);
	put_health(&j, b->health);
	event_end(lb, &j);
}

static void table_event(struct xdpi_lb *lb, uint32_t svc, uint64_t now, const uint32_t *table)
{
	const struct service *s = &lb->s[svc];
	struct xdpi_json j;

	event_begin(lb, &j, now, "table", svc);
	xdpi_json_bool(&j, "panic", s->panic);
	xdpi_json_arr_open(&j, "backends");
	for (uint32_t i = 0; i < s->napplied; i++) {
		uint32_t slots = 0;

		for (uint32_t k = 0; k < XDPI_LB_RING_SIZE; k++)
			slots += table[k] == s->applied[i].id;
		xdpi_json_obj_open(&j, NULL);
		xdpi_json_str(&j, "backend", lb->b[s->applied[i].id].text);
		xdpi_json_u64(&j, "weight", s->applied[i].weight);
		xdpi_json_u64(&j, "slots", slots);
		xdpi_json_obj_close(&j);
	}
	xdpi_json_arr_close(&j);
	event_end(lb, &j);
}

/* ---- health: setting and clearing one source's bit ---- */

static void set_health(struct xdpi_lb *lb, uint32_t id, uint8_t bit, bool failing, uint64_t now)
{
	struct backend *b = &lb->b[id];
	uint8_t was = b->health;
	struct xdpi_lb_backend v;

	b->health = failing ? was | bit : was & ~bit;
	if (b->health == was)
		return;
	lb->dirty[b->k.service] = true;
	backend_event(lb, id, now, failing ? "backend_down" : "backend_up",
		      source_name[__builtin_ctz(bit)]);
	if (!bpf_map_lookup_elem(lb->m.backends, &id, &v) && v.state == XDPI_LB_CONFIGURED) {
		v.health = b->health; /* for xdpi ctl lb to show */
		bpf_map_update_elem(lb->m.backends, &id, &v, BPF_ANY);
	}
}

/* ---- sampled counters ---- */

static void series_push(struct series *s, uint64_t now, uint64_t total, uint64_t bad,
			uint32_t window_ms)
{
	uint32_t last = (s->head + SAMPLES - 1) % SAMPLES;

	if (s->n && now - s->t[last] < (uint64_t)window_ms * MS / (SAMPLES / 2))
		return; /* dense enough */
	s->t[s->head] = now;
	s->total[s->head] = total;
	s->bad[s->head] = bad;
	s->head = (s->head + 1) % SAMPLES;
	if (s->n < SAMPLES)
		s->n++;
}

/* The change from the newest sample at least a window old (else the oldest) to the newest. */
static void series_delta(const struct series *s, uint64_t now, uint32_t window_ms,
			 uint64_t *total, uint64_t *bad)
{
	uint32_t newest = (s->head + SAMPLES - 1) % SAMPLES, base = newest;

	*total = *bad = 0;
	if (s->n < 2)
		return;
	for (uint32_t k = 1; k < s->n; k++) {
		base = (newest + SAMPLES - k) % SAMPLES;
		if (now - s->t[base] >= (uint64_t)window_ms * MS)
			break;
	}
	*total = s->total[newest] - s->total[base];
	*bad = s->bad[newest] - s->bad[base];
}

/* One outlier rule over its latest samples: ejects, or readmits when the ejection is over. */
static void outlier_judge(struct xdpi_lb *lb, uint32_t id, struct outlier_state *o,
			  const struct xdpi_lb_outlier *rule, uint8_t bit, uint64_t now,
			  const char *what)
{
	struct backend *b = &lb->b[id];
	uint64_t total, bad;

	if (o->until) {
		if (now < o->until)
			return;
		o->until = 0;
		o->admitted = now;
		memset(&o->s, 0, sizeof(o->s)); /* its trial starts from new evidence */
		b->why[0] = '\0';
		set_health(lb, id, bit, false, now);
		return;
	}
	if (o->streak && now - o->admitted > 2ull * rule->window_ms * MS)
		o->streak = 0; /* it held: the next ejection starts short again */
	series_delta(&o->s, now, rule->window_ms, &total, &bad);
	if (total < rule->min || (double)bad < rule->ratio * (double)total)
		return;
	o->until = now + (uint64_t)rule->eject_ms * MS * (1u << (o->streak < 3 ? o->streak : 3));
	o->streak++;
	snprintf(b->why, sizeof(b->why), "%llu of %llu %s in %ums",
		 (unsigned long long)bad, (unsigned long long)total, what, rule->window_ms);
	set_health(lb, id, bit, true, now);
}

/* ---- probes through libcurl's multi interface ---- */

static const struct xdpi_curl *cu; /* libcurl, loaded when the balancer starts */

static size_t body_write(char *data, size_t size, size_t n, void *ctx)
{
	struct probe *p = ctx;
	size_t len = size * n;
	char *nb;

	if (p->kind == PROBE_ACTIVE)
		return len; /* the status is what counts */
	if (p->len + len > BODY_MAX)
		return 0; /* too big to be xdpi's metrics: the transfer fails */
	nb = realloc(p->body, p->len + len + 1);
	if (!nb)
		return 0;
	p->body = nb;
	memcpy(p->body + p->len, data, len);
	p->len += len;
	p->body[p->len] = '\0';
	return len;
}

static int mark_socket(void *ctx, curl_socket_t fd, curlsocktype purpose)
{
	const struct probe *p = ctx;
	uint32_t mark = XDPI_LB_MARK | p->id;

	(void)purpose;
	return setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) ? CURL_SOCKOPT_ERROR
									 : CURL_SOCKOPT_OK;
}

static int probe_start(struct xdpi_lb *lb, struct probe *p, const char *url, uint32_t timeout_ms,
		       bool connect_only)
{
	p->easy = cu->easy_init();
	if (!p->easy)
		return -ENOMEM;
	p->len = 0;
	cu->easy_setopt(p->easy, CURLOPT_URL, url);
	cu->easy_setopt(p->easy, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(p->easy, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	cu->easy_setopt(p->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	cu->easy_setopt(p->easy, CURLOPT_PROXY, "");
	cu->easy_setopt(p->easy, CURLOPT_FORBID_REUSE, 1L);
	cu->easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, body_write);
	cu->easy_setopt(p->easy, CURLOPT_WRITEDATA, p);
	cu->easy_setopt(p->easy, CURLOPT_PRIVATE, p);
	cu->easy_setopt(p->easy, CURLOPT_USERAGENT, "xdpi-lb-check");
	if (connect_only)
		cu->easy_setopt(p->easy, CURLOPT_CONNECT_ONLY, 1L);
	if (p->kind == PROBE_ACTIVE) {
		cu->easy_setopt(p->easy, CURLOPT_SOCKOPTFUNCTION, mark_socket);
		cu->easy_setopt(p->easy, CURLOPT_SOCKOPTDATA, p);
	}
	if (cu->multi_add_handle(lb->multi, p->easy) != CURLM_OK) {
		cu->easy_cleanup(p->easy);
		p->easy = NULL;
		return -EIO;
	}
	p->busy = true;
	return 0;
}

static void active_start(struct xdpi_lb *lb, uint32_t id, uint64_t now)
{
	struct backend *b = &lb->b[id];
	const struct xdpi_lb_service_conf *s = &lb->c.services[b->k.service];
	char url[256], a[INET6_ADDRSTRLEN];

	b->active.next = now + (uint64_t)s->check.interval_ms * MS;
	inet_ntop(s->vip.family == 4 ? AF_INET : AF_INET6, s->vip.addr, a, sizeof(a));
	snprintf(url, sizeof(url), s->vip.family == 4 ? "http://%s:%u%s" : "http://[%s]:%u%s", a,
		 ntohs(s->vip.port), s->check.kind == XDPI_LB_CHECK_HTTP ? s->check.path : "/");
	probe_start(lb, &b->active, url, s->check.timeout_ms, s->check.kind == XDPI_LB_CHECK_TCP);
}

static void active_done(struct xdpi_lb *lb, uint32_t id, CURLcode rc, uint64_t now)
{
	struct backend *b = &lb->b[id];
	const struct xdpi_lb_check *c = &lb->c.services[b->k.service].check;
	long status = 0;
	bool ok = rc == CURLE_OK;

	if (ok && c->kind == XDPI_LB_CHECK_HTTP) {
		cu->easy_getinfo(b->active.easy, CURLINFO_RESPONSE_CODE, &status);
		ok = status >= 200 && status < 400;
	}
	if (ok) {
		b->fail_run = 0;
		if (++b->ok_run >= c->rise && (b->health & XDPI_LB_HEALTH_ACTIVE)) {
			b->why[0] = '\0';
			set_health(lb, id, XDPI_LB_HEALTH_ACTIVE, false, now);
		}
		return;
	}
	b->ok_run = 0;
	if (rc != CURLE_OK)
		snprintf(b->why, sizeof(b->why), "%s", cu->easy_strerror(rc));
	else
		snprintf(b->why, sizeof(b->why), "HTTP %ld", status);
	if (++b->fail_run >= c->fall)
		set_health(lb, id, XDPI_LB_HEALTH_ACTIVE, true, now);
}

/* Server errors and all requests in an xdpi agent's exposition (xdpi_api_requests_total). */
static void metrics_count(const char *text, uint64_t *total, uint64_t *bad)
{
	static const char name[] = "xdpi_api_requests_total{";
	const char *p = text;

	*total = *bad = 0;
	while ((p = strstr(p, name))) {
		const char *eol = strchr(p, '\n'), *close = strchr(p, '}');
		const char *cls = strstr(p, "status_class=\"");
		unsigned long long v;

		if (!close || (eol && close > eol) || sscanf(close + 1, " %llu", &v) != 1) {
			p += sizeof(name) - 1;
			continue;
		}
		*total += v;
		if (cls && cls < close && !strncmp(cls + 14, "5xx\"", 4))
			*bad += v;
		p = close;
	}
}

static void metrics_done(struct xdpi_lb *lb, uint32_t id, CURLcode rc, uint64_t now)
{
	struct backend *b = &lb->b[id];
	const struct xdpi_lb_outlier *rule = &lb->c.services[b->k.service].l7;
	long status = 0;
	uint64_t total, bad;

	cu->easy_getinfo(b->metrics.easy, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK || status != 200 || !b->metrics.body || b->l7.until)
		return; /* no evidence; an ejected backend waits out its ejection */
	metrics_count(b->metrics.body, &total, &bad);
	series_push(&b->l7.s, now, total, bad, rule->window_ms);
}

static void probes_reap(struct xdpi_lb *lb, uint64_t now)
{
	CURLMsg *msg;
	int left, running;

	cu->multi_perform(lb->multi, &running);
	while ((msg = cu->multi_info_read(lb->multi, &left))) {
		struct probe *p = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		cu->easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&p);
		if (!p)
			continue;
		if (p->kind == PROBE_ACTIVE)
			active_done(lb, p->id, msg->data.result, now);
		else
			metrics_done(lb, p->id, msg->data.result, now);
		cu->multi_remove_handle(lb->multi, p->easy);
		cu->easy_cleanup(p->easy);
		p->easy = NULL;
		p->busy = false;
	}
}

/* ---- the backends map (configuration, xdpi ctl's changes) and the counters ---- */

/* Drops what the controller holds for backend ID (its probes in flight, its state). */
static void backend_forget(struct xdpi_lb *lb, uint32_t id)
{
	struct backend *b = &lb->b[id];
	struct probe *ps[2] = { &b->active, &b->metrics };

	for (int k = 0; k < 2; k++) {
		if (ps[k]->easy) {
			cu->multi_remove_handle(lb->multi, ps[k]->easy);
			cu->easy_cleanup(ps[k]->easy);
		}
	}
	free(b->metrics.body);
	memset(b, 0, sizeof(*b));
	lb->c.backends[id].metrics[0] = '\0'; /* the file's URL was this backend's */
}

/* xdpi ctl lb-remove: out of its service's table now, then freed for reuse. */
static void service_apply(struct xdpi_lb *lb, uint32_t svc, uint64_t now);

static void leave(struct xdpi_lb *lb, uint32_t id, uint64_t now)
{
	struct backend *b = &lb->b[id];
	struct xdpi_lb_backend freed = { 0 };
	uint16_t svc = b->k.service;

	b->k.state = XDPI_LB_LEAVING; /* members_now leaves it out */
	lb->s[svc].built = false;
	service_apply(lb, svc, now);
	if (!lb->s[svc].built)
		return; /* the swap failed: tried again on the next read */
	if (bpf_map_update_elem(lb->m.backends, &id, &freed, BPF_ANY))
		return;
	backend_event(lb, id, now, "backend_removed", NULL);
	backend_forget(lb, id);
	lb->dirty[svc] = false;
}

static void backend_seen(struct xdpi_lb *lb, uint32_t id, const struct xdpi_lb_backend *v,
			 uint64_t now)
{
	struct backend *b = &lb->b[id];
	bool was = b->k.state == XDPI_LB_CONFIGURED, is = v->state == XDPI_LB_CONFIGURED;
	uint16_t old_weight = b->k.weight;

	if (v->state == XDPI_LB_LEAVING && was) {
		leave(lb, id, now);
		return;
	}
	if (!was && !is)
		return;
	if (was && (!is || v->service != b->k.service)) {
		lb->dirty[b->k.service] = true;
		backend_event(lb, id, now, "backend_removed", NULL);
		backend_forget(lb, id);
		was = false;
	}
	if (!is || v->service >= lb->c.nservices)
		return;
	b->k = *v;
	b->k.health = b->health;
	if (!was) {
		inet_ntop(v->family == 4 ? AF_INET : AF_INET6, v->addr, b->text, sizeof(b->text));
		b->active = (struct probe){ .kind = PROBE_ACTIVE, .id = id, .next = now };
		b->metrics = (struct probe){ .kind = PROBE_METRICS, .id = id, .next = now };
		lb->dirty[v->service] = true;
		backend_event(lb, id, now, "backend_added", NULL);
		return;
	}
	if (old_weight != v->weight) {
		lb->dirty[v->service] = true;
		backend_event(lb, id, now, v->weight ? "backend_weight" : "backend_draining", NULL);
	}
}

static void read_backends(struct xdpi_lb *lb, uint64_t now)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	uint32_t count = XDPI_LB_BACKENDS_MAX, out_batch;
	int rc = bpf_map_lookup_batch(lb->m.backends, NULL, &out_batch, lb->read_keys,
				      lb->read_vals, &count, &bo);

	if (rc && errno != ENOENT) /* ENOENT: the whole array in one batch */
		return;
	for (uint32_t i = 0; i < count; i++)
		if (lb->read_keys[i] < XDPI_LB_BACKENDS_MAX)
			backend_seen(lb, lb->read_keys[i], &lb->read_vals[i], now);
}

static void read_passive(struct xdpi_lb *lb, uint32_t id, uint64_t now)
{
	const struct xdpi_lb_outlier *rule = &lb->c.services[lb->b[id].k.service].passive;
	uint64_t c[XDPI_LB_BC_MAX];

	if (!rule->on || lb->b[id].passive.until || xdpi_lb_backend_read(&lb->m, id, c))
		return;
	/* SYNs sent there: first attempts and retries; the retries are the bad ones */
	series_push(&lb->b[id].passive.s, now, c[XDPI_LB_BC_CONN_NEW] + c[XDPI_LB_BC_SYN_RETRANS],
		    c[XDPI_LB_BC_SYN_RETRANS], rule->window_ms);
}

/* Checks due, counters read, verdicts judged, for backend ID. */
static void backend_tick(struct xdpi_lb *lb, uint32_t id, uint64_t now, bool read)
{
	struct backend *b = &lb->b[id];
	const struct xdpi_lb_service_conf *s = &lb->c.services[b->k.service];

	if (s->check.kind != XDPI_LB_CHECK_NONE && !b->active.busy && now >= b->active.next)
		active_start(lb, id, now);
	if (s->l7.on && lb->c.backends[id].metrics[0] && !b->metrics.busy && now >= b->metrics.next) {
		b->metrics.next = now + (uint64_t)s->check.interval_ms * MS;
		probe_start(lb, &b->metrics, lb->c.backends[id].metrics, s->check.timeout_ms, false);
	}
	if (read)
		read_passive(lb, id, now);
	if (s->passive.on)
		outlier_judge(lb, id, &b->passive, &s->passive, XDPI_LB_HEALTH_PASSIVE, now,
			      "SYNs were retries");
	if (s->l7.on)
		outlier_judge(lb, id, &b->l7, &s->l7, XDPI_LB_HEALTH_L7, now,
			      "requests got a server error");
}

/* ---- tables ---- */

static int member_cmp(const void *a, const void *b)
{
	const struct xdpi_lb_member *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The members service SVC's table should have now; *PANIC when health left none. */
static uint32_t members_now(struct xdpi_lb *lb, uint32_t svc, struct xdpi_lb_member *out,
			    bool *panic)
{
	uint32_t n = 0, healthy = 0;

	for (uint32_t id = 0; id < XDPI_LB_BACKENDS_MAX; id++) {
		const struct backend *b = &lb->b[id];

		if (b->k.state != XDPI_LB_CONFIGURED || b->k.service != svc || !b->k.weight)
			continue;
		out[n] = (struct xdpi_lb_member){ .id = id, .family = b->k.family,
						  .weight = b->health ? 0 : b->k.weight };
		memcpy(out[n].addr, b->k.addr, sizeof(out[n].addr));
		healthy += !b->health;
		n++;
	}
	*panic = n && !healthy;
	if (*panic)
		for (uint32_t i = 0; i < n; i++)
			out[i].weight = lb->b[out[i].id].k.weight;
	qsort(out, n, sizeof(*out), member_cmp);
	return n;
}

static void service_apply(struct xdpi_lb *lb, uint32_t svc, uint64_t now)
{
	struct service *s = &lb->s[svc];
	bool panic;
	uint32_t n = members_now(lb, svc, lb->members, &panic);

	if (s->built && n == s->napplied && panic == s->panic &&
	    !memcmp(lb->members, s->applied, n * sizeof(*lb->members)))
		return;
	if (xdpi_maglev_build(lb->members, n, lb->table) ||
	    xdpi_lb_table_swap(&lb->m, svc, lb->table)) {
		lb->swap_errors++;
		return; /* tried again on the next tick */
	}
	memcpy(s->applied, lb->members, n * sizeof(*lb->members));
	s->napplied = n;
	s->built = true;
	s->panic = panic;
	lb->swaps++;
	table_event(lb, svc, now, lb->table);
}

void xdpi_lb__tick(struct xdpi_lb *lb, uint64_t now)
{
	bool read = now >= lb->next_read;

	if (read) {
		lb->next_read = now + READ_EVERY_NS;
		read_backends(lb, now);
	}
	probes_reap(lb, now);
	for (uint32_t id = 0; id < XDPI_LB_BACKENDS_MAX; id++)
		if (lb->b[id].k.state == XDPI_LB_CONFIGURED)
			backend_tick(lb, id, now, read);
	cu->multi_perform(lb->multi, &(int){ 0 });
	for (uint32_t svc = 0; svc < lb->c.nservices; svc++) {
		if (lb->dirty[svc] || !lb->s[svc].built)
			service_apply(lb, svc, now);
		lb->dirty[svc] = !lb->s[svc].built; /* a failed swap is tried again */
	}
}

/* ---- metrics ---- */

void xdpi_lb__expose(struct xdpi_lb *lb, struct xdpi_prom *p)
{
	char labels[256], vip[80];
	uint64_t c[XDPI_LB_SC_MAX], bc[XDPI_LB_BC_MAX];

	xdpi_prom_family(p, "xdpi_lb_packets_total", false,
			 "Packets to a virtual service by outcome (conn_hit, conn_new, no_backend, "
			 "too_big, tx, ...)");
	for (uint32_t i = 0; i < lb->c.nservices; i++) {
		if (xdpi_lb_svc_read(&lb->m, i, c))
			continue;
		xdpi_lb_vip_format(&lb->c.services[i].vip, vip, sizeof(vip));
		for (int k = 0; k < XDPI_LB_SC_MAX; k++) {
			snprintf(labels, sizeof(labels), "service=\"%s\",vip=\"%s\",outcome=\"%s\"",
				 lb->c.services[i].name, vip, xdpi_lb_svc_counter_names[k]);
			xdpi_prom_sample(p, "xdpi_lb_packets_total", labels, NULL, c[k]);
		}
	}
	xdpi_prom_family(p, "xdpi_lb_backend_total", false,
			 "Per backend: packets, bytes, new connections, SYN retries, client resets");
	xdpi_prom_family(p, "xdpi_lb_backend_healthy", true,
			 "1 while no health source fails the backend (it takes new connections "
			 "when its weight is above 0)");
	xdpi_prom_family(p, "xdpi_lb_backend_weight", true, "Configured weight (0: draining)");
	for (uint32_t id = 0; id < XDPI_LB_BACKENDS_MAX; id++) {
		const struct backend *b = &lb->b[id];

		if (b->k.state != XDPI_LB_CONFIGURED || xdpi_lb_backend_read(&lb->m, id, bc))
			continue;
		for (int k = 0; k < XDPI_LB_BC_MAX; k++) {
			snprintf(labels, sizeof(labels), "service=\"%s\",backend=\"%s\",counter=\"%s\"",
				 lb->c.services[b->k.service].name, b->text,
				 xdpi_lb_backend_counter_names[k]);
			xdpi_prom_sample(p, "xdpi_lb_backend_total", labels, NULL, bc[k]);
		}
		snprintf(labels, sizeof(labels), "service=\"%s\",backend=\"%s\"",
			 lb->c.services[b->k.service].name, b->text);
		xdpi_prom_sample(p, "xdpi_lb_backend_healthy", labels, NULL, !b->health);
		xdpi_prom_sample(p, "xdpi_lb_backend_weight", labels, NULL, b->k.weight);
	}
	xdpi_prom_family(p, "xdpi_lb_table_swaps_total", false,
			 "Maglev tables swapped in (and failed swaps, tried again)");
	xdpi_prom_sample(p, "xdpi_lb_table_swaps_total", "result=\"ok\"", NULL, lb->swaps);
	xdpi_prom_sample(p, "xdpi_lb_table_swaps_total", "result=\"failed\"", NULL,
			 lb->swap_errors);
}

/* ---- life ---- */

/* bpf_fib_lookup answers only on an interface that forwards, and the host's stack forwards
 * what it could not place only then: without it every balanced packet would be lost. */
static int forwarding_on(const char *family, const char *ifname)
{
	char path[160], v = '0';
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/forwarding", family, ifname);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fread(&v, 1, 1, f) != 1)
		v = '0';
	fclose(f);
	return v == '1';
}

int xdpi_lb_host_check(const struct xdpi_lb_conf *c, const char *ifname, char *err,
		       size_t errlen)
{
	bool v4 = false, v6 = false;

	for (uint32_t i = 0; i < c->nbackends; i++)
		c->backends[i].family == 4 ? (v4 = true) : (v6 = true);
	if (v4 && forwarding_on("ipv4", ifname) == 0) {
		snprintf(err, errlen, "IPv4 forwarding is off on %s: the kernel would place no "
			 "balanced packet (sysctl -w net.ipv4.conf.all.forwarding=1 "
			 "net.ipv4.conf.%s.forwarding=1)", ifname, ifname);
		return -1;
	}
	if (v6 && forwarding_on("ipv6", ifname) == 0) {
		snprintf(err, errlen, "IPv6 forwarding is off on %s: the kernel would place no "
			 "balanced packet (sysctl -w net.ipv6.conf.all.forwarding=1)", ifname);
		return -1;
	}
	return 0;
}

struct xdpi_lb *xdpi_lb__open(const struct xdpi_lb_conf *c, const struct xdpi_lb_maps *m,
			      uint64_t now_ns, int64_t wall_offset_ns, xdpi_lb_emit_fn emit,
			      void *emit_ctx, char *err, size_t errlen)
{
	struct xdpi_lb *lb = calloc(1, sizeof(*lb));
	int rc;

	if (!lb || !(lb->table = malloc(XDPI_LB_RING_SIZE * sizeof(uint32_t)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	lb->c = *c;
	lb->m = *m;
	lb->wall_offset = wall_offset_ns;
	lb->emit = emit;
	lb->emit_ctx = emit_ctx;
	if (!(cu = xdpi_curl(err, errlen)) || !(lb->multi = cu->multi_init())) {
		if (cu)
			snprintf(err, errlen, "libcurl could not start");
		goto fail;
	}
	rc = xdpi_lb_install(m, c);
	if (!rc) {
		xdpi_lb__tick(lb, now_ns); /* every table in before the first packet meets them */
		rc = xdpi_lb_enable(m, c, true);
	}
	if (rc) {
		snprintf(err, errlen, "writing the balancer's maps failed: %s", strerror(-rc));
		goto fail;
	}
	return lb;
fail:
	xdpi_lb__free(lb);
	return NULL;
}

void xdpi_lb__free(struct xdpi_lb *lb)
{
	if (!lb)
		return;
	if (lb->multi) {
		xdpi_lb_enable(&lb->m, &lb->c, false); /* VIPs pass again */
		for (uint32_t id = 0; id < XDPI_LB_BACKENDS_MAX; id++)
			backend_forget(lb, id);
		cu->multi_cleanup(lb->multi);
	}
	free(lb->table);
	free(lb);
}
