/* SPDX-License-Identifier: GPL-2.0 */
/* QUIC Initial packet protection (RFC 9001 5, RFC 9369 for v2): keys from the client's
 * original Destination Connection ID, header protection, AES-128-GCM. */
#ifndef XDPI_QUIC_KEYS_H
#define XDPI_QUIC_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct quic_keys {
	uint8_t key[16];
	uint8_t iv[12];
	uint8_t hp[16];
};

/* Versions whose Initial protection we know: v1, v2, drafts 29..32. */
bool quic_version_known(uint32_t version);
/* Derives the client's (server == false) or the server's Initial keys. 0 or -1. */
int quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, bool server,
		      struct quic_keys *k);
/* Removes header protection in place (pkt: the packet, pn_off: where the packet number
 * starts, len: the packet's bytes); returns the packet number length (1..4), or -1. */
int quic_unprotect_header(const struct quic_keys *k, uint8_t *pkt, size_t pn_off, size_t len,
			  uint64_t *pn);
/* Decrypts the payload [hdr_len, len) in place (its last 16 bytes are the tag) with the
 * header [0, hdr_len) as AAD; returns the plaintext length, or -1. */
int quic_decrypt(const struct quic_keys *k, uint64_t pn, uint8_t *pkt, size_t hdr_len, size_t len);

#endif
