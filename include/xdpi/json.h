/* SPDX-License-Identifier: GPL-2.0 */
/* A small JSON writer into a growable buffer: keys and values in order, strings escaped
 * (invalid UTF-8 bytes become \u00XX so the output always parses). */
#ifndef XDPI_JSON_H
#define XDPI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xdpi_json {
	char *buf;
	size_t len;
	size_t cap;
	int depth;
	bool need_comma[32];
	bool oom; /* an allocation failed: the document is incomplete */
	/* Keys to add to the top-level "xdpi" object (opened for them if the event has none)
	 * when the event closes; set by whoever knows them (the flow's process context), cleared
	 * once written and by reset. */
	void (*xdpi_extra)(void *ctx, struct xdpi_json *j);
	void *xdpi_extra_ctx;
	bool in_top_xdpi; /* the open object at depth 2 is the top-level "xdpi" */
};

void xdpi_json_init(struct xdpi_json *j);
void xdpi_json_reset(struct xdpi_json *j);
void xdpi_json_free(struct xdpi_json *j);
void xdpi_json_obj_open(struct xdpi_json *j, const char *key);  /* key NULL: a value */
void xdpi_json_obj_close(struct xdpi_json *j);
void xdpi_json_arr_open(struct xdpi_json *j, const char *key);
void xdpi_json_arr_close(struct xdpi_json *j);
void xdpi_json_str(struct xdpi_json *j, const char *key, const char *s);
void xdpi_json_strn(struct xdpi_json *j, const char *key, const char *s, size_t n);
void xdpi_json_u64(struct xdpi_json *j, const char *key, uint64_t v);
void xdpi_json_i64(struct xdpi_json *j, const char *key, int64_t v);
void xdpi_json_double(struct xdpi_json *j, const char *key, double v);
void xdpi_json_bool(struct xdpi_json *j, const char *key, bool v);
void xdpi_json_null(struct xdpi_json *j, const char *key); /* "what is not known" */

#endif /* XDPI_JSON_H */
