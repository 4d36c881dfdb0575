// SPDX-License-Identifier: GPL-2.0
/* Which requests are LLM API calls, and whose API answers them. One row per endpoint (the path
 * a client library posts to) and one per hosted provider; the provider names are the
 * OpenTelemetry GenAI registry's (gen_ai.provider.name), the operations its
 * gen_ai.operation.name values. Paths are matched by their end, so that a gateway's prefix
 * (/openai/v1/chat/completions, /v1beta/openai/chat/completions) is still recognised. */
#include <string.h>
#include <strings.h>
#include "llm_int.h"

/* Longer suffixes first where one ends another (/chat/completions before /completions). */
static const struct llm_endpoint endpoints[] = {
	{ "/api/chat", LLM_API_OLLAMA, "chat", true },
	{ "/api/generate", LLM_API_OLLAMA, "text_completion", true },
	{ "/api/embed", LLM_API_OLLAMA, "embeddings", false },
	{ "/api/embeddings", LLM_API_OLLAMA, "embeddings", false },
	{ "/v1/messages", LLM_API_ANTHROPIC, "chat", false },
	{ "/chat/completions", LLM_API_OPENAI, "chat", false },
	{ "/completions", LLM_API_OPENAI, "text_completion", false },
	{ "/embeddings", LLM_API_OPENAI, "embeddings", false },
	{ "/responses", LLM_API_OPENAI, "chat", false },
};

struct hosted {
	const char *domain; /* the host, or a suffix of it after a dot */
	const char *provider;
};

static const struct hosted hosted[] = {
	{ "api.openai.com", "openai" },
	{ "openai.azure.com", "azure.ai.openai" },
	{ "api.anthropic.com", "anthropic" },
	{ "api.mistral.ai", "mistral_ai" },
	{ "generativelanguage.googleapis.com", "gcp.gemini" },
	{ "aiplatform.googleapis.com", "gcp.vertex_ai" },
	{ "api.groq.com", "groq" },
	{ "api.deepseek.com", "deepseek" },
	{ "api.x.ai", "x_ai" },
	{ "api.cohere.com", "cohere" },
	{ "api.cohere.ai", "cohere" },
	{ "api.perplexity.ai", "perplexity" },
};

const char *llm_api_name(enum llm_api api)
{
	return api == LLM_API_ANTHROPIC ? "anthropic" : api == LLM_API_OLLAMA ? "ollama" : "openai";
}

const struct llm_endpoint *llm_endpoint_find(const char *path)
{
	size_t n;

	if (!path)
		return NULL;
	n = strcspn(path, "?#");
	while (n > 1 && path[n - 1] == '/')
		n--; /* a trailing slash names the same resource */
	for (size_t i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++) {
		size_t k = strlen(endpoints[i].suffix);

		if (n >= k && !memcmp(path + n - k, endpoints[i].suffix, k))
			return &endpoints[i];
	}
	return NULL;
}

/* Does HOST (N bytes) equal DOMAIN or end in "." DOMAIN? */
static bool in_domain(const char *host, size_t n, const char *domain)
{
	size_t k = strlen(domain);

	return n >= k && !strncasecmp(host + n - k, domain, k) && (n == k || host[n - k - 1] == '.');
}

const char *llm_provider_of(const char *host, enum llm_api api)
{
	size_t n = host ? strlen(host) : 0;
	const char *colon = host ? strrchr(host, ':') : NULL;

	if (colon && !strchr(colon, ']'))
		n = (size_t)(colon - host); /* "host:port"; not inside "[v6]" */
	for (size_t i = 0; n && i < sizeof(hosted) / sizeof(hosted[0]); i++)
		if (in_domain(host, n, hosted[i].domain))
			return hosted[i].provider;
	return llm_api_name(api);
}
