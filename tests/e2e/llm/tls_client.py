#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A streamed chat completion over HTTPS with python3's own TLS (the system's OpenSSL, which
xdpi --tls-plaintext probes), printed as client.mjs prints its calls: what this client received
(model, usage) and its time to first token.

usage: tls_client.py HOST PORT CA_FILE MODEL"""
import http.client
import json
import ssl
import sys
import time

host, port, ca, model = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
body = json.dumps({'model': model, 'stream': True, 'stream_options': {'include_usage': True},
                   'max_tokens': 7, 'messages': [{'role': 'user', 'content': 'over https please'}]})
row = {'scenario': f'python3 over HTTPS ({model})', 'model': model, 'ttft_ms': None,
       'response_model': None, 'input_tokens': None, 'output_tokens': None}
t0 = time.monotonic()
conn = http.client.HTTPSConnection(host, port, context=ctx, timeout=10)
conn.request('POST', '/v1/chat/completions', body, {'Content-Type': 'application/json'})
resp = conn.getresponse()
row['status'] = resp.status
for raw in resp:
    line = raw.decode().strip()
    if not line.startswith('data:') or line == 'data: [DONE]':
        continue
    doc = json.loads(line[5:])
    row['response_model'] = doc.get('model') or row['response_model']
    if any(c.get('delta', {}).get('content') for c in doc.get('choices', [])) and row['ttft_ms'] is None:
        row['ttft_ms'] = (time.monotonic() - t0) * 1000
    if doc.get('usage'):
        row['input_tokens'] = doc['usage']['prompt_tokens']
        row['output_tokens'] = doc['usage']['completion_tokens']
conn.close()
print(json.dumps(row))
