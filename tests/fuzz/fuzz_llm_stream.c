// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: one LLM call read as the HTTP dissectors hand it over (xdpi/llm.h): a request
 * body, then a response body as JSON, Server-Sent Events or NDJSON, each fed in pieces, then
 * the report (its event written for real). Input: byte 0 picks the API path (bits 0-2) and
 * the response's Content-Type (bits 3-4); byte 1 the piece size; the request body runs to
 * the first NUL, the response body is the rest. */
#include <string.h>
#include "xdpi/dissect.h"
#include "xdpi/llm.h"
#include "fuzz_events.h"

static FILE *devnull;

static void feed(struct xdpi_llm_call *call, bool response, const uint8_t *p, size_t n,
		 size_t piece)
{
	for (size_t off = 0; off < n; off += piece) {
		size_t k = n - off < piece ? n - off : piece;

		if (response)
			xdpi_llm_call__response(call, p + off, k, 1000 + off);
		else
			xdpi_llm_call__request(call, p + off, k, 500 + off);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "/v1/chat/completions", "/v1/messages", "/api/chat",
					     "/api/generate", "/v1/embeddings", "/v1/responses",
					     "/api/embed", "/v1/completions" };
	static const char *const ctypes[] = { "text/event-stream", "application/x-ndjson",
					      "application/json", NULL };
	struct xdpi_llm_cfg cfg = { .content = true };
	struct xdpi_dissect_ctx c = { .event_begin = fuzz_begin, .event_end = fuzz_end };
	struct xdpi_llm *l;
	struct xdpi_llm_call *call;
	const uint8_t *nul;
	size_t piece, req;

	if (size < 2)
		return 0;
	l = xdpi_llm__new(&cfg);
	call = xdpi_llm_call__start(l, "POST", paths[data[0] & 7], "api.example", 100);
	piece = data[1] % 33 + 1;
	nul = memchr(data + 2, 0, size - 2);
	req = nul ? (size_t)(nul - data - 2) : size - 2;
	feed(call, false, data + 2, req, piece);
	xdpi_llm_call__response_head(call, data[0] & 0x80 ? 429 : 200, ctypes[(data[0] >> 3) & 3],
				     data[0] & 0x20 ? "gzip" : NULL, 900);
	if (nul)
		feed(call, true, nul + 1, size - req - 3, piece);
	c.llm = l;
	xdpi_llm_call__end(&c, call, !(data[0] & 0x40));
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (devnull)
		xdpi_llm__expose(l, devnull); /* the metrics of whatever was read */
	xdpi_llm__free(l);
	return 0;
}
