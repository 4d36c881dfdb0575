/* SPDX-License-Identifier: GPL-2.0 */
/* Detection internals shared by the files of src/detect. */
#ifndef XDPI_DETECT_INT_H
#define XDPI_DETECT_INT_H

#include <pthread.h>

#include <stddef.h>
#include <stdint.h>

struct xdpi_buf_view;
struct xdpi_rule;
struct xdpi_xform;

/* Emerging Threats' classification.config: the default priority (3 if unknown) and the
 * description (the alert's category) of a classtype. */
uint32_t xdpi_classtype_priority(const char *classtype);
const char *xdpi_classtype_desc(const char *classtype);

/* Transforms (transform.c): a view's transforms over IN, through two scratch buffers of
 * XDPI_XFORM_OUT bytes; returns the result and sets *OUT_LEN. */
#define XDPI_XFORM_OUT 65536
const uint8_t *xdpi_xform_view(const struct xdpi_buf_view *v, const uint8_t *in, size_t n,
			       uint8_t *scratch[2], size_t *out_len);
void xdpi_xform_free(struct xdpi_xform *x);
/* Base64 of IN into OUT (enum xdpi_b64_mode: RFC 4648 stops at the first byte outside the
 * alphabet, RFC 2045 passes over it, strict gives nothing); whole quanta, and the bits of a
 * last partial one. Returns the bytes written. */
size_t xdpi_base64_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, int mode);

/* The machine code of every pcre of RULES (N of them), compiled on a thread of its own while
 * the caller goes on (the prefilter's databases compile meanwhile); _wait joins it. Without a
 * thread, _wait compiles them itself. (rule_match.c) */
struct xdpi_rules_jit {
	const struct xdpi_rule *rules;
	uint32_t n;
	bool started;
	pthread_t thread;
};

void xdpi_rules_jit_start(struct xdpi_rules_jit *j, const struct xdpi_rule *rules, uint32_t n);
void xdpi_rules_jit_wait(struct xdpi_rules_jit *j);

#endif /* XDPI_DETECT_INT_H */
