#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The LLM view end to end. A local server (llm/server.mjs) speaks the OpenAI, Anthropic and
# Ollama wire formats over HTTP/1.1 and HTTP/2 cleartext; the official client libraries
# from npm (llm/client.mjs: openai, @anthropic-ai/sdk, ollama, pinned in llm/package-lock.json)
# call it streamed and not, with a 400, a 429 the library retries, a 529, a stream the client
# aborts and one that fails midway; curl speaks HTTP/2 to it. xdpi runs on the server's link
# with a price table, the shipped LLM rules, --llm-content and --tls-plaintext (python3 calls
# over HTTPS); a real Prometheus scrapes it.
# Checks: one llm event per call the server logged; for every call the model, token counts
# and status the library received; time to first token against the client's own clock (within
# 30 ms); the gen_ai series summed in PromQL equal the events' sums, and the cost metric the
# price table applied to them; the prompt injection and the API key raise their alerts with
# the message they sit in, the key is redacted from the event, the benign prompt raises none;
# every event validates against Suricata's EVE schema.
. "$(dirname "$0")/lib.sh"
e2e_require_root
LLM_DIR=$(cd "$(dirname "$0")/llm" && pwd)
RULES=$(cd "$(dirname "$0")/../../contrib/rules" && pwd)/llm.rules

# the client libraries, exactly as locked (npm's cache makes the second run offline)
if ! (cd "$LLM_DIR" && [ -d node_modules/openai ] ||
	timeout 300 npm ci --no-audit --no-fund --loglevel=error >"$TMP/npm.log" 2>&1); then
	echo "FAIL npm ci in $LLM_DIR:"; tail -5 "$TMP/npm.log"; exit 1
fi

lab_up || { echo "FAIL lab setup"; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=llm.test -keyout "$TMP/key.pem" \
	-out "$TMP/cert.pem" >/dev/null 2>&1
run_bg "$NS_SRV" "$TMP/server.out" node "$LLM_DIR/server.mjs" "$IP_SRV" 8080 "$TMP/server.jsonl" \
	"$TMP/cert.pem" "$TMP/key.pem"
check "the LLM API server listens (HTTP/1.1 8080, h2c 8081, HTTPS 8082)" \
	wait_until 20 grep -q "llm server on" "$TMP/server.out"
start_prometheus
cat >"$TMP/prices.txt" <<'EOF'
# model          input  output  cache_read
gpt-e2e-*         2.50   10.00   1.25
claude-e2e-*      3.00   15.00   0.30
EOF
start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --stats-interval 0 --no-anomaly \
	--metrics 127.0.0.1:9469 --llm-prices "$TMP/prices.txt" --llm-content --rules "$RULES" \
	--api-alert 'llm_429_ratio > 30% for 1m min 2' --api-alert 'llm_ttft_p50 > 5s for 1m min 1' \
	--tls-plaintext --process-context ||
	{ echo "FAIL attach"; cat "$TMP/xdpi.log"; exit 1; }

# ---- the calls ----
cli timeout 120 node "$LLM_DIR/client.mjs" "http://$IP_SRV:8080" >"$TMP/clients.jsonl" 2>"$TMP/clients.err"
echo "  client libraries: $(grep -c . "$TMP/clients.jsonl") calls"
sed 's/^/    /' "$TMP/clients.err" | head -5
h2() { # MODEL PATH BODY: one call over HTTP/2 cleartext, the answer's usage as curl got it
	cli curl -s --max-time 10 --http2-prior-knowledge "http://$IP_SRV:8081$2" -d "$3" |
		python3 "$LLM_DIR/usage.py" "$1" >>"$TMP/clients.jsonl"
}
h2 gpt-e2e-h2 /v1/chat/completions \
	'{"model":"gpt-e2e-h2","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"over h2"}]}'
h2 llama-e2e-h2 /api/chat '{"model":"llama-e2e-h2","messages":[{"role":"user","content":"over h2 too"}]}'
# HTTPS: python3's TLS is the system's OpenSSL, which --tls-plaintext reads
cli python3 "$LLM_DIR/tls_client.py" "$IP_SRV" 8082 "$TMP/cert.pem" gpt-e2e-tls >>"$TMP/clients.jsonl"
calls=$(grep -c . "$TMP/server.jsonl") clients=$(grep -c . "$TMP/clients.jsonl")
check "the server logged every client's call and the 429's retry ($calls = $clients + 1)" \
	[ "$calls" -eq $((clients + 1)) ] && [ "$clients" -eq 20 ]
llm_events() { jq -c 'select(.event_type=="llm")' "$TMP/eve.json" 2>/dev/null | grep -c .; }
check "one llm event per call the server logged" wait_until 20 eval '[ "$(llm_events)" -eq "$calls" ]'

# ---- each call as the library saw it ----
jq -c 'select(.event_type=="llm")' "$TMP/eve.json" >"$TMP/llm.jsonl"
python3 - "$TMP/clients.jsonl" "$TMP/llm.jsonl" "$TMP/server.jsonl" >"$TMP/compare.txt" <<'PY'
import json, sys
clients = [json.loads(l) for l in open(sys.argv[1])]
events = [json.loads(l)['xdpi']['llm'] | {'_http': json.loads(l)['http']} for l in open(sys.argv[2])]
by_model = {}
for e in events:
    by_model.setdefault(e['request'].get('model'), []).append(e)
bad = 0
def say(ok, what):
    global bad
    bad += not ok
    print(('ok   ' if ok else 'FAIL ') + what)
for c in clients:
    evs = by_model.get(c['model'], [])
    m = c['model']
    if not evs:
        say(False, f"{c['scenario']}: no llm event for model {m}"); continue
    e = evs[-1]                       # a retried call: the last attempt is what the client got
    u = e.get('usage') or {}
    if c.get('aborted'):
        say(e.get('error', {}).get('type') == 'aborted' and not e['complete'],
            f"{c['scenario']}: the event says aborted (complete {e['complete']})")
        continue
    if c['status'] != 200 or c.get('error'):
        want = str(c['status']) if c['status'] else c['error']
        say(e.get('error', {}).get('type') == want,
            f"{c['scenario']}: error.type {e.get('error', {}).get('type')} = the library's {want}")
        continue
    say(e['_http'].get('status') == 200, f"{c['scenario']}: status 200")
    say(e['response'].get('model') == c['response_model'],
        f"{c['scenario']}: response model {e['response'].get('model')} = {c['response_model']}")
    if c['input_tokens'] is None and c['output_tokens'] is None:
        say(e['usage'] is None, f"{c['scenario']}: usage null, as the library got none")
    else:
        say(u.get('input_tokens') == c['input_tokens'] and u.get('output_tokens') == c['output_tokens'],
            f"{c['scenario']}: tokens in {u.get('input_tokens')} out {u.get('output_tokens')} = "
            f"the library's {c['input_tokens']} {c['output_tokens']}")
    if c.get('ttft_ms') is not None:
        x = e.get('time_to_first_token_ms')
        say(x is not None and abs(x - c['ttft_ms']) <= 30,
            f"{c['scenario']}: time to first token {x and round(x, 1)} ms, the client's {round(c['ttft_ms'], 1)} ms (30 ms)")
retried = [e for e in by_model.get('gpt-e2e-429once', [])]
say([e['_http'].get('status') for e in retried] == [429, 200],
    f"the 429 and its retry are two calls: {[e['_http'].get('status') for e in retried]}")
print('BAD', bad)
PY
sed 's/^/  /' "$TMP/compare.txt" | grep -v "^  BAD"
check "every call agrees with what its client library received" grep -q "^BAD 0$" "$TMP/compare.txt"

check "the HTTPS call was read from OpenSSL's plaintext (xdpi.plaintext)" \
	jq_ok -s '[.[] | select(.xdpi.llm.request.model == "gpt-e2e-tls") | .xdpi.plaintext.source] == ["openssl"]' \
	"$TMP/llm.jsonl"

# ---- the metrics, through Prometheus ----
ev_sum() { jq -s "[.[] | .xdpi.llm.usage.$1 // 0] | add" "$TMP/llm.jsonl"; }
IN=$(ev_sum input_tokens) OUT=$(ev_sum output_tokens)
WITH_USAGE=$(jq -s '[.[] | select(.xdpi.llm.usage != null)] | length' "$TMP/llm.jsonl")
check "Prometheus scrapes xdpi" wait_until 40 prom_is 'up{job="xdpi"}' 1
check "PromQL: gen_ai_client_operation_duration_seconds_count sums to $calls calls" \
	wait_until 20 prom_is 'sum(gen_ai_client_operation_duration_seconds_count)' "$calls"
check "PromQL: input tokens sum to the events' $IN" \
	wait_until 10 prom_is 'sum(gen_ai_client_token_usage_sum{gen_ai_token_type="input"})' "$IN"
check "PromQL: output tokens sum to the events' $OUT" \
	prom_is 'sum(gen_ai_client_token_usage_sum{gen_ai_token_type="output"})' "$OUT"
check "PromQL: $WITH_USAGE calls with usage; the others counted as usage missing" \
	prom_is 'sum(gen_ai_client_token_usage_count{gen_ai_token_type="input"}) + sum(xdpi_gen_ai_usage_missing_total)' "$calls"
check "PromQL: the 429 under error_type=\"429\"" \
	prom_is 'sum(gen_ai_client_operation_duration_seconds_count{error_type="429"})' 1
check "PromQL: streamed calls have time to first token" \
	prom_is 'sum(gen_ai_server_time_to_first_token_seconds_count{gen_ai_provider_name="anthropic"})' 1
# --process-context names each call's caller: node (the libraries), curl, python3
check "PromQL: calls by caller: node $(promq 'sum(xdpi_gen_ai_calls_total{caller="node"})'), curl, python3" \
	prom_is 'sum(xdpi_gen_ai_calls_total{caller="node"}) * 10000 + sum(xdpi_gen_ai_calls_total{caller="curl"}) * 100 + sum(xdpi_gen_ai_calls_total{caller="python3"})' \
	"$(( (calls - 3) * 10000 + 2 * 100 + 1 ))"
COST=$(jq -s '[.[] | .xdpi.llm.cost_usd // 0] | add' "$TMP/llm.jsonl")
PROM_COST=$(promq 'sum(xdpi_gen_ai_cost_usd_total)')
check "PromQL: cost $PROM_COST USD = the events' $COST (the price table on their tokens)" \
	python3 -c "import sys; sys.exit(abs($PROM_COST - $COST) > 1e-12 or $COST <= 0)"
EXPECT=$(jq -s '[.[] | select(.xdpi.llm.request.model == "claude-e2e-stream") | .xdpi.llm.usage |
	((.input_tokens - (.cache_read_tokens // 0)) * 3 + (.cache_read_tokens // 0) * 0.3 + .output_tokens * 15) / 1e6] | add' "$TMP/llm.jsonl")
GOT=$(jq -s '[.[] | select(.xdpi.llm.request.model == "claude-e2e-stream") | .xdpi.llm.cost_usd] | add' "$TMP/llm.jsonl")
check "claude-e2e-stream cost $GOT = its tokens at 3/15/0.30 USD per million ($EXPECT)" \
	python3 -c "import sys; sys.exit(abs($GOT - $EXPECT) > 1e-12)"

# ---- prompt attacks and secrets ----
# (the libraries keep one connection for many calls: the llm event says which call matched)
findings() { # MODEL: the signature ids the llm event of MODEL's call lists
	jq -c "select(.event_type==\"llm\" and .xdpi.llm.request.model==\"$1\") |
		[.xdpi.llm.findings[]?.signature_id] | sort" "$TMP/eve.json"
}
evidence() { jq -c "select(.event_type==\"alert\" and .alert.signature_id==$1) | .xdpi.evidence" "$TMP/eve.json"; }
check "the prompt injection's call lists 9400001 and 9400002 ($(findings gpt-e2e-inject))" \
	[ "$(findings gpt-e2e-inject)" = "[9400001,9400002]" ]
inj=$(evidence 9400001)
echo "  injection evidence: $inj"
check "its alert places it in messages[1] of the prompt" \
	jq_ok 'select(.place == "messages[1]" and .buffer == "llm.prompt")' <<<"$inj"
check "the API key's call lists 9400101 ($(findings gpt-e2e-secret))" \
	[ "$(findings gpt-e2e-secret)" = "[9400101]" ]
key=$(evidence 9400101)
echo "  secret evidence: $key"
check "its alert gives the key's place and length (32), not its text" \
	jq_ok 'select(.place == "messages[0]" and .length == 32)' <<<"$key"
check "the key is redacted in the llm event's prompt text" \
	jq_ok -s '[.[] | select(.event_type=="llm" and .xdpi.llm.request.model=="gpt-e2e-secret") |
		.xdpi.llm.prompt.text | test("\\[REDACTED sid:9400101\\]") and (test("Zq3xR8") | not)] == [true]' "$TMP/eve.json"
check "no event anywhere carries the key" bash -c "! grep -q Zq3xR8vT2mN6 '$TMP/eve.json'"
check "the benign prompt matched nothing (16 digits that fail Luhn are no card)" \
	[ "$(findings gpt-e2e-benign)" = "[]" ]
check "rule alerts: the three findings and no other" \
	jq_ok -s '[.[] | select(.event_type=="alert" and .alert.gid != 9200) | .alert.signature_id] | sort == [9400001,9400002,9400101]' "$TMP/eve.json"
API_ALERTS=$(jq -c 'select(.event_type=="alert" and .alert.gid == 9200) | .xdpi.api | [.route, .measure, .value, .responses]' "$TMP/eve.json")
echo "  LLM alert conditions: $API_ALERTS"
check "llm_429_ratio fired for the retried model alone (one call of two rate limited)" \
	[ "$API_ALERTS" = '["gpt-e2e-429once","llm_429_ratio",0.5,2]' ]

stop_bg "$XDPI_PID" TERM
check "every event validates against Suricata's EVE schema" \
	python3 "$(dirname "$0")/../schema/validate.py" "$TMP/eve.json"
e2e_done
