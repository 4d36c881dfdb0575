/* SPDX-License-Identifier: GPL-2.0 */
/* The application (src/app): a pipeline from a packet source through the engine (or its
 * workers) to the outputs, wired the way `xdpi run` and `xdpi read` wire it, for any program
 * that links libxdpi. The command line (src/cli) only fills these structs and prints. */
#ifndef XDPI_APP_H
#define XDPI_APP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include "xdpi/anomaly.h"
#include "xdpi/api.h"
#include "xdpi/llm.h"
#include "xdpi/capture.h"
#include "xdpi/cidr_list.h"
#include "xdpi/decode.h"
#include "xdpi/detect.h"
#include "xdpi/engine.h"
#include "xdpi/loader.h"
#include "xdpi/output.h"
#include "xdpi/port_rules.h"
#include "xdpi/workers.h"

struct xdpi_outputs;

/* ---- detection: rule files and the anomaly detectors (app/rules.c) ---- */
struct xdpi_app_rules {
	const char *files[64]; /* files or quoted glob patterns */
	size_t nfiles;
	struct xdpi_rule_vars *vars;
	uint64_t drop_ttl_s;
	bool verbose;          /* list skipped rules */
	struct xdpi_anomaly_cfg anomaly;
	struct xdpi_detect *d; /* after xdpi_app_rules_load, when files were given */
};
/* Loads and compiles the files (nothing without any); OFFLOAD (may be NULL) may take
 * header-only reputation rules into the kernel. Says a one-line summary. 0 or -1 (said). */
int xdpi_app_rules_load(struct xdpi_app_rules *r, xdpi_kernel_rule_fn offload, void *octx);
void xdpi_app_rules_free(struct xdpi_app_rules *r);

/* ---- API metrics, process context, and the outputs beside EVE (app/observe.c) ---- */
struct xdpi_app_observe {
	const char *routes_file;
	uint64_t route_budget;
	struct xdpi_api_cfg api_cfg;
	bool process_context;  /* socket hooks (run) */
	bool tls_plaintext;    /* TLS library probes (run) */
	uint64_t tls_plaintext_bytes; /* the most of one library call copied */
	struct xdpi_output_cfg out; /* the outputs, EVE included */
	uint64_t pcap_rotate_mb, pcap_keep; /* into out when opened */
	bool no_llm;           /* --no-llm: no LLM view */
	bool llm_content;      /* --llm-content: prompt and completion text in llm events */
	const char *llm_prices_file;
	uint64_t llm_model_budget;
	const char *apps_file;  /* --apps: DNS suffixes to applications, over the built-in table */
	bool no_dns_names;      /* --no-dns-names: no application names from DNS answers */
	/* after opening */
	struct xdpi_outputs *outputs;
	struct xdpi_sock_ctx *sock_ctx;
	struct xdpi_tls_plain *tls_plain;
	struct xdpi_api_routes *routes;
	struct xdpi_api *api;
	struct xdpi_llm_prices llm_prices;
	struct xdpi_llm *llm;
};
/* Reads the files the options name (--api-routes), as --check-config does. 0 or -1 (said). */
int xdpi_app_observe_check(const struct xdpi_app_observe *o);

/* ---- what read and run share ---- */
struct xdpi_app_common {
	struct xdpi_flow_timeouts timeouts;
	uint64_t max_flows;
	uint8_t steer;
	uint64_t head_pkts;
	uint64_t head_budget; /* --head-budget: bytes past a message head's start (msg) */
	uint64_t snaplen;
	struct xdpi_decode_opts decode; /* --tunnel-ignore, --vxlan-port: both halves */
	struct xdpi_steer_port ports[64]; /* --snip-port */
	size_t nports;
	int verbose;
	uint64_t workers;
	struct xdpi_app_rules rules;
	struct xdpi_app_observe observe;
};
void xdpi_app_defaults(struct xdpi_app_common *c);

/* ---- offline: a capture file (app/offline.c) ---- */
struct xdpi_offline_cfg {
	struct xdpi_app_common common;
	const char *path;
	bool through_kernel; /* every packet through the real XDP program first */
	bool no_stats;
};
/* Reads the file through the pipeline. 0; 1 when nothing could be read or events were lost;
 * problems are said on standard error. */
int xdpi_offline_run(struct xdpi_offline_cfg *c);

/* ---- live: an interface (app/live.c) ---- */
#define XDPI_LIVE_LISTS_MAX 16

/* A --block or --allow list, parsed before anything is attached. */
struct xdpi_live_list {
	const char *path;
	uint8_t action; /* enum xdpi_policy_action */
	struct xdpi_cidr_list cidrs;
};

struct xdpi_lb_conf;
struct xdpi_live_cfg {
	struct xdpi_app_common common;
	const char *ifname;
	enum xdpi_xdp_mode xdp_mode;
	bool no_egress;
	bool policy_outer;     /* --policy-outer: a tunnel's outer addresses meet the policy too */
	uint64_t ringbuf_size;
	uint64_t stats_interval; /* seconds; 0: only at exit */
	uint64_t duration;       /* seconds; 0: until stopped */
	struct xdpi_live_list lists[XDPI_LIVE_LISTS_MAX];
	size_t nlists;
	struct xdpi_port_rules ports;
	struct xdpi_limits limits; /* as the kernel takes them */
	uint64_t bypass_bytes;
	bool no_bypass;
	bool persist;
	bool no_pin;
	bool tap;
	const char *metrics_listen;
	struct xdpi_afxdp_cfg xsk;
	struct xdpi_lb_conf *lb;  /* --lb FILE: the balancer (NULL: none) */
	bool lb_decap;            /* --lb-decap: a balancer's backend */
};
void xdpi_live_cfg_free(struct xdpi_live_cfg *c); /* the lists and port rules */

struct xdpi_live;
/* Loads, installs the policy and the rules, attaches, opens the outputs. NULL on failure
 * (said). */
struct xdpi_live *xdpi_live__open(struct xdpi_live_cfg *c);
/* Inspects until *STOP (or the duration, or the output's reader going away); *REOPEN (SIGHUP)
 * reopens the EVE file. Then drains, ends every flow, writes the last stats. 0 or -1. */
int xdpi_live__run(struct xdpi_live *l, volatile sig_atomic_t *stop,
		   volatile sig_atomic_t *reopen);
/* Detaches (unless --persist) and frees. Returns 1 when events were lost, else 0. */
int xdpi_live__free(struct xdpi_live *l);
const char *xdpi_live__xdp_mode(const struct xdpi_live *l);
const char *xdpi_live__tc_mode(const struct xdpi_live *l);
const char *xdpi_live__pin_dir(const struct xdpi_live *l);
/* Tap mode: AF_XDP sockets opened, and whether zero-copy. */
void xdpi_live__afxdp(const struct xdpi_live *l, uint32_t *queues, bool *zerocopy);

#endif /* XDPI_APP_H */
