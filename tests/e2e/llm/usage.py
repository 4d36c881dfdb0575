#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""What a raw client (curl) received from an LLM API: reads the response body (JSON,
Server-Sent Events or NDJSON) on stdin and prints the call as client.mjs does, one JSON line:
the model the response named and the usage it reported.

usage: curl ... | usage.py REQUEST_MODEL"""
import json
import sys

model = sys.argv[1]
row = {'scenario': f'raw HTTP/2 client ({model})', 'model': model, 'status': 200,
       'ttft_ms': None, 'response_model': None, 'input_tokens': None, 'output_tokens': None}
for line in sys.stdin.read().splitlines():
    line = line.strip()
    if line.startswith('data:'):
        line = line[5:].strip()
    if not line.startswith('{'):
        continue
    doc = json.loads(line)
    row['response_model'] = doc.get('model') or row['response_model']
    usage = doc.get('usage') or {}
    if usage:
        row['input_tokens'], row['output_tokens'] = usage['prompt_tokens'], usage['completion_tokens']
    if doc.get('done'):
        row['input_tokens'], row['output_tokens'] = doc['prompt_eval_count'], doc['eval_count']
print(json.dumps(row))
