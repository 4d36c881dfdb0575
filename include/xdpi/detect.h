/* SPDX-License-Identifier: GPL-2.0 */
/* Detection: a rule set loaded from Suricata-style rule files, a Hyperscan prefilter per
 * buffer, full verification of the candidates, per-flow state (flowbits), thresholds, and
 * the verdicts handed to the caller as alerts. */
#ifndef XDPI_DETECT_H
#define XDPI_DETECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "xdpi/decode.h"
#include "xdpi/flow.h"
#include "xdpi/inspect.h"
#include "xdpi/rules.h"

#define XDPI_DETECT_COUNTERS(X)                                                       \
	X(INSPECTED_PKTS, "packets")                                                  \
	X(INSPECTED_TX, "transactions")                                               \
	X(CANDIDATES, "candidates")                                                   \
	X(MATCHES, "matches")                                                         \
	X(ALERTS, "alerts")                                                           \
	X(DROPS, "drops")                                                             \
	X(PASSES, "passes")                                                           \
	X(SUPPRESSED, "suppressed_by_threshold")                                      \
	X(THRESHOLD_EVICTED, "threshold_state_evicted")                               \
	X(FLOWBITS_NOMEM, "flowbits_nomem")                                           \
	X(SCAN_ERRORS, "prefilter_errors")

enum xdpi_detect_counter {
#define XDPI_X_ENUM(id, name) XDPI_DCNT_##id,
	XDPI_DETECT_COUNTERS(XDPI_X_ENUM)
#undef XDPI_X_ENUM
	XDPI_DCNT_MAX,
};

/* What loading found, for `xdpi rules check` and the stats event. */
struct xdpi_rules_skip { char what[48]; uint32_t rules; };

struct xdpi_rules_report {
	uint32_t files, rules, loaded, skipped, errors;
	struct xdpi_rules_skip *skips; /* skipped rules by the first unsupported keyword */
	uint32_t n_skips;
	uint32_t by_stage[XDPI_STAGE_MAX];
	uint32_t prefiltered;    /* rules behind the Hyperscan prefilter */
	uint32_t unfiltered;     /* checked at every inspection of their stage */
	uint32_t addr_indexed;   /* header-only rules found through their address list */
	uint32_t port_indexed;   /* ... or through their few ports */
	uint32_t port_grouped;   /* prefiltered TCP payload rules in port groups (compiled) */
	uint32_t port_groups;    /* ... and the groups they make */
	uint32_t kernel;         /* header-only reputation rules compiled into the XDP maps */
	uint32_t duplicates;     /* same sid loaded twice: the later one is dropped */
};

/* One verdict. */
struct xdpi_alert {
	const struct xdpi_rule *rule;
	struct xdpi_flow *flow;       /* NULL: a kernel-counted reputation rule */
	uint8_t dir;                  /* 0: the packet or message came from the client */
	const struct xdpi_inspect *in; /* the buffers that matched (stage tells which) */
	uint64_t ts;
	uint64_t kernel_hits;         /* reputation rules: packets since the last report */
	uint64_t kernel_bytes;
	int where_buf;                /* the evidence: buffer, offset, length (-1: none) */
	uint32_t where_off, where_len;
};
/* Returns true when a drop was carried out (the alert then says "blocked"). */
typedef bool (*xdpi_alert_fn)(void *ctx, struct xdpi_alert *a);

struct xdpi_detect;

struct xdpi_detect *xdpi_detect__new(void);
void xdpi_detect__free(struct xdpi_detect *d);
/* Reads the rules of PATH. Malformed rules are written to ERRS and skipped ones to SKIPS
 * (NULL: not written), one line each with file:line(:col), sid and why; both are counted in
 * the report. Returns 0, or -errno when PATH cannot be read (said on ERRS). */
int xdpi_detect__load(struct xdpi_detect *d, const char *path, const struct xdpi_rule_vars *vars,
		      FILE *errs, FILE *skips);
int xdpi_detect__load_text(struct xdpi_detect *d, const char *name, const char *text, size_t len,
			   const struct xdpi_rule_vars *vars, FILE *errs, FILE *skips);
/* Builds the prefilter databases; call once after loading. Returns 0 or -EINVAL (ERR). */
int xdpi_detect__compile(struct xdpi_detect *d, char *err, size_t errlen);
const struct xdpi_rules_report *xdpi_detect__report(const struct xdpi_detect *d);
size_t xdpi_detect__rules(const struct xdpi_detect *d, const struct xdpi_rule **out);

/* Header-only reputation rules the kernel can count: action alert or drop, protocol ip, any
 * ports, one side a written-out address list and the other any or a variable. FN is called
 * for each, between loading and compile; rules it accepts (returns true) leave user-space
 * inspection. R is valid during the call only. */
typedef bool (*xdpi_kernel_rule_fn)(void *ctx, const struct xdpi_rule *r, bool by_source);
void xdpi_detect__offload(struct xdpi_detect *d, xdpi_kernel_rule_fn fn, void *ctx);

/* Inspection points. DIR is 0 for what comes from the client. */
void xdpi_detect__packet(struct xdpi_detect *d, struct xdpi_flow *f, const struct xdpi_decoded *p,
			 uint8_t dir, uint64_t ts, xdpi_alert_fn fn, void *ctx);
void xdpi_detect__tx(struct xdpi_detect *d, struct xdpi_flow *f, uint8_t dir, uint64_t ts,
		     const struct xdpi_inspect *in, xdpi_alert_fn fn, void *ctx);
/* A packet the decoder refused (its IP header sound, D->reason set): the decode-event rules
 * about it, against a flow of this packet alone. */
void xdpi_detect__invalid_packet(struct xdpi_detect *d, const struct xdpi_decoded *p, uint64_t ts,
				 xdpi_alert_fn fn, void *ctx);
/* Frees F's detection state. */
void xdpi_detect__flow_end(struct xdpi_detect *d, struct xdpi_flow *f);
const uint64_t *xdpi_detect__counters(const struct xdpi_detect *d);
/* The inspection points some loaded rule uses (1 << enum xdpi_stage). */
uint32_t xdpi_detect__stages(const struct xdpi_detect *d);
const char *xdpi_detect_counter_name(enum xdpi_detect_counter c);
/* Alerts for the offloaded rules from their kernel counters (detect/kernel_rules.c). READ
 * gives a sid's packets and bytes so far (0, or -errno to skip it). */
typedef int (*xdpi_rule_counter_fn)(void *ctx, uint32_t sid, uint64_t *pkts, uint64_t *bytes);
struct xdpi_kernel_rules;
struct xdpi_kernel_rules *xdpi_kernel_rules__new(const struct xdpi_detect *d);
void xdpi_kernel_rules__free(struct xdpi_kernel_rules *kr);
size_t xdpi_kernel_rules__count(const struct xdpi_kernel_rules *kr);
void xdpi_kernel_rules__report(struct xdpi_kernel_rules *kr, uint64_t now,
			       xdpi_rule_counter_fn read, void *rctx, xdpi_alert_fn fn, void *ctx);
/* A second matcher on the same compiled rules, for another thread: its own prefilter
 * scratch, candidate lists, counters and threshold state; the rules, databases and indexes
 * stay D's (free the clone before D). NULL without memory. */
struct xdpi_detect *xdpi_detect__clone(const struct xdpi_detect *d);
/* The rule with SID, or NULL. */
const struct xdpi_rule *xdpi_detect__by_sid(const struct xdpi_detect *d, uint32_t sid);

#endif /* XDPI_DETECT_H */
