// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the quic dissector (long headers, header protection, decryption, CRYPTO
 * reassembly, hellos; see dissector_fuzz.h). Seeds: UDP payloads of port 443 from the corpus. */
#include "dissector_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_dissector("quic", data, size);
}
