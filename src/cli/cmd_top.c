// SPDX-License-Identifier: GPL-2.0
/* xdpi top: a live terminal view of a running `xdpi run --metrics`, refreshed every second
 * from its /metrics and /top.json (so it needs no privileges and never touches the data
 * path): traffic, protocols, drops and losses by reason, API endpoints with their request
 * rate, error ratio and p99 latency, the largest flows and the busiest addresses. Rates are
 * the difference between two reads. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "common.h"
#include "xdpi/api.h"
#include "xdpi/curl_dl.h"

static const char synopsis[] =
	"usage: xdpi top [OPTIONS]\n"
	"\n"
	"A live view of a running `xdpi run --metrics ADDR:PORT`, refreshed every second:\n"
	"traffic, protocols, drops and losses by reason, API endpoints (requests per second,\n"
	"error ratio, p99 latency), the largest flows and the busiest addresses. Press q to\n"
	"quit. It reads the metrics endpoint only: no privileges needed.\n";

static const char epilogue[] =
	"Examples:\n"
	"  sudo xdpi run -i eth0 --metrics :9469 -o eve.json &   # then:\n"
	"  xdpi top\n"
	"  xdpi top --metrics 10.0.0.5:9469 --interval 2\n"
	"  xdpi top -n 1 > snapshot.txt                          # one frame, for a script\n";

struct top_args {
	const char *base;
	uint64_t interval, count;
};

static int opt_metrics(void *ctx, const char *arg)
{
	static char local[64];
	struct top_args *t = ctx;

	if (arg[0] == ':') { /* ":PORT" as `run --metrics` takes it */
		snprintf(local, sizeof(local), "127.0.0.1%s", arg);
		arg = local;
	}
	t->base = arg;
	return 0;
}

static const struct cli_opt top_opts[] = {
	CLI_FN("metrics", 'm', "ADDR:PORT", opt_metrics,
	       "where xdpi serves its metrics (default 127.0.0.1:9469)"),
	CLI_U64("interval", 'd', "SEC", struct top_args, interval, 1, 60,
		"seconds between refreshes, 1..60 (default 1)"),
	CLI_U64("count", 'n', "N", struct top_args, count, 1, 1u << 30,
		"stop after N refreshes (default: until q)"),
};

#define ROWS 8

struct sample {
	char *key; /* name{labels} */
	double v;
};

struct frame {
	struct sample *s;
	size_t n;
	json_t *top;
	double t; /* seconds, monotonic */
};

struct buf {
	char *p;
	size_t len;
};

/* ---- reading ---- */

static size_t grow(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;
	char *np = realloc(b->p, b->len + size * n + 1);

	if (!np)
		return 0;
	memcpy(np + b->len, p, size * n);
	b->p = np;
	b->len += size * n;
	b->p[b->len] = '\0';
	return size * n;
}

static const struct xdpi_curl *cu; /* libcurl, loaded when top starts */

static char *fetch(CURL *c, const char *base, const char *path)
{
	struct buf b = { NULL, 0 };
	char url[256];
	long status = 0;

	snprintf(url, sizeof(url), "http://%s%s", base, path);
	cu->easy_setopt(c, CURLOPT_URL, url);
	cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, grow);
	cu->easy_setopt(c, CURLOPT_WRITEDATA, &b);
	cu->easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
	if (cu->easy_perform(c) != CURLE_OK ||
	    (cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status), status != 200) || !b.p) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

static int cmp_sample(const void *a, const void *b)
{
	return strcmp(((const struct sample *)a)->key, ((const struct sample *)b)->key);
}

/* The exposition's sample lines, sorted by key for lookups. */
static int parse_metrics(char *text, struct frame *f)
{
	size_t cap = 0;

	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *sp = strrchr(line, ' ');

		if (line[0] == '#' || !sp)
			continue;
		*sp = '\0';
		if (f->n == cap) {
			struct sample *ns = realloc(f->s, (cap = cap ? cap * 2 : 512) * sizeof(*ns));

			if (!ns)
				return -1;
			f->s = ns;
		}
		f->s[f->n].key = strdup(line);
		f->s[f->n++].v = strtod(sp + 1, NULL);
	}
	if (f->n)
		qsort(f->s, f->n, sizeof(*f->s), cmp_sample);
	return 0;
}

static void frame_free(struct frame *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->s[i].key);
	free(f->s);
	json_decref(f->top);
	memset(f, 0, sizeof(*f));
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_frame(CURL *c, const char *base, struct frame *f)
{
	char *m = fetch(c, base, "/metrics"), *t = m ? fetch(c, base, "/top.json") : NULL;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	f->t = now_s();
	if (m && !parse_metrics(m, f)) {
		f->top = t ? json_loads(t, 0, NULL) : NULL;
		rc = 0;
	}
	free(m);
	free(t);
	return rc;
}

/* ---- values and rates ---- */

static double value(const struct frame *f, const char *key, bool *found)
{
	struct sample k = { .key = (char *)key }, *s;

	s = f->s ? bsearch(&k, f->s, f->n, sizeof(*f->s), cmp_sample) : NULL;
	if (found)
		*found = s != NULL;
	return s ? s->v : 0;
}

/* Per second between the two frames; the total when there is no earlier frame. */
static double rate(const struct frame *cur, const struct frame *prev, const char *key)
{
	double v = value(cur, key, NULL);

	if (!prev || !prev->s || cur->t <= prev->t)
		return 0;
	return fmax(0, (v - value(prev, key, NULL)) / (cur->t - prev->t));
}

static const char *human(double v, char *buf, size_t n)
{
	static const char units[] = " kMGT";
	int u = 0;

	while (fabs(v) >= 1000 && u < 4)
		v /= 1000, u++;
	snprintf(buf, n, u ? "%.1f%c" : "%.0f", v, units[u]);
	return buf;
}

/* ---- sections ---- */

static void section_traffic(const struct frame *c, const struct frame *p, const char *base)
{
	char a[16], b[16], t[32];
	time_t now = time(NULL);

	strftime(t, sizeof(t), "%Y-%m-%d %H:%M:%S", localtime(&now));
	printf("xdpi top - http://%s   %s   (q quits)\n\n", base, t);
	printf("traffic    %s pkt/s   %sbit/s   flows %.0f active   alerts %.0f\n",
	       human(rate(c, p, "xdpi_kernel_pkts_total"), a, sizeof(a)),
	       human(rate(c, p, "xdpi_kernel_bytes_total") * 8, b, sizeof(b)),
	       value(c, "xdpi_flows_active", NULL), value(c, "xdpi_events_total{type=\"alert\"}", NULL));
}

static void section_protocols(const struct frame *c, const struct frame *p)
{
	static const char *const l4[] = { "ipv4", "ipv6", "tcp", "udp", "icmpv4", "icmpv6" };
	char key[96], a[16];

	printf("protocols ");
	for (size_t i = 0; i < sizeof(l4) / sizeof(l4[0]); i++) {
		snprintf(key, sizeof(key), "xdpi_engine_%s_total", l4[i]);
		printf("  %s %s/s", l4[i], human(rate(c, p, key), a, sizeof(a)));
	}
	printf("\napp flows ");
	for (size_t i = 0; i < c->n; i++) {
		const char *k = c->s[i].key, *pre = "xdpi_app_flows_total{proto=\"";

		if (!strncmp(k, pre, strlen(pre)) && c->s[i].v > 0)
			printf("  %.*s %.0f", (int)(strcspn(k + strlen(pre), "\"")), k + strlen(pre),
			       c->s[i].v);
	}
	printf("\n");
}

/* Every sample of a loss family with a count, its total and rate. */
static void loss_rows(const struct frame *c, const struct frame *p, const char *prefix,
		      const char *label, int *rows)
{
	char a[16];

	for (size_t i = 0; i < c->n && *rows < ROWS * 2; i++) {
		const char *k = c->s[i].key;

		if (strncmp(k, prefix, strlen(prefix)) || c->s[i].v <= 0)
			continue;
		printf("  %-14s %-44.44s %10.0f %8s/s\n", label, k + strlen(prefix), c->s[i].v,
		       human(rate(c, p, k), a, sizeof(a)));
		(*rows)++;
	}
}

static void section_losses(const struct frame *c, const struct frame *p)
{
	int rows = 0;

	printf("\ndrops and losses                                                   total     rate\n");
	loss_rows(c, p, "xdpi_rule_packets_total", "policy drop", &rows);
	loss_rows(c, p, "xdpi_kernel_malformed_packets_total", "malformed", &rows);
	loss_rows(c, p, "xdpi_kernel_loss_", "ring buffer", &rows);
	loss_rows(c, p, "xdpi_afxdp_rx_dropped_total", "AF_XDP", &rows);
	loss_rows(c, p, "xdpi_worker_events_dropped_total", "workers", &rows);
	loss_rows(c, p, "xdpi_output_messages_total{sink=", "output", &rows);
	loss_rows(c, p, "xdpi_engine_events_failed_total", "events", &rows);
	if (!rows)
		printf("  none\n");
}

struct endpoint_row {
	char key[320];
	double rps, err_rate, p99;
};

static int cmp_rps(const void *a, const void *b)
{
	double x = ((const struct endpoint_row *)a)->rps, y = ((const struct endpoint_row *)b)->rps;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* p99 of an endpoint's histogram between the frames (or since start); NAN: no timed request. */
static double endpoint_p99(const struct frame *c, const struct frame *p, const char *labels)
{
	double counts[XDPI_API_BUCKETS], cum, below = 0;
	char key[400], le[16];

	for (int i = 0; i < XDPI_API_BUCKETS; i++) { /* the exposition is cumulative */
		if (i < XDPI_API_BUCKETS - 1)
			snprintf(le, sizeof(le), "%g", xdpi_api_bucket_le[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		snprintf(key, sizeof(key), "xdpi_api_request_duration_seconds_bucket{%s,le=\"%s\"}",
			 labels, le);
		cum = value(c, key, NULL) - (p && p->s ? value(p, key, NULL) : 0);
		counts[i] = fmax(0, cum - below);
		below = fmax(below, cum);
	}
	return xdpi_api_quantile(counts, 0.99);
}

static size_t collect_endpoints(const struct frame *c, const struct frame *p,
				struct endpoint_row *rows, size_t cap)
{
	const char *pre = "xdpi_api_errors_total{";
	size_t n = 0;

	for (size_t i = 0; i < c->n && n < cap; i++) {
		const char *k = c->s[i].key;
		char key[400], labels[320];
		double req = 0;

		if (strncmp(k, pre, strlen(pre)))
			continue;
		snprintf(labels, sizeof(labels), "%.*s", (int)(strlen(k) - strlen(pre) - 1), k + strlen(pre));
		for (int sc = 1; sc <= 5; sc++) {
			snprintf(key, sizeof(key), "xdpi_api_requests_total{%s,status_class=\"%dxx\"}",
				 labels, sc);
			req += p && p->s ? rate(c, p, key) : value(c, key, NULL);
		}
		snprintf(rows[n].key, sizeof(rows[n].key), "%s", labels);
		rows[n].rps = req;
		rows[n].err_rate = p && p->s ? rate(c, p, k) : c->s[i].v;
		rows[n].p99 = endpoint_p99(c, p, labels);
		n++;
	}
	return n;
}

/* service="a",method="GET",route="/x" -> "a GET /x" */
static void endpoint_name(const char *labels, char *out, size_t n)
{
	size_t at = 0;

	for (const char *q = strchr(labels, '"'); q && at + 1 < n;) {
		const char *end = strchr(q + 1, '"');

		if (!end)
			break;
		at += (size_t)snprintf(out + at, n - at, "%s%.*s", at ? " " : "", (int)(end - q - 1), q + 1);
		q = strchr(end + 1, '"');
	}
	if (!at)
		out[0] = '\0';
}

static void section_endpoints(const struct frame *c, const struct frame *p)
{
	struct endpoint_row rows[256];
	size_t n = collect_endpoints(c, p, rows, 256);

	printf("\nAPI endpoints                                              req/s    err%%     p99\n");
	qsort(rows, n, sizeof(rows[0]), cmp_rps);
	for (size_t i = 0; i < n && i < ROWS; i++) {
		char name[80], lat[16];

		endpoint_name(rows[i].key, name, sizeof(name));
		if (isnan(rows[i].p99))
			snprintf(lat, sizeof(lat), "-");
		else
			snprintf(lat, sizeof(lat), "%.1fms", rows[i].p99 * 1e3);
		printf("  %-54.54s %7.1f %6.1f%% %8s\n", name, rows[i].rps,
		       rows[i].rps > 0 ? 100 * fmin(1, rows[i].err_rate / rows[i].rps) : 0, lat);
	}
	if (!n)
		printf("  none yet (HTTP/1.x, HTTP/2 and gRPC transactions appear here)\n");
}

static void section_top(const struct frame *c)
{
	json_t *flows = json_object_get(c->top, "flows"), *talkers = json_object_get(c->top, "talkers");
	size_t i;
	json_t *v;
	char a[16], b[16], ep[96];

	printf("\ntop flows                                                     bytes     pkts\n");
	json_array_foreach(flows, i, v) {
		if (i >= ROWS)
			break;
		snprintf(ep, sizeof(ep), "%s:%lld -> %s:%lld %s", json_string_value(json_object_get(v, "src")),
			 json_integer_value(json_object_get(v, "sport")), json_string_value(json_object_get(v, "dst")),
			 json_integer_value(json_object_get(v, "dport")), json_string_value(json_object_get(v, "proto")));
		printf("  %-58.58s %8s %8s\n", ep,
		       human((double)json_integer_value(json_object_get(v, "bytes")), a, sizeof(a)),
		       human((double)json_integer_value(json_object_get(v, "pkts")), b, sizeof(b)));
	}
	printf("\ntop talkers                                          bytes out  bytes in   flows\n");
	json_array_foreach(talkers, i, v) {
		if (i >= ROWS)
			break;
		printf("  %-50.50s %9s %9s %7lld\n", json_string_value(json_object_get(v, "addr")),
		       human((double)json_integer_value(json_object_get(v, "bytes_out")), a, sizeof(a)),
		       human((double)json_integer_value(json_object_get(v, "bytes_in")), b, sizeof(b)),
		       json_integer_value(json_object_get(v, "flows")));
	}
}

static void render(const struct frame *c, const struct frame *p, const char *base, bool tty)
{
	if (tty)
		fputs("\033[H\033[2J", stdout); /* home, clear */
	section_traffic(c, p, base);
	section_protocols(c, p);
	section_losses(c, p);
	section_endpoints(c, p);
	section_top(c);
	fflush(stdout);
}

/* ---- the loop ---- */

static bool quit_key(int timeout_ms)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char ch;

	if (poll(&pfd, 1, timeout_ms) <= 0 || read(STDIN_FILENO, &ch, 1) != 1)
		return false;
	return ch == 'q' || ch == 'Q' || ch == 3;
}

static int loop(const char *base, uint64_t interval, uint64_t count)
{
	bool tty = isatty(STDOUT_FILENO), keys = isatty(STDIN_FILENO);
	struct frame prev = { 0 }, cur;
	struct termios saved, raw;
	CURL *c = cu->easy_init();
	int rc = 0;

	if (!c)
		return 1;
	if (keys && !tcgetattr(STDIN_FILENO, &saved)) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	for (uint64_t i = 0; !count || i < count; i++) {
		if (read_frame(c, base, &cur)) {
			fprintf(tty ? stdout : stderr, "%sxdpi top: cannot read http://%s/metrics "
				"(is `xdpi run --metrics %s` running?)\n", tty ? "\033[H\033[2J" : "",
				base, base);
			rc = 1;
			if (count)
				break;
		} else {
			render(&cur, prev.s ? &prev : NULL, base, tty);
			frame_free(&prev);
			prev = cur;
			rc = 0;
		}
		if ((count && i + 1 == count) || quit_key(keys ? (int)interval * 1000 : 0))
			break;
		if (!keys)
			sleep((unsigned)interval);
	}
	if (keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	frame_free(&prev);
	cu->easy_cleanup(c);
	return rc;
}

int cmd_top(int argc, char **argv)
{
	struct top_args t = { .base = "127.0.0.1:9469", .interval = 1 };
	struct cli_command cmd = {
		.name = "top", .synopsis = synopsis, .epilogue = epilogue,
		.groups = { CLI_GROUP(top_opts, &t) }, .ngroups = 1,
	};
	int first, rc = cli_opts_parse(&cmd, argc, argv, &first);
	char err[320];

	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	if (first != argc) {
		cli_error("top: unexpected '%s' (`xdpi top --help`)", argv[first]);
		return EXIT_USAGE;
	}
	if (!(cu = xdpi_curl(err, sizeof(err)))) {
		cli_error("top: %s", err);
		return 1;
	}
	return loop(t.base, t.interval, t.count);
}
