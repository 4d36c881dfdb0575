// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dissect_harness.h"

static struct xdpi_json *begin(struct xdpi_dissect_ctx *c, const char *type)
{
	struct harness *h = c->engine;

	xdpi_json_reset(&h->j);
	xdpi_json_obj_open(&h->j, NULL);
	xdpi_json_str(&h->j, "event_type", type);
	return &h->j;
}

static void end(struct xdpi_dissect_ctx *c)
{
	struct harness *h = c->engine;
	json_error_t err;

	xdpi_json_obj_close(&h->j);
	if (h->n < HARNESS_EVENTS)
		h->ev[h->n] = json_loads(h->j.buf, 0, &err);
	h->n++;
}

/* Detection's view of a transaction: every byte of every buffer is read (so that a sanitizer
 * sees a buffer that points outside its message), and the stages are counted. */
static void inspect(struct xdpi_dissect_ctx *c, const struct xdpi_inspect *in)
{
	struct harness *h = c->engine;
	unsigned sum = 0;

	for (int b = 0; b < XDPI_BUF_MAX; b++)
		for (uint32_t i = 0; in->buf[b] && i < in->len[b]; i++)
			sum += in->buf[b][i];
	h->inspected[in->stage]++;
	h->inspect_sum += sum;
	if (in->stage == XDPI_STAGE_HTTP_REQUEST && in->buf[XDPI_BUF_HTTP_URI]) {
		snprintf(h->uri, sizeof(h->uri), "%.*s", (int)in->len[XDPI_BUF_HTTP_URI],
			 (const char *)in->buf[XDPI_BUF_HTTP_URI]);
		snprintf(h->raw_uri, sizeof(h->raw_uri), "%.*s", (int)in->len[XDPI_BUF_HTTP_RAW_URI],
			 (const char *)in->buf[XDPI_BUF_HTTP_RAW_URI]);
	}
	if (in->stage == XDPI_STAGE_HTTP_RESPONSE) {
		const uint8_t *b = in->buf[XDPI_BUF_HTTP_RESP_BODY];
		uint32_t n = b ? in->len[XDPI_BUF_HTTP_RESP_BODY] : 0;

		h->resp_body_len = n < sizeof(h->resp_body) ? n : sizeof(h->resp_body) - 1;
		memcpy(h->resp_body, b ? (const char *)b : "", h->resp_body_len);
		h->resp_body[h->resp_body_len] = '\0';
	}
}

struct harness *harness_new(const char *dissector, uint8_t l4)
{
	struct harness *h = calloc(1, sizeof(*h));

	if (!h || !(h->d = xdpi_dissector_find(dissector))) {
		free(h);
		return NULL;
	}
	h->ctx.state = calloc(1, h->d->state_size);
	h->ctx.l4 = l4;
	h->ctx.event_begin = begin;
	h->ctx.event_end = end;
	h->ctx.inspect = inspect;
	h->ctx.inspect_stages = ~0u;
	h->ctx.engine = h;
	xdpi_json_init(&h->j);
	return h;
}

enum xdpi_dissect_status harness_feed(struct harness *h, uint8_t dir, const void *p, size_t len,
				      uint64_t ts, bool gap)
{
	h->ctx.dir = dir;
	h->ctx.ts = ts;
	h->ctx.pcap_cnt = ts;
	h->ctx.gap = gap;
	return h->d->parse(&h->ctx, p, len);
}

static void steer(struct xdpi_dissect_ctx *c, uint8_t mode, uint64_t n)
{
	struct harness *h = c->engine;

	h->steer_mode[c->dir & 1] = mode;
	h->steer_n[c->dir & 1] = n;
	h->steer_head[c->dir & 1] = false;
	h->steers++;
}

/* A message head's SEQ: recorded as SEQ, with head set. */
static void steer_head(struct xdpi_dissect_ctx *c, uint64_t n)
{
	struct harness *h = c->engine;

	steer(c, XDPI_MSG_SEQ, n);
	h->steer_head[c->dir & 1] = true;
}

/* Unneeded bytes ahead: recorded. */
static void skip_next(struct xdpi_dissect_ctx *c, uint64_t n)
{
	struct harness *h = c->engine;

	h->skip_next[c->dir & 1] = n;
}

void harness_steering(struct harness *h)
{
	h->ctx.steer = steer;
	h->ctx.steer_head = steer_head;
	h->ctx.skip_next = skip_next;
}

void harness_skip(struct harness *h, uint8_t dir, size_t len, uint64_t ts)
{
	h->ctx.dir = dir;
	h->ctx.ts = ts;
	h->ctx.pcap_cnt = ts;
	h->ctx.gap = false;
	if (h->d->skip)
		h->d->skip(&h->ctx, len);
}

void harness_end(struct harness *h)
{
	if (h->d->flow_end)
		h->d->flow_end(&h->ctx);
}

void harness_free(struct harness *h)
{
	if (!h)
		return;
	harness_end(h);
	for (int i = 0; i < h->n && i < HARNESS_EVENTS; i++)
		json_decref(h->ev[i]);
	xdpi_json_free(&h->j);
	free(h->ctx.state);
	free(h);
}

static json_t *field(struct harness *h, int i, const char *obj, const char *key)
{
	json_t *o = i < h->n && i < HARNESS_EVENTS ? h->ev[i] : NULL;

	return json_object_get(obj ? json_object_get(o, obj) : o, key);
}

const char *harness_str(struct harness *h, int i, const char *obj, const char *key)
{
	return json_string_value(field(h, i, obj, key));
}

json_int_t harness_int(struct harness *h, int i, const char *obj, const char *key)
{
	return json_integer_value(field(h, i, obj, key));
}
