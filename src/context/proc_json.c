// SPDX-License-Identifier: GPL-2.0
/* The EVE form of a flow's process context, written inside the event's xdpi object. */
#include "xdpi/context.h"
#include "xdpi/json.h"

static void put_side(struct xdpi_json *j, const struct xdpi_proc_side *p, const char *side)
{
	xdpi_json_obj_open(j, "process");
	xdpi_json_u64(j, "pid", p->pid);
	xdpi_json_str(j, "comm", p->comm);
	xdpi_json_u64(j, "uid", p->uid);
	xdpi_json_str(j, "side", side);
	xdpi_json_str(j, "confidence", p->confidence);
	xdpi_json_str(j, "source", p->source);
	if (p->cgroup[0])
		xdpi_json_str(j, "cgroup", p->cgroup);
	xdpi_json_obj_close(j);
	if (p->container_id[0]) {
		xdpi_json_obj_open(j, "container");
		xdpi_json_str(j, "id", p->container_id);
		xdpi_json_str(j, "runtime", p->runtime);
		xdpi_json_obj_close(j);
	}
}

void xdpi_proc_ctx_json(struct xdpi_json *j, const struct xdpi_proc_ctx *p, uint8_t initiator)
{
	const struct xdpi_proc_side *client = &p->side[initiator & 1], *server = &p->side[!(initiator & 1)];

	if (client->valid) { /* the client's end when it is ours, else the server's */
		put_side(j, client, "client");
		if (server->valid) {
			xdpi_json_obj_open(j, "peer");
			put_side(j, server, "server");
			xdpi_json_obj_close(j);
		}
	} else if (server->valid) {
		put_side(j, server, "server");
	}
}
