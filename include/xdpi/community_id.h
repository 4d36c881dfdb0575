/* SPDX-License-Identifier: GPL-2.0 */
/* Community ID v1 flow hash. */
#ifndef XDPI_COMMUNITY_ID_H
#define XDPI_COMMUNITY_ID_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct xdpi_cid_input {
	uint8_t family; /* 4 or 6 */
	uint8_t proto;
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint16_t sport; /* host byte order; ignored for ICMP */
	uint16_t dport;
	uint8_t icmp_type;
	uint8_t icmp_code;
};

/* Writes "1:<base64>" into out (at least 32 bytes). Returns 0 or -1. */
int xdpi_community_id(const struct xdpi_cid_input *in, uint16_t seed, char *out, size_t outlen);

#endif /* XDPI_COMMUNITY_ID_H */
