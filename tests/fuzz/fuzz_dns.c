// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the dns dissector (see dissector_fuzz.h for how the input is read). Seeds: DNS messages over UDP from the corpus (tools/pcap_seeds.py). */
#include "dissector_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_dissector("dns", data, size);
}
