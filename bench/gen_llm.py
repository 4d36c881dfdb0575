#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes a pcap of N LLM API calls over HTTP/1.1, each on its own connection: a third OpenAI
chat completions streamed as Server-Sent Events (K chunks, a usage chunk, [DONE]), a third
Anthropic messages streamed (message_start, K deltas, message_delta), a third Ollama chat as
NDJSON (K lines and the final counts). Responses are chunked, one chunk per event, one TCP
segment each, 20 ms apart. OPEN=1: every call's request and first half of its response
come first, then every second half: all N streams are open at once (memory per open stream).
Addresses: 198.18.0.0/15 only. Usage: gen_llm.py N K OUT.pcap [OPEN]"""
import json
import struct
import sys

from gen_flows import ipv4, tcp

WORDS = 'the quick brown fox jumps over the lazy dog'.split()


def openai_events(i, k):
    ev = [{'id': f'c{i}', 'model': 'gpt-bench', 'choices': [{'delta': {'content': ' ' + WORDS[j % 9]}}]}
          for j in range(k)]
    ev.append({'id': f'c{i}', 'choices': [], 'usage': {'prompt_tokens': 12, 'completion_tokens': k}})
    return [f'data: {json.dumps(e)}\n\n' for e in ev] + ['data: [DONE]\n\n']


def anthropic_events(i, k):
    out = ['event: message_start\ndata: ' + json.dumps({'type': 'message_start', 'message': {
        'id': f'm{i}', 'model': 'claude-bench', 'usage': {'input_tokens': 12, 'output_tokens': 1}}}) + '\n\n']
    out += ['event: content_block_delta\ndata: ' + json.dumps({'type': 'content_block_delta', 'index': 0,
            'delta': {'type': 'text_delta', 'text': ' ' + WORDS[j % 9]}}) + '\n\n' for j in range(k)]
    out.append('event: message_delta\ndata: ' + json.dumps({'type': 'message_delta', 'delta': {
        'stop_reason': 'end_turn'}, 'usage': {'output_tokens': k}}) + '\n\n')
    return out


def ollama_events(i, k):
    out = [json.dumps({'model': 'llama-bench', 'message': {'content': ' ' + WORDS[j % 9]}, 'done': False}) + '\n'
           for j in range(k)]
    out.append(json.dumps({'model': 'llama-bench', 'done': True, 'prompt_eval_count': 12, 'eval_count': k}) + '\n')
    return out


APIS = [('/v1/chat/completions', 'text/event-stream', openai_events),
        ('/v1/messages', 'text/event-stream', anthropic_events),
        ('/api/chat', 'application/x-ndjson', ollama_events)]


def call(i, k):
    """The segments of call I: (from_client, payload) in order, without the handshake."""
    path, ctype, events = APIS[i % 3]
    body = json.dumps({'model': 'bench', 'stream': True, 'max_tokens': k,
                       'messages': [{'role': 'user', 'content': 'tell me about packets ' * 4}]})
    req = (f'POST {path} HTTP/1.1\r\nHost: llm.bench\r\nContent-Type: application/json\r\n'
           f'Content-Length: {len(body)}\r\n\r\n{body}').encode()
    head = f'HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nTransfer-Encoding: chunked\r\n\r\n'
    segs = [(True, req), (False, head.encode())]
    segs += [(False, f'{len(e.encode()):x}\r\n{e}\r\n'.encode()) for e in events(i, k)]
    segs.append((False, b'0\r\n\r\n'))
    return segs


class Conn:
    def __init__(self, i):
        self.cli = bytes([198, 18 + (i >> 16) % 2, (i >> 8) & 255, i & 255])
        self.srv = bytes([198, 19, 255, 1])
        self.sp, self.cs, self.ss = 10000 + i % 50000, 1000, 5000

    def pkt(self, from_client, flags, payload=b''):
        if from_client:
            p = ipv4(self.cli, self.srv, 6, tcp(self.sp, 80, self.cs, self.ss, flags, payload))
            self.cs += len(payload) + (1 if flags & 0x03 else 0)
        else:
            p = ipv4(self.srv, self.cli, 6, tcp(80, self.sp, self.ss, self.cs, flags, payload))
            self.ss += len(payload) + (1 if flags & 0x03 else 0)
        return p


def main():
    n, k, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    open_all = len(sys.argv) > 4 and sys.argv[4] == '1'
    f = open(out, 'wb')
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    t = [1_700_000_000.0]

    def w(p, dt=0.0002):
        t[0] += dt
        sec = int(t[0])
        f.write(struct.pack('<IIII', sec, int((t[0] - sec) * 1e6), len(p), len(p)) + p)

    def start(c):
        w(c.pkt(True, 0x02))
        w(c.pkt(False, 0x12))
        w(c.pkt(True, 0x10))

    def send(c, segs):
        for from_client, payload in segs:
            w(c.pkt(from_client, 0x18, payload), 0.02 if not from_client else 0.0002)

    def finish(c):
        w(c.pkt(True, 0x11))
        w(c.pkt(False, 0x11))
        w(c.pkt(True, 0x10))

    conns = [Conn(i) for i in range(n)]
    if open_all:
        halves = []
        for i, c in enumerate(conns):
            segs = call(i, k)
            start(c)
            send(c, segs[:len(segs) // 2])
            halves.append(segs[len(segs) // 2:])
        for c, rest in zip(conns, halves):
            send(c, rest)
            finish(c)
    else:
        for i, c in enumerate(conns):
            start(c)
            send(c, call(i, k))
            finish(c)
    f.close()


if __name__ == '__main__':
    main()
