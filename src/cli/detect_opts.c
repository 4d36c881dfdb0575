// SPDX-License-Identifier: GPL-2.0
/* The detection options read and run share: rule files, variables, what a drop does, the
 * anomaly detectors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/http_decode.h"
#include "common.h"
#include "opts.h"

static int opt_rules(void *ctx, const char *arg)
{
	struct xdpi_app_rules *cd = ctx;

	if (cd->nfiles == sizeof(cd->files) / sizeof(cd->files[0])) {
		cli_error("--rules: at most %zu files", cd->nfiles);
		return -1;
	}
	cd->files[cd->nfiles++] = arg;
	return 0;
}

static int opt_rule_var(void *ctx, const char *arg)
{
	struct xdpi_app_rules *cd = ctx;
	char err[256];

	if (!cd->vars && !(cd->vars = xdpi_rule_vars_new()))
		return -1;
	if (xdpi_rule_vars_set(cd->vars, arg, err, sizeof(err))) {
		cli_error("--rule-var %s", err);
		return -1;
	}
	return 0;
}

static int opt_anomaly(void *ctx, const char *arg)
{
	struct xdpi_app_rules *cd = ctx;
	char err[256];

	if (xdpi_anomaly_set(&cd->anomaly, arg, err, sizeof(err))) {
		cli_error("--anomaly %s", err);
		return -1;
	}
	return 0;
}

static int opt_no_anomaly(void *ctx, const char *arg)
{
	(void)arg;
	((struct xdpi_app_rules *)ctx)->anomaly.off = true;
	return 0;
}

static int opt_decode_layers(void *ctx, const char *arg)
{
	uint64_t n;

	(void)ctx;
	if (cli_parse_u64("http-decode-layers", arg, 0, 8, &n))
		return -1;
	xdpi_http_set_decode_layers((unsigned)n);
	return 0;
}

static const struct cli_opt detect_opts[] = {
	CLI_FN("rules", 0, "FILE", opt_rules,
	       "Suricata-style rules to match (repeatable; a quoted glob is\n"
	       "expanded; `xdpi rules check` tells what a file uses that\n"
	       "xdpi does not support)"),
	CLI_FN("rule-var", 0, "NAME=VALUE", opt_rule_var, "$HOME_NET, $HTTP_PORTS, ... (Suricata's defaults)"),
	CLI_U64("drop-ttl", 0, "SEC", struct xdpi_app_rules, drop_ttl_s, 0, 86400 * 365,
		"how long a `drop` rule's match blocks its sender in XDP\n"
		"(default 600; 0: until removed)"),
	CLI_FN("anomaly", 0, "NAME=V", opt_anomaly,
	       "tune an anomaly detector (repeatable): window_s (60),\n"
	       "scan_ports (50), scan_hosts (128), syn_min (200/s),\n"
	       "bytes_min (52428800/s), factor (8), alpha (0.05),\n"
	       "dns_label (40), dns_entropy (4.0), dns_queries (20),\n"
	       "dns_txt (50)"),
	CLI_FN("no-anomaly", 0, NULL, opt_no_anomaly, "no scan, flood, surge or DNS tunnel detection"),
	CLI_FN("http-decode-layers", 0, "N", opt_decode_layers,
	       "Content-Encoding layers of a response body decoded for\n"
	       "file_data and http.response_body (default 2, as Suricata's\n"
	       "response-body-decompress-layer-limit; 0: no limit; at most 8)"),
};

struct cli_optgroup cli_detect_group(struct xdpi_app_rules *cd)
{
	return (struct cli_optgroup)CLI_GROUP(detect_opts, cd);
}

