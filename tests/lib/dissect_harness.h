/* SPDX-License-Identifier: GPL-2.0 */
/* Unit-test harness for a dissector: a context whose events are read back by jansson. */
#ifndef XDPI_TEST_DISSECT_HARNESS_H
#define XDPI_TEST_DISSECT_HARNESS_H

#include <jansson.h>
#include "xdpi/dissect.h"

#define HARNESS_EVENTS 32

struct harness {
	const struct xdpi_dissector *d;
	struct xdpi_dissect_ctx ctx;
	struct xdpi_json j;
	json_t *ev[HARNESS_EVENTS];
	int n;
	unsigned inspected[XDPI_STAGE_MAX]; /* transactions handed to detection, per stage */
	unsigned inspect_sum;
	char resp_body[8192]; /* the last response body detection saw (NUL added) */
	size_t resp_body_len;
	char uri[512], raw_uri[512]; /* the last request's http.uri and http.uri.raw */
	/* the last wish of the dissector per direction (ctx.steer), when harness_steering() */
	uint8_t steer_mode[2];
	uint64_t steer_n[2];
	bool steer_head[2];   /* the last SEQ was a message head's (steer_head) */
	uint64_t skip_next[2]; /* the last skip_next */
	unsigned steers;
};

/* NULL if the dissector is not registered. */
struct harness *harness_new(const char *dissector, uint8_t l4);
/* Feeds bytes of one direction at time ts (pcap_cnt: ts too); gap applies to these bytes. */
enum xdpi_dissect_status harness_feed(struct harness *h, uint8_t dir, const void *p, size_t len,
				      uint64_t ts, bool gap);
/* Records the dissector's steering wishes (as a kernel-backed engine would take them). */
void harness_steering(struct harness *h);
/* LEN bytes of direction DIR went by unseen, as the dissector asked (its skip op). */
void harness_skip(struct harness *h, uint8_t dir, size_t len, uint64_t ts);
/* Ends the flow (the dissector reports what is pending). */
void harness_end(struct harness *h);
void harness_free(struct harness *h);
/* ev[i].obj.key as a string / integer (obj NULL: top level). */
const char *harness_str(struct harness *h, int i, const char *obj, const char *key);
json_int_t harness_int(struct harness *h, int i, const char *obj, const char *key);

#endif
