#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A webhook receiver for the e2e tests: a real HTTP server that answers the first
REFUSE_FIRST POSTs with 503 (to make the sender retry), then 200, and appends each accepted
JSON body as one line to OUT. Every attempt is logged to OUT.attempts.

usage: webhook_receiver.py ADDR PORT OUT [REFUSE_FIRST]"""
import http.server
import json
import sys

ADDR, PORT, OUT = sys.argv[1], int(sys.argv[2]), sys.argv[3]
REFUSE_FIRST = int(sys.argv[4]) if len(sys.argv) > 4 else 0
attempts = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global attempts
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        attempts += 1
        with open(OUT + ".attempts", "a") as f:
            f.write("%d %s\n" % (attempts, self.headers.get("Content-Type")))
        if attempts <= REFUSE_FIRST:
            self.answer(503)
            return
        try:
            doc = json.loads(body)
        except ValueError:
            self.answer(400)
            return
        with open(OUT, "a") as f:
            f.write(json.dumps(doc) + "\n")
        self.answer(200)

    def answer(self, code):
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.HTTPServer((ADDR, PORT), Handler).serve_forever()
