// SPDX-License-Identifier: GPL-2.0
/* API exception conditions, as an operator writes them:
 *   error_ratio > 5% for 1m          the share of 5xx (and gRPC non-OK) responses
 *   p99 > 250ms for 30s min 50       a latency quantile, with at least 50 requests
 * Errors name the column, so a long --api-alert shows where it went wrong. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/api.h"

#define MIN_REQUESTS_DEFAULT 10

struct cursor {
	const char *start, *p;
	char *err;
	size_t errlen;
};

static int fail(struct cursor *c, const char *why)
{
	snprintf(c->err, c->errlen, "%d: %s", (int)(c->p - c->start) + 1, why);
	return -1;
}

static void blanks(struct cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t')
		c->p++;
}

static bool word(struct cursor *c, const char *w)
{
	size_t n = strlen(w);

	blanks(c);
	if (strncmp(c->p, w, n) || isalnum((unsigned char)c->p[n]) || c->p[n] == '_')
		return false;
	c->p += n;
	return true;
}

static int number(struct cursor *c, double *v)
{
	char *end;

	blanks(c);
	if (!isdigit((unsigned char)*c->p) && *c->p != '.')
		return fail(c, "expected a number");
	*v = strtod(c->p, &end);
	if (!isfinite(*v))
		return fail(c, "the number is out of range");
	c->p = end;
	return 0;
}

/* A quantile written pNN at the cursor (after its prefix). */
static int quantile(struct cursor *c, struct xdpi_api_cond *cond, enum xdpi_api_measure m)
{
	double q;

	c->p++;
	if (number(c, &q))
		return -1;
	if (q <= 0 || q >= 100)
		return fail(c, "a quantile is between p0 and p100, as in p99");
	cond->measure = m;
	cond->quantile = q / 100;
	return 0;
}

static int llm_measure(struct cursor *c, struct xdpi_api_cond *cond)
{
	if (word(c, "llm_tokens"))
		cond->measure = XDPI_API_LLM_TOKENS;
	else if (word(c, "llm_cost"))
		cond->measure = XDPI_API_LLM_COST;
	else if (word(c, "llm_429_ratio"))
		cond->measure = XDPI_API_LLM_429_RATIO;
	else if (!strncmp(c->p, "llm_ttft_p", 10) && isdigit((unsigned char)c->p[10]))
		return c->p += 9, quantile(c, cond, XDPI_API_LLM_TTFT_Q);
	else
		return fail(c, "expected llm_tokens, llm_cost, llm_429_ratio or llm_ttft_pNN");
	if (cond->measure != XDPI_API_LLM_429_RATIO)
		cond->min_requests = 1; /* a sum: one call may already be too much */
	return 0;
}

static int measure(struct cursor *c, struct xdpi_api_cond *cond)
{
	blanks(c);
	if (!strncmp(c->p, "llm_", 4))
		return llm_measure(c, cond);
	if (word(c, "error_ratio")) {
		cond->measure = XDPI_API_ERROR_RATIO;
		return 0;
	}
	if (*c->p == 'p' && isdigit((unsigned char)c->p[1]))
		return quantile(c, cond, XDPI_API_LATENCY_Q);
	return fail(c, "expected error_ratio, a latency quantile such as p99, or an llm_ measure");
}

static int threshold(struct cursor *c, struct xdpi_api_cond *cond)
{
	double v;

	if (number(c, &v))
		return -1;
	if (cond->measure == XDPI_API_ERROR_RATIO || cond->measure == XDPI_API_LLM_429_RATIO) {
		if (*c->p == '%')
			c->p++, v /= 100;
		if (v < 0 || v >= 1)
			return fail(c, "a ratio threshold is below 1 (or 100%)");
	} else if (cond->measure == XDPI_API_LLM_TOKENS || cond->measure == XDPI_API_LLM_COST) {
		/* a number of tokens, or of US dollars */
	} else if (!strncmp(c->p, "ms", 2)) {
		c->p += 2, v /= 1e3;
	} else if (!strncmp(c->p, "us", 2)) {
		c->p += 2, v /= 1e6;
	} else if (*c->p == 's') {
		c->p++;
	} else {
		return fail(c, "a latency needs its unit: us, ms or s");
	}
	cond->threshold = v;
	return 0;
}

static int duration(struct cursor *c, uint64_t *ns)
{
	double v, unit;

	if (number(c, &v))
		return -1;
	switch (*c->p) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	default: return fail(c, "a window needs its unit: s, m or h, as in 60s or 1m");
	}
	c->p++;
	v *= unit;
	if (v < 1 || v > 86400)
		return fail(c, "a window is between 1s and 24h");
	*ns = (uint64_t)(v * 1e9);
	return 0;
}

int xdpi_api_cond_parse(const char *text, struct xdpi_api_cond *cond, char *err, size_t errlen)
{
	struct cursor c = { .start = text, .p = text, .err = err, .errlen = errlen };
	double min;

	memset(cond, 0, sizeof(*cond));
	cond->min_requests = MIN_REQUESTS_DEFAULT;
	if (strlen(text) >= sizeof(cond->text)) {
		c.p = text + sizeof(cond->text) - 1;
		return fail(&c, "a condition is at most 127 bytes");
	}
	snprintf(cond->text, sizeof(cond->text), "%s", text);
	if (measure(&c, cond))
		return -1;
	blanks(&c);
	if (*c.p != '>')
		return fail(&c, "expected '>'");
	c.p++;
	if (threshold(&c, cond))
		return -1;
	if (!word(&c, "for"))
		return fail(&c, "expected 'for' and a window, as in 'for 1m'");
	if (duration(&c, &cond->window_ns))
		return -1;
	if (word(&c, "min")) {
		if (number(&c, &min))
			return -1;
		if (min < 1 || min > 1e9 || min != floor(min))
			return fail(&c, "min is a whole number of requests (1 or more)");
		cond->min_requests = (uint64_t)min;
	}
	blanks(&c);
	if (*c.p)
		return fail(&c, "unexpected text after the condition");
	return 0;
}
