// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the API metrics' parsers and the cgroup path parser. The first byte picks one:
 * an --api-alert condition (accepted ones are in range), a request path through the router
 * (the route is bounded and looks like a route), an --api-routes file (OpenAPI YAML/JSON or a
 * pattern list), or a cgroup path (a container found has a runtime and an id that is part of
 * the path). Every path also goes through an endpoint table and its exposition. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "xdpi/api.h"
#include "xdpi/context.h"

static void check_cond(const char *s)
{
	struct xdpi_api_cond c;
	char err[128];

	if (xdpi_api_cond_parse(s, &c, err, sizeof(err))) {
		if (!strchr(err, ':'))
			abort(); /* every error names its column */
		return;
	}
	if (c.window_ns < 1000000000ull || c.window_ns > 86400ull * 1000000000ull ||
	    !c.min_requests || c.threshold < 0 ||
	    (c.measure == XDPI_API_ERROR_RATIO && c.threshold >= 1) ||
	    (c.measure == XDPI_API_LATENCY_Q && (c.quantile <= 0 || c.quantile >= 1)))
		abort();
}

static void check_path(const struct xdpi_api_routes *r, const char *path)
{
	struct xdpi_api_cfg cfg = { .routes = r, .route_budget = 4, .nconds = 1 };
	struct xdpi_api_tx tx = { .host = path, .port = 80, .method = path, .path = path,
				  .status = 503, .grpc_status = -1, .latency_ns = 5000000, .ts = 1 };
	char out[64], err[64], *text = NULL;
	size_t len = 0;
	struct xdpi_api *a;
	FILE *f;

	xdpi_api_route(r, path, out, sizeof(out));
	if (strlen(out) >= sizeof(out) || (out[0] != '/' && strcmp(out, "*") &&
					   strcmp(out, "other") && strcmp(out, "unknown")))
		abort();
	if (xdpi_api_cond_parse("error_ratio > 1% for 1s min 1", &cfg.conds[0], err, sizeof(err)))
		abort();
	a = xdpi_api__new(&cfg);
	xdpi_api__record(a, &tx, NULL, NULL, NULL);
	xdpi_api__tick(a, 5000000000ull, NULL, NULL);
	f = open_memstream(&text, &len);
	xdpi_api__expose(a, f);
	fclose(f);
	for (size_t i = 0; i < len; i++) /* label values stay printable */
		if (text[i] != '\n' && (text[i] < 0x20 || text[i] > 0x7e))
			abort();
	free(text);
	xdpi_api__free(a);
}

static void check_file(const uint8_t *data, size_t size)
{
	struct xdpi_api_routes *r = xdpi_api_routes__new();
	char path[64], err[512];
	int fd = memfd_create("routes", 0);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (xdpi_api_routes__load(r, path, err, sizeof(err))) {
		if (!strstr(err, path))
			abort(); /* errors name the file */
	} else {
		check_path(r, "/users/42");
	}
	close(fd);
	xdpi_api_routes__free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (!size)
		return 0;
	if (data[0] == 2) {
		check_file(data + 1, size - 1);
		return 0;
	}
	s = strndup((const char *)data + 1, size - 1);
	if (!s)
		return 0;
	if (data[0] == 0) {
		check_cond(s);
	} else if (data[0] == 3) {
		char id[72], rt[16];

		if (xdpi_container_parse(s, id, sizeof(id), rt, sizeof(rt)) && (!rt[0] || !id[0] || !strstr(s, id)))
			abort();
	} else {
		check_path(NULL, s);
	}
	free(s);
	return 0;
}
