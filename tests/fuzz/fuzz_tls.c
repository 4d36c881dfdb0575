// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the tls dissector and the shared hello/certificate code (see dissector_fuzz.h for
 * how the input is read). Seeds: TCP payloads of port 443 from the corpus (tools/pcap_seeds.py). */
#include "dissector_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_dissector("tls", data, size);
}
