// SPDX-License-Identifier: GPL-2.0
// A local LLM API server for the e2e test: OpenAI (chat completions, embeddings), Anthropic
// (messages) and Ollama (chat, generate) wire formats, streamed (SSE, NDJSON) and not, over
// HTTP/1.1 (PORT) and HTTP/2 cleartext with prior knowledge (PORT + 1). No model runs: the
// completion is a fixed word list, and the usage it reports is counted from the request
// (input: the words of the prompt; output: the words sent). Behaviour is chosen by the
// model's name: "*-400" answers 400, "*-429once" answers 429 to its first call, "*-529"
// answers Anthropic's overloaded error, "*-nousage" streams without usage, "*-slow" streams
// a long answer slowly (for a client that aborts), "*-miderror" fails in the middle of a
// stream. Every call is logged as one JSON line (the server's own truth) to LOG.
//
//   node server.mjs HOST PORT LOG [CERT KEY]   (with CERT and KEY, HTTPS on PORT + 2 too)
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import fs from 'node:fs';

const [host, port, logFile, certFile, keyFile] = process.argv.slice(2);
const log = fs.openSync(logFile, 'a');
const WORDS = 'the quick brown fox jumps over the lazy dog again and again until dusk'.split(' ');
const seen429 = new Set();
let nextId = 1;

function words(s) {
	return String(s).split(/\s+/).filter(Boolean).length;
}

// The prompt's words, wherever the API puts them.
function promptWords(api, b) {
	let n = 0;
	const text = (c) => (typeof c === 'string' ? words(c)
		: Array.isArray(c) ? c.reduce((a, p) => a + (p.text ? words(p.text) : 0), 0) : 0);
	for (const m of b.messages || []) n += text(m.content);
	if (b.system) n += text(b.system);
	if (b.prompt) n += words(b.prompt);
	if (b.input) n += Array.isArray(b.input) ? b.input.reduce((a, s) => a + words(s), 0) : words(b.input);
	return Math.max(n, 1);
}

function outCount(api, b) {
	const max = b.max_tokens || b.max_completion_tokens || (b.options && b.options.num_predict);
	const slow = /-slow$/.test(b.model || '');
	return Math.min(max || 6, slow ? 200 : 64);
}

function record(o) {
	fs.writeSync(log, JSON.stringify(o) + '\n');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function sendJson(res, status, obj, headers = {}) {
	const body = JSON.stringify(obj);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
	res.end(body);
}

// Writes a stream: PIECES is a list of strings, the first after FIRST ms, then every GAP ms.
// Returns the number written before the client went away.
async function stream(res, ctype, pieces, first, gap) {
	res.writeHead(200, { 'content-type': ctype, 'cache-control': 'no-cache' });
	let sent = 0;
	for (const p of pieces) {
		await sleep(sent ? gap : first);
		if (res.destroyed || res.writableEnded || (res.stream && res.stream.destroyed)) break;
		res.write(p);
		sent++;
	}
	if (!res.destroyed) res.end();
	return sent;
}

function errorFor(api, model, id) {
	if (/-400$/.test(model)) return [400, 'invalid_request_error', 'max_tokens is too large'];
	if (/-429once$/.test(model) && !seen429.has(id)) {
		seen429.add(id);
		return [429, 'rate_limit_error', 'Rate limit reached, retry later'];
	}
	if (/-529$/.test(model)) return [529, 'overloaded_error', 'Overloaded'];
	return null;
}

function errorBody(api, status, type, message) {
	if (api === 'anthropic') return { type: 'error', error: { type, message } };
	if (api === 'ollama') return { error: message };
	return { error: { message, type, param: null, code: status === 429 ? 'rate_limit_exceeded' : null } };
}

async function openaiChat(req, res, b, logRow) {
	const id = `chatcmpl-${nextId++}`;
	const n = outCount('openai', b), inTok = promptWords('openai', b);
	const model = `${b.model}-2026-01-01`;
	const usage = { prompt_tokens: inTok, completion_tokens: n, total_tokens: inTok + n,
		prompt_tokens_details: { cached_tokens: 0 } };
	Object.assign(logRow, { id, response_model: model });
	if (!b.stream) {
		const text = WORDS.slice(0, n).join(' ');
		Object.assign(logRow, { input_tokens: inTok, output_tokens: n, usage_sent: true });
		return sendJson(res, 200, { id, object: 'chat.completion', created: 1, model,
			choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage });
	}
	const withUsage = b.stream_options && b.stream_options.include_usage && !/-nousage$/.test(b.model);
	const chunk = (delta, finish, u) => `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model,
		choices: u ? [] : [{ index: 0, delta, finish_reason: finish }], ...(withUsage ? { usage: u || null } : {}) })}\n\n`;
	const pieces = [chunk({ role: 'assistant', content: '' }, null)];
	for (let i = 0; i < n; i++) pieces.push(chunk({ content: (i ? ' ' : '') + WORDS[i % WORDS.length] }, null));
	if (/-miderror$/.test(b.model)) {
		pieces.splice(3);
		pieces.push(`data: ${JSON.stringify({ error: { message: 'The server had an error', type: 'server_error' } })}\n\n`);
		Object.assign(logRow, { mid_error: 'server_error' });
	} else {
		pieces.push(chunk({}, 'stop'));
		if (withUsage) pieces.push(chunk(null, null, usage));
		pieces.push('data: [DONE]\n\n');
	}
	const slow = /-slow$/.test(b.model);
	const sent = await stream(res, 'text/event-stream; charset=utf-8', pieces, 120, slow ? 40 : 15);
	Object.assign(logRow, { input_tokens: inTok, output_tokens: n, usage_sent: !!withUsage, complete: sent === pieces.length });
}

async function openaiEmbeddings(req, res, b, logRow) {
	const inTok = promptWords('openai', b), inputs = Array.isArray(b.input) ? b.input : [b.input];
	Object.assign(logRow, { input_tokens: inTok, usage_sent: true, response_model: b.model });
	sendJson(res, 200, { object: 'list', model: b.model,
		data: inputs.map((_, i) => ({ object: 'embedding', index: i, embedding: [0.1, 0.2, 0.3] })),
		usage: { prompt_tokens: inTok, total_tokens: inTok } });
}

async function anthropicMessages(req, res, b, logRow) {
	const id = `msg_${nextId++}`;
	const n = outCount('anthropic', b), inTok = promptWords('anthropic', b);
	const cacheRead = 4; // a cached system prompt, reported beside input_tokens
	const model = b.model;
	Object.assign(logRow, { id, response_model: model, input_tokens: inTok + cacheRead, output_tokens: n, usage_sent: true });
	if (!b.stream) {
		return sendJson(res, 200, { id, type: 'message', role: 'assistant', model,
			content: [{ type: 'text', text: WORDS.slice(0, n).join(' ') }], stop_reason: 'end_turn', stop_sequence: null,
			usage: { input_tokens: inTok, output_tokens: n, cache_read_input_tokens: cacheRead, cache_creation_input_tokens: 0 } });
	}
	const ev = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
	const pieces = [ev('message_start', { message: { id, type: 'message', role: 'assistant', model, content: [],
		stop_reason: null, usage: { input_tokens: inTok, output_tokens: 1, cache_read_input_tokens: cacheRead, cache_creation_input_tokens: 0 } } }),
	ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }), ev('ping', {})];
	for (let i = 0; i < n; i++) pieces.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: (i ? ' ' : '') + WORDS[i % WORDS.length] } }));
	pieces.push(ev('content_block_stop', { index: 0 }),
		ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: n } }),
		ev('message_stop', {}));
	const sent = await stream(res, 'text/event-stream', pieces, 120, /-slow$/.test(b.model) ? 40 : 15);
	Object.assign(logRow, { complete: sent === pieces.length });
}

async function ollama(req, res, b, logRow, generate) {
	const n = outCount('ollama', b), inTok = promptWords('ollama', b), model = b.model;
	const base = { model, created_at: '2026-12-05T00:00:00Z' };
	const piece = (t) => (generate ? { response: t } : { message: { role: 'assistant', content: t } });
	const final = { done: true, done_reason: 'stop', total_duration: 1000, load_duration: 10,
		prompt_eval_count: inTok, prompt_eval_duration: 100, eval_count: n, eval_duration: 500 };
	Object.assign(logRow, { response_model: model, input_tokens: inTok, output_tokens: n, usage_sent: true });
	if (b.stream === false) {
		return sendJson(res, 200, { ...base, ...piece(WORDS.slice(0, n).join(' ')), ...final });
	}
	const pieces = [];
	for (let i = 0; i < n; i++) pieces.push(JSON.stringify({ ...base, ...piece((i ? ' ' : '') + WORDS[i % WORDS.length]), done: false }) + '\n');
	pieces.push(JSON.stringify({ ...base, ...piece(''), ...final }) + '\n');
	const sent = await stream(res, 'application/x-ndjson', pieces, 120, /-slow$/.test(b.model) ? 40 : 15);
	Object.assign(logRow, { complete: sent === pieces.length });
}

async function ollamaEmbed(req, res, b, logRow) {
	const inTok = promptWords('ollama', b), inputs = Array.isArray(b.input) ? b.input : [b.input];
	Object.assign(logRow, { response_model: b.model, input_tokens: inTok, usage_sent: true });
	sendJson(res, 200, { model: b.model, embeddings: inputs.map(() => [0.1, 0.2]), total_duration: 10,
		load_duration: 1, prompt_eval_count: inTok });
}

const routes = {
	'/v1/chat/completions': ['openai', openaiChat],
	'/v1/embeddings': ['openai', openaiEmbeddings],
	'/v1/messages': ['anthropic', anthropicMessages],
	'/api/chat': ['ollama', (q, r, b, l) => ollama(q, r, b, l, false)],
	'/api/generate': ['ollama', (q, r, b, l) => ollama(q, r, b, l, true)],
	'/api/embed': ['ollama', ollamaEmbed],
};

async function handle(req, res) {
	const path = req.url.split('?')[0];
	const route = routes[path];
	let body = '';
	for await (const c of req) body += c;
	if (!route || req.method !== 'POST') return sendJson(res, 404, { error: 'not found' });
	const [api, fn] = route;
	let b;
	try {
		b = JSON.parse(body);
	} catch {
		return sendJson(res, 400, { error: 'bad json' });
	}
	const logRow = { api, path, model: b.model, stream: api === 'ollama' ? b.stream !== false : !!b.stream,
		http: req.httpVersion, status: 200 };
	const key = `${b.model}|${JSON.stringify(b.messages || b.prompt || b.input)}`;
	const err = errorFor(api, b.model || '', key);
	if (err) {
		Object.assign(logRow, { status: err[0], error_type: err[1] });
		record(logRow);
		const h = err[0] === 429 ? { 'retry-after': '0', 'retry-after-ms': '10' } : {};
		return sendJson(res, err[0], errorBody(api, err[0], err[1], err[2]), h);
	}
	res.on('close', () => { if (!res.writableFinished) logRow.aborted = true; });
	await fn(req, res, b, logRow);
	record(logRow);
}

const serve = (req, res) => {
	handle(req, res).catch((e) => { try { res.destroy(e); } catch { /* gone */ } });
};
// HTTP/1.1 on PORT, HTTP/2 cleartext (prior knowledge) on PORT + 1
http.createServer(serve).listen(Number(port), host, () => {
	http2.createServer({}, serve).listen(Number(port) + 1, host, () => {
		if (!certFile) return console.log(`llm server on ${host}:${port} (HTTP/1.1) and ${Number(port) + 1} (h2c)`);
		https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, serve)
			.listen(Number(port) + 2, host, () => console.log(
				`llm server on ${host}:${port} (HTTP/1.1), ${Number(port) + 1} (h2c), ${Number(port) + 2} (HTTPS)`));
	});
});
