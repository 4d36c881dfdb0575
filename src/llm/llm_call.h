/* SPDX-License-Identifier: GPL-2.0 */
/* One LLM call's state, shared by its reader (call.c) and its report (report.c). */
#ifndef XDPI_LLM_CALL_H
#define XDPI_LLM_CALL_H

#include "xdpi/jscan.h"
#include "xdpi/llm.h"
#include "llm_int.h"

#define LLM_TEXT_MAX 16384 /* prompt or completion text kept for detection and events */
#define LLM_SEGS_MAX 32    /* where each string of the prompt starts in it */

enum llm_format { LLM_FMT_JSON, LLM_FMT_SSE, LLM_FMT_NDJSON };

/* A string of the prompt: where it starts in the kept text, the message it belongs to. */
struct llm_seg {
	uint32_t off;
	uint16_t msg;
	uint8_t in_messages; /* 1: messages[msg]; 0: a top-level field (system, prompt, input) */
};

struct llm_text {
	char *buf;            /* LLM_TEXT_MAX bytes once text is kept; NULL otherwise */
	uint32_t len;
	uint64_t total;       /* bytes of text seen, kept or not */
	uint64_t pos;         /* where the next byte is (or would be) in the kept text */
	bool cut;             /* more than LLM_TEXT_MAX */
	uint32_t nseg;
	struct llm_seg seg[LLM_SEGS_MAX];
	uint32_t invisible;   /* invisible characters (format, private use) */
	uint64_t invisible_at; /* the first one's offset in the text */
	uint32_t u8_cp;
	uint8_t u8_need;
};

#define LLM_FINDINGS_MAX 16

/* A rule's match in the prompt or completion: for the event, and redacted from its text. */
struct llm_finding {
	uint32_t sid;
	uint8_t buf;         /* enum xdpi_buffer */
	bool redact;         /* the rule says its match is a secret (metadata xdpi_redact) */
	uint32_t off, len;
};

struct llm_sse {
	uint8_t state, flen, marker_len;
	char field[8];
	char marker[8];
	bool is_marker, after_cr;
	uint32_t data_lines;
};

struct xdpi_llm_call {
	struct xdpi_llm *l;
	const struct llm_endpoint *ep;
	const char *provider;
	char host[128], path[256];
	uint64_t t_start, t_head, t_first, t_last, now;
	bool keep_text;
	/* the request */
	struct xdpi_jscan req;
	bool req_object, req_model_seen, req_gap, include_usage, has_temperature;
	int8_t stream;        /* -1: not said */
	char req_model[96];
	int64_t max_tokens;   /* -1: not said */
	uint32_t messages, tools;
	double temperature;
	uint64_t req_bytes;
	/* the response */
	bool head_seen, resp_gap, doc_fed, done_marker, tool_calls;
	int status;
	enum llm_format fmt;
	struct xdpi_jscan resp;
	struct xdpi_http_decoder *dec; /* the response's Content-Encoding */
	struct llm_sse sse;
	uint32_t docs, doc_errors, events;
	char resp_model[96], resp_id[80], finish[40];
	char err_type[64], err_code[64], err_msg[200];
	bool usage_seen, in_seen, out_seen;
	uint64_t in, out, cache_read, cache_write, cached;
	uint64_t resp_bytes;
	struct llm_text prompt, completion;
	struct llm_finding findings[LLM_FINDINGS_MAX];
	uint32_t nfindings, findings_lost;
};

/* Does the view keep the prompt's and completion's text (events or detection want it)? */
bool llm_keep_text(const struct xdpi_llm *l);
const struct xdpi_llm_cfg *llm_cfg(const struct xdpi_llm *l);
/* The response's last bytes through its decoder (before the report). */
void llm_response_end(struct xdpi_llm_call *c);
/* Counts a call the metrics never see (not confirmed as one). */
void llm_count_unconfirmed(struct xdpi_llm *l);

#endif /* XDPI_LLM_CALL_H */
