/* SPDX-License-Identifier: GPL-2.0 */
/* Prometheus metrics: an HTTP endpoint (output/metrics_http.c) serving the text exposition the
 * inspection loop composes (cli/metrics_text.c). */
#ifndef XDPI_METRICS_H
#define XDPI_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct xdpi_metrics;
/* Listens on LISTEN ("ADDR:PORT", ":PORT" for 127.0.0.1). NULL with the reason in ERR. */
/* LISTEN's syntax only ("ADDR:PORT" or ":PORT"): 0, or -EINVAL with why in ERR. */
int xdpi_metrics_check_listen(const char *listen, char *err, size_t errlen);
struct xdpi_metrics *xdpi_metrics__start(const char *listen, char *err, size_t errlen);
enum xdpi_metrics_doc {
	XDPI_DOC_METRICS, /* GET /metrics: the Prometheus text exposition */
	XDPI_DOC_TOP,     /* GET /top.json: the largest flows and talkers, for `xdpi top` */
	XDPI_DOC_MAX,
};
/* What every GET of DOC answers from now on (copied). */
void xdpi_metrics__publish(struct xdpi_metrics *m, enum xdpi_metrics_doc doc, const char *text,
			   size_t len);
uint64_t xdpi_metrics__scrapes(struct xdpi_metrics *m);
void xdpi_metrics__stop(struct xdpi_metrics *m);

#endif /* XDPI_METRICS_H */
