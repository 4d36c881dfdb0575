/* SPDX-License-Identifier: GPL-2.0 */
/* Reading numbers out of packets: network (big-endian) order unless named _le. The caller
 * has checked that the bytes are there. */
#ifndef XDPI_BYTES_H
#define XDPI_BYTES_H

#include <stdint.h>

static inline uint16_t xdpi_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t xdpi_rd24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t xdpi_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t xdpi_rd16le(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Protocol numbers by name, for code that must not pull in the socket headers. */
enum xdpi_ipproto {
	XDPI_IPPROTO_ICMP = 1,
	XDPI_IPPROTO_TCP = 6,
	XDPI_IPPROTO_UDP = 17,
	XDPI_IPPROTO_ICMPV6 = 58,
	XDPI_IPPROTO_SCTP = 132,
};

#endif /* XDPI_BYTES_H */
