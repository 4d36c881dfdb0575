// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the http2 dissector and nghttp2's HPACK inflater behind it (see dissector_fuzz.h
 * for how the input is read). Seeds: the corpus' HTTP/2 connections (tools/pcap_seeds.py). */
#include "dissector_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_dissector("http2", data, size);
}
