/* SPDX-License-Identifier: GPL-2.0 */
/* Outputs: one file per sink in src/output/, each exporting one xdpi_output_ops row listed in
 * output/registry.c. The application opens every output its configuration asks for and hands
 * each what it takes (EVE events, flow records, packets of alerted flows, API alerts); an
 * output never blocks the thread that feeds it, and counts what it could not deliver. Adding
 * a sink: its file, its row, and the option that sets its field of xdpi_output_cfg. */
#ifndef XDPI_OUTPUT_H
#define XDPI_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xdpi/flow.h"
#include "xdpi/pkt.h"
#include "xdpi/stats.h"

/* What any output may be configured with (the options of read and run). */
struct xdpi_output_cfg {
	const char *eve;          /* EVE lines: a path, "-" standard output */
	const char *redis_url;    /* redis://HOST[:PORT][/KEY] */
	const char *redis_mode;   /* list or channel */
	const char *webhook_url;  /* API alerts as JSON POSTs */
	const char *ipfix_target; /* HOST:PORT */
	const char *pcap_dir;     /* packets of alerted flows */
	uint64_t pcap_rotate_bytes;
	uint32_t pcap_keep;
	int64_t wall_offset_ns;   /* wall clock = the flows' clock + this */
};

struct xdpi_output_ops {
	const char *name;   /* in messages and metrics: "eve", "redis", ... */
	const char *option; /* what turns it on: "--redis" */
	bool (*wanted)(const struct xdpi_output_cfg *c);
	/* Private state, or NULL with why in ERR (nothing is opened then). */
	void *(*open)(const struct xdpi_output_cfg *c, char *err, size_t errlen);
	/* What it takes (NULL: nothing of that kind); none may block. */
	int (*on_event)(void *priv, const char *json, size_t len); /* a serialized event */
	void (*on_flow_record)(void *priv, const struct xdpi_flow *f, enum xdpi_flow_end why);
	void (*on_packet)(void *priv, const struct xdpi_pkt *pkt); /* of an alerted flow */
	/* an API alert (firing or resolved), as the JSON document the application made */
	int (*on_api_alert)(void *priv, const char *json, size_t len);
	/* Once a second: what is batched goes out. -EPIPE: the reader went away (stop). */
	int (*tick)(void *priv);
	int (*reopen)(void *priv); /* SIGHUP (logrotate); 0 or -errno */
	/* Its counters: its objects in the stats event, its Prometheus series. */
	void (*stats)(void *priv, struct xdpi_json *j);
	void (*expose)(void *priv, struct xdpi_prom *p);
	/* Items the user asked to be written that were not (they make the exit status 1). */
	uint64_t (*lost)(void *priv);
	void (*close)(void *priv); /* says what it could not deliver */
};

size_t xdpi_outputs_count(void);
const struct xdpi_output_ops *xdpi_output_at(size_t i);
const struct xdpi_output_ops *xdpi_output_find(const char *name);

/* ---- the EVE file (output/eve_file.c), also usable on its own ---- */
struct xdpi_eve_file_stats {
	uint64_t events; /* written whole */
	uint64_t bytes;
	uint64_t errors; /* events lost to failed writes */
	int last_errno;  /* of the last failed write (0: none) */
};

#endif /* XDPI_OUTPUT_H */
