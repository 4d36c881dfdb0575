/* SPDX-License-Identifier: GPL-2.0 */
/* LLM view internals: the API table (providers.c) and the names of the metrics (semconv.c). */
#ifndef XDPI_LLM_INT_H
#define XDPI_LLM_INT_H

#include <stdbool.h>
#include <stddef.h>

/* The wire formats: how a request and its response are written. */
enum llm_api { LLM_API_OPENAI, LLM_API_ANTHROPIC, LLM_API_OLLAMA };

/* One LLM API endpoint: a request path ending in SUFFIX (a whole segment). */
struct llm_endpoint {
	const char *suffix;
	enum llm_api api;
	const char *operation;   /* gen_ai.operation.name */
	bool stream_default;     /* Ollama streams unless told not to */
};

const char *llm_api_name(enum llm_api api);
/* The endpoint of PATH (a query string is ignored), or NULL. */
const struct llm_endpoint *llm_endpoint_find(const char *path);
/* gen_ai.provider.name for a call to HOST (may be NULL, may carry ":port") in format API:
 * the well-known hosted APIs by name, otherwise the wire format's own name. */
const char *llm_provider_of(const char *host, enum llm_api api);

#endif /* XDPI_LLM_INT_H */
