/* SPDX-License-Identifier: GPL-2.0 */
/* Prometheus metrics: an HTTP endpoint (output/metrics_http.c) serving the text exposition the
 * inspection loop composes (cli/metrics_text.c). */
#ifndef XDPI_METRICS_H
#define XDPI_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct xdpi_metrics;
/* Listens on LISTEN ("ADDR:PORT", ":PORT" for 127.0.0.1). NULL with the reason in ERR. */
struct xdpi_metrics *xdpi_metrics__start(const char *listen, char *err, size_t errlen);
/* The text every scrape gets from now on (copied). */
void xdpi_metrics__publish(struct xdpi_metrics *m, const char *text, size_t len);
uint64_t xdpi_metrics__scrapes(struct xdpi_metrics *m);
void xdpi_metrics__stop(struct xdpi_metrics *m);

#endif /* XDPI_METRICS_H */
