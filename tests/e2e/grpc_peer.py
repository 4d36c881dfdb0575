#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A real gRPC server and client (python3-grpcio, no generated code: raw bytes) for the e2e
test. `server ADDR LOG`: serves greet.Greeter/SayHello (OK), greet.Greeter/Missing
(NOT_FOUND, "no such greeting") and greet.Greeter/Stream (server streaming: the request
"N SIZE" gets N messages of SIZE bytes), writing one line per call to LOG. `client ADDR N`: N
calls of SayHello, then one of Missing. `stream ADDR CALLS N SIZE`: CALLS calls of Stream.
With TLS (grpcio's own BoringSSL): `server-tls ADDR LOG CERT KEY`, `client-tls ADDR N CERT`
(the certificate's name is lab.test)."""
import sys
import time
from concurrent import futures

import grpc


def serve(addr, log, tls=None):
    out = open(log, 'a', buffering=1)

    def say_hello(request, context):
        out.write(f'/greet.Greeter/SayHello 0 {len(request)}\n')
        return b'hello, ' + request

    def missing(request, context):
        out.write('/greet.Greeter/Missing 5\n')
        context.abort(grpc.StatusCode.NOT_FOUND, 'no such greeting')

    def stream(request, context):
        n, size = (int(x) for x in request.split())
        out.write(f'/greet.Greeter/Stream 0 {n}\n')
        for i in range(n):
            yield bytes([65 + i % 26]) * size

    handler = grpc.method_handlers_generic_handler('greet.Greeter', {
        'SayHello': grpc.unary_unary_rpc_method_handler(say_hello),
        'Missing': grpc.unary_unary_rpc_method_handler(missing),
        'Stream': grpc.unary_stream_rpc_method_handler(stream),
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((handler,))
    if tls:
        creds = grpc.ssl_server_credentials([(open(tls[1], 'rb').read(), open(tls[0], 'rb').read())])
        server.add_secure_port(addr, creds)
    else:
        server.add_insecure_port(addr)
    server.start()
    print('listening', flush=True)
    server.wait_for_termination(timeout=300)  # bounded: the test stops it long before


def channel(addr, cert=None):
    if not cert:
        return grpc.insecure_channel(addr)
    creds = grpc.ssl_channel_credentials(root_certificates=open(cert, 'rb').read())
    return grpc.secure_channel(addr, creds, options=[('grpc.ssl_target_name_override', 'lab.test')])


def client(addr, n, cert=None):
    with channel(addr, cert) as ch:
        grpc.channel_ready_future(ch).result(timeout=10)
        hello = ch.unary_unary('/greet.Greeter/SayHello')
        for i in range(n):
            assert hello(b'xdpi %d' % i, timeout=5).startswith(b'hello')
        try:
            ch.unary_unary('/greet.Greeter/Missing')(b'?', timeout=5)
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.NOT_FOUND
        time.sleep(0.2)  # let the last frames leave before the channel closes


def stream_client(addr, calls, n, size):
    with grpc.insecure_channel(addr, options=[('grpc.max_receive_message_length', 1 << 24)]) as ch:
        grpc.channel_ready_future(ch).result(timeout=10)
        call = ch.unary_stream('/greet.Greeter/Stream')
        for _ in range(calls):
            got = list(call(b'%d %d' % (n, size), timeout=20))
            assert len(got) == n and all(len(m) == size for m in got)
        time.sleep(0.2)


if __name__ == '__main__':
    if sys.argv[1] == 'server':
        serve(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == 'server-tls':
        serve(sys.argv[2], sys.argv[3], (sys.argv[4], sys.argv[5]))
    elif sys.argv[1] == 'client-tls':
        client(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == 'stream':
        stream_client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        client(sys.argv[2], int(sys.argv[3]))
