// SPDX-License-Identifier: GPL-2.0
/* DNS tunnelling: per registered domain (the last two labels, three under a two-letter
 * country code's short second level such as co.uk), the distinct names asked within the window
 * whose other labels are long (dns_label) or random-looking (Shannon entropy of at least
 * dns_entropy bits per character in a label of 20 or more), and the distinct names asked with
 * TXT and NULL. Distinct, because a tunnel must vary its names to get past caches, while a
 * client asking the same TXT record again is just a client. Past dns_queries suspicious names
 * or dns_txt TXT/NULL names: one alert per domain and window, with the counts, the longest
 * label, the highest entropy, sample names and the asking clients. Multicast and link-local
 * name services (mDNS under .local, ports 5353 and 5355) are not DNS tunnels. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "anomaly_int.h"

#define DOMAINS 1024
#define SAMPLES 3
#define CLIENTS 4
#define DNS_TXT 16
#define DNS_NULL 10

struct domain {
	struct anomaly_entry e; /* key: the domain (cut at 32 bytes) */
	char name[64];
	uint64_t window_start;
	uint32_t queries, suspicious, txt_null, max_label;
	double max_entropy;
	char sample[SAMPLES][96];
	uint32_t n_samples;
	uint8_t family[CLIENTS];
	uint8_t client[CLIENTS][16];
	uint32_t n_clients;
	uint32_t names[XDPI_DNS_NAMES_MAX]; /* hashes of the names counted, to count each once */
	uint32_t n_names;
	bool reported;
};

struct dns_state {
	struct anomaly_table t;
};

struct dns_report {
	const struct domain *d;
	const struct xdpi_anomaly_cfg *cfg;
};

struct dns_state *dns_new(void)
{
	struct dns_state *s = calloc(1, sizeof(*s));

	if (s && anomaly_table_init(&s->t, DOMAINS, sizeof(struct domain))) {
		free(s);
		return NULL;
	}
	return s;
}

void dns_free(struct dns_state *s)
{
	if (s)
		anomaly_table_free(&s->t);
	free(s);
}

static double entropy(const char *s, size_t n)
{
	unsigned counts[256] = { 0 };
	double h = 0;

	for (size_t i = 0; i < n; i++)
		counts[(unsigned char)s[i]]++;
	for (int c = 0; c < 256; c++) {
		if (counts[c]) {
			double p = (double)counts[c] / (double)n;

			h -= p * log2(p);
		}
	}
	return h;
}

/* Where the registered domain starts in NAME (LEN bytes, no trailing dot). */
static size_t domain_start(const char *name, size_t len)
{
	size_t dots[3] = { 0 }, nd = 0, last_len;

	for (size_t i = len; i-- > 0 && nd < 3;)
		if (name[i] == '.')
			dots[nd++] = i;
	if (nd < 1)
		return 0;
	last_len = len - dots[0] - 1;
	/* example.co.uk: a two-letter top level under a short second level keeps three */
	if (nd >= 2 && last_len == 2 && dots[0] - dots[1] - 1 <= 3)
		return nd >= 3 ? dots[2] + 1 : 0;
	return nd >= 2 ? dots[1] + 1 : 0;
}

/* Is the part of NAME before the domain (its labels) tunnel-like? Updates D's maxima. */
static bool suspicious(struct domain *d, const struct xdpi_anomaly_cfg *c, const char *name,
		       size_t sub)
{
	bool bad = false;

	for (size_t i = 0; i < sub;) {
		size_t j = i;
		double h;

		while (j < sub && name[j] != '.')
			j++;
		if (j - i > d->max_label)
			d->max_label = (uint32_t)(j - i);
		if (j - i >= c->dns_label)
			bad = true;
		if (j - i >= 20) {
			h = entropy(name + i, j - i);
			if (h > d->max_entropy)
				d->max_entropy = h;
			bad |= h >= c->dns_entropy;
		}
		i = j + 1;
	}
	return bad;
}

static void evidence(const void *obj, struct xdpi_json *j)
{
	const struct dns_report *r = obj;
	const struct domain *d = r->d;

	xdpi_json_str(j, "detector", "dns_tunnel");
	xdpi_json_str(j, "domain", d->name);
	xdpi_json_u64(j, "queries", d->queries);
	xdpi_json_u64(j, "suspicious_names", d->suspicious);
	xdpi_json_u64(j, "txt_null_queries", d->txt_null);
	xdpi_json_u64(j, "longest_label", d->max_label);
	xdpi_json_double(j, "max_label_entropy", d->max_entropy);
	xdpi_json_u64(j, "window_s", r->cfg->window_s);
	xdpi_json_u64(j, "threshold_names", r->cfg->dns_queries);
	xdpi_json_u64(j, "threshold_txt_null", r->cfg->dns_txt);
	xdpi_json_arr_open(j, "samples");
	for (uint32_t i = 0; i < d->n_samples; i++)
		xdpi_json_str(j, NULL, d->sample[i]);
	xdpi_json_arr_close(j);
	xdpi_json_arr_open(j, "clients");
	for (uint32_t i = 0; i < d->n_clients; i++) {
		xdpi_json_obj_open(j, NULL);
		anomaly_put_addr(j, "ip", d->family[i], d->client[i]);
		xdpi_json_obj_close(j);
	}
	xdpi_json_arr_close(j);
}

static void note_client(struct domain *d, const struct flow_ends *e)
{
	for (uint32_t i = 0; i < d->n_clients; i++)
		if (!memcmp(d->client[i], e->client, 16))
			return;
	if (d->n_clients < CLIENTS) {
		d->family[d->n_clients] = e->family;
		memcpy(d->client[d->n_clients++], e->client, 16);
	}
}

static struct domain *domain(struct dns_state *st, const struct anomaly_out *o, const char *dom,
			     size_t len, uint64_t ts)
{
	uint8_t key[32] = { 0 };
	struct domain *d;
	bool created;

	memcpy(key, dom, len < 32 ? len : 32);
	d = (struct domain *)anomaly_table_get(&st->t, key, ts, &o->cnt[XDPI_ACNT_DOMAINS_EVICTED],
					       &created);
	if (d && (created || ts - d->window_start >= (uint64_t)o->cfg->window_s * XDPI_NS_PER_SEC)) {
		struct anomaly_entry keep = d->e;

		memset(d, 0, sizeof(*d)); /* a new window */
		d->e = keep;
		memcpy(d->name, dom, len < sizeof(d->name) - 1 ? len : sizeof(d->name) - 1);
		d->window_start = ts;
	}
	if (d)
		d->e.last_seen = ts;
	return d;
}

/* True the first time NAME is counted in D's window (case-insensitive FNV-1a). */
static bool first_time(struct domain *d, const char *name, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)tolower((unsigned char)name[i])) * 16777619u;
	for (uint32_t i = 0; i < d->n_names; i++)
		if (d->names[i] == h)
			return false;
	if (d->n_names < XDPI_DNS_NAMES_MAX)
		d->names[d->n_names++] = h;
	return true; /* when full, past any threshold already: counting on is harmless */
}

static bool link_local_name_service(const struct flow_ends *e, const char *name, size_t len)
{
	return e->sport == 5353 || e->sport == 5355 ||
	       (len >= 6 && !strncasecmp(name + len - 6, ".local", 6));
}

void dns_query(struct dns_state *st, const struct anomaly_out *o, const struct xdpi_flow *f,
	       const char *name, size_t len, uint16_t qtype, uint64_t ts)
{
	struct flow_ends e = anomaly_flow_ends(f);
	size_t start;
	struct domain *d;
	bool bad, txt;

	while (len && name[len - 1] == '.')
		len--;
	if (link_local_name_service(&e, name, len))
		return;
	start = domain_start(name, len);
	if (!start || !(d = domain(st, o, name + start, len - start, ts)))
		return; /* a bare domain has no labels to hide data in */
	d->queries++;
	bad = suspicious(d, o->cfg, name, start - 1);
	txt = qtype == DNS_TXT || qtype == DNS_NULL;
	if ((bad || txt) && !first_time(d, name, len))
		bad = txt = false; /* asked before in this window */
	d->suspicious += bad;
	d->txt_null += txt;
	if (bad && d->n_samples < SAMPLES)
		snprintf(d->sample[d->n_samples++], sizeof(d->sample[0]), "%.*s", (int)len, name);
	note_client(d, &e);
	if (!d->reported && (d->suspicious >= o->cfg->dns_queries || d->txt_null >= o->cfg->dns_txt)) {
		struct dns_report r = { d, o->cfg };
		struct xdpi_anomaly_alert a = {
			.kind = XDPI_ANOM_DNS_TUNNEL,
			.signature = "XDPI ANOMALY DNS tunnel: long or random labels, or TXT/NULL volume",
			.category = "Potentially Bad Traffic",
			.family = e.family, .src = e.client, .dst = e.server, .sport = e.cport,
			.dport = e.sport, .proto = e.proto, .ts = ts, .evidence = evidence, .obj = &r,
		};

		d->reported = true;
		anomaly_emit(o, &a);
	}
}
