// SPDX-License-Identifier: GPL-2.0
/* The open outputs: every row of the output registry the configuration asks for, each handed
 * what it takes. One loop per kind of item; nothing here knows any particular sink. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "app_int.h"
#include "xdpi/log.h"

int xdpi_outputs_open(struct xdpi_outputs *o, const struct xdpi_output_cfg *c)
{
	char err[512];

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < xdpi_outputs_count() && o->n < XDPI_OUTPUTS_MAX; i++) {
		const struct xdpi_output_ops *ops = xdpi_output_at(i);
		void *priv;

		if (!ops->wanted(c))
			continue;
		err[0] = '\0';
		if (!(priv = ops->open(c, err, sizeof(err)))) {
			xdpi_log_error("%s: %s\n", ops->option, err[0] ? err : strerror(errno));
			xdpi_outputs_close(o);
			return -1;
		}
		o->ops[o->n] = ops;
		o->priv[o->n++] = priv;
	}
	return 0;
}

/* The first output's answer (the EVE file's): what the engine counts as a failed event. */
int xdpi_outputs_event(void *ctx, const char *json, size_t len)
{
	struct xdpi_outputs *o = ctx;
	int rc = 0, r;

	for (size_t i = 0; i < o->n; i++)
		if (o->ops[i]->on_event && (r = o->ops[i]->on_event(o->priv[i], json, len)) && !rc &&
		    !i)
			rc = r;
	return rc;
}

void xdpi_outputs_flow_record(struct xdpi_outputs *o, const struct xdpi_flow *f,
			      enum xdpi_flow_end why)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->ops[i]->on_flow_record)
			o->ops[i]->on_flow_record(o->priv[i], f, why);
}

void xdpi_outputs_packet(struct xdpi_outputs *o, const struct xdpi_pkt *pkt)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->ops[i]->on_packet)
			o->ops[i]->on_packet(o->priv[i], pkt);
}

void xdpi_outputs_api_alert(struct xdpi_outputs *o, const char *json, size_t len)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->ops[i]->on_api_alert)
			o->ops[i]->on_api_alert(o->priv[i], json, len); /* counted by the output */
}

bool xdpi_outputs_take_api_alerts(const struct xdpi_outputs *o)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->ops[i]->on_api_alert)
			return true;
	return false;
}

static bool takes(const struct xdpi_outputs *o, size_t off)
{
	for (size_t i = 0; i < o->n; i++)
		if (*(void *const *)((const char *)o->ops[i] + off))
			return true;
	return false;
}

bool xdpi_outputs_take_flow_records(const struct xdpi_outputs *o)
{
	return takes(o, offsetof(struct xdpi_output_ops, on_flow_record));
}

bool xdpi_outputs_take_packets(const struct xdpi_outputs *o)
{
	return takes(o, offsetof(struct xdpi_output_ops, on_packet));
}

int xdpi_outputs_tick(struct xdpi_outputs *o)
{
	int rc = 0;

	for (size_t i = 0; i < o->n; i++)
		if (o->ops[i]->tick && o->ops[i]->tick(o->priv[i]) == -EPIPE)
			rc = -EPIPE;
	return rc;
}

void xdpi_outputs_reopen(struct xdpi_outputs *o)
{
	for (size_t i = 0; i < o->n; i++) {
		int err = o->ops[i]->reopen ? o->ops[i]->reopen(o->priv[i]) : 0;

		if (err)
			xdpi_log_warn("%s: reopening: %s; still writing where it was\n",
				      o->ops[i]->name, strerror(-err));
	}
}

void xdpi_outputs_stats(const struct xdpi_outputs *o, struct xdpi_json *j)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->ops[i]->stats)
			o->ops[i]->stats(o->priv[i], j);
}

void xdpi_outputs_expose(const struct xdpi_outputs *o, struct xdpi_prom *p)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->ops[i]->expose)
			o->ops[i]->expose(o->priv[i], p);
}

uint64_t xdpi_outputs_close(struct xdpi_outputs *o)
{
	uint64_t lost = 0;

	for (size_t i = o->n; i-- > 0;) {
		if (o->ops[i]->tick)
			o->ops[i]->tick(o->priv[i]); /* what is batched goes out first */
		if (o->ops[i]->lost)
			lost += o->ops[i]->lost(o->priv[i]);
		o->ops[i]->close(o->priv[i]);
	}
	o->n = 0;
	return lost;
}
