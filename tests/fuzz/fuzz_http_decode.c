// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: response heads as browsers read them and the Content-Encoding decoders
 * (xdpi/http_decode.h). First byte: bit 0 picks the head reader (else the decoder), bits 2..7
 * the chunk size - 1 for the decoder's input. Decoder input: one length byte, that many bytes
 * of Content-Encoding value, then the body. */
#include <string.h>
#include "xdpi/http_decode.h"

static size_t sunk;

static bool sink(void *arg, const uint8_t *p, size_t n)
{
	(void)arg;
	if (n && (p[0] == 0xff || p[n - 1] == 0xff))
		sunk++; /* touch every byte handed out: ASan checks the bounds */
	sunk += n;
	return sunk < 65536;
}

static void heads(const uint8_t *data, size_t size)
{
	struct xdpi_http_resp_info info;
	size_t end = xdpi_http_resp_head_end((const char *)data, size);

	xdpi_http_resp_may_start((const char *)data, size);
	xdpi_http_resp_parse((const char *)data, end ? end : size, &info);
	if (info.line_off + info.line_len > size || info.ce_len >= sizeof(info.ce))
		__builtin_trap();
	xdpi_http_chunk_size((const char *)data, size);
}

static void bodies(const uint8_t *data, size_t size, size_t chunk)
{
	struct xdpi_http_decoder *d;
	size_t ce;

	if (!size)
		return;
	ce = data[0] % 64;
	data++, size--;
	if (ce > size)
		ce = size;
	d = xdpi_http_decoder_new((const char *)data, ce, 3);
	data += ce, size -= ce;
	sunk = 0;
	for (size_t off = 0; d && off < size; off += chunk)
		xdpi_http_decode(d, data + off, size - off < chunk ? size - off : chunk, sink, NULL);
	xdpi_http_decode_end(d, sink, NULL);
	xdpi_http_decoder_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		heads(data + 1, size - 1);
	else
		bodies(data + 1, size - 1, (size_t)(data[0] >> 2) + 1);
	return 0;
}
