// SPDX-License-Identifier: GPL-2.0
/* Community ID v1 (corelight/community-id-spec): base64(SHA-1(seed, ordered endpoints,
 * proto, ports)), so that xdpi's flows join those of Zeek, Suricata and others. */
#include <stdbool.h>
#include <string.h>
#include <openssl/evp.h>
#include "xdpi/bytes.h"
#include "xdpi/community_id.h"
#include "xdpi/digest.h"

struct icmp_pair {
	uint8_t type, counterpart;
};

/* ICMP message types that come in request/response pairs: they hash as a two-way flow. */
static const struct icmp_pair icmp4_pairs[] = {
	{ 8, 0 }, { 0, 8 }, { 13, 14 }, { 14, 13 }, { 15, 16 }, { 16, 15 },
	{ 10, 9 }, { 9, 10 }, { 17, 18 }, { 18, 17 },
};
static const struct icmp_pair icmp6_pairs[] = {
	{ 128, 129 }, { 129, 128 }, { 133, 134 }, { 134, 133 }, { 135, 136 }, { 136, 135 },
	{ 130, 131 }, { 131, 130 }, { 144, 145 }, { 145, 144 }, { 146, 147 }, { 147, 146 },
	{ 139, 140 }, { 140, 139 },
};

static bool icmp_ports(uint8_t proto, uint8_t type, uint8_t code, uint16_t *sp, uint16_t *dp)
{
	const struct icmp_pair *t = proto == XDPI_IPPROTO_ICMP ? icmp4_pairs : icmp6_pairs;
	size_t n = proto == XDPI_IPPROTO_ICMP ? sizeof(icmp4_pairs) / sizeof(*t) : sizeof(icmp6_pairs) / sizeof(*t);

	*sp = type;
	for (size_t i = 0; i < n; i++) {
		if (t[i].type == type) {
			*dp = t[i].counterpart;
			return false;
		}
	}
	*dp = code;
	return true; /* one-way: no reordering */
}

static bool ordered(const uint8_t *s, const uint8_t *d, size_t alen, uint16_t sp, uint16_t dp)
{
	int r = memcmp(s, d, alen);

	return r < 0 || (r == 0 && sp <= dp);
}

int xdpi_community_id(const struct xdpi_cid_input *in, uint16_t seed, char *out, size_t outlen)
{
	uint8_t buf[2 + 16 + 16 + 2 + 4], md[XDPI_MD_MAX];
	size_t alen = in->family == 6 ? 16 : 4, n = 0;
	const uint8_t *s = in->saddr, *d = in->daddr;
	uint16_t sp = in->sport, dp = in->dport;
	bool has_ports = true, one_way = false;
	unsigned int mdlen = 0;
	char b64[64];

	if (outlen < 32)
		return -1;
	if (in->proto == XDPI_IPPROTO_ICMP || in->proto == XDPI_IPPROTO_ICMPV6)
		one_way = icmp_ports(in->proto, in->icmp_type, in->icmp_code, &sp, &dp);
	else if (in->proto != XDPI_IPPROTO_TCP && in->proto != XDPI_IPPROTO_UDP && in->proto != XDPI_IPPROTO_SCTP)
		has_ports = false;
	if (!one_way && !ordered(s, d, alen, sp, dp)) {
		const uint8_t *t = s;
		uint16_t tp = sp;

		s = d, d = t, sp = dp, dp = tp;
	}
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, s, alen), n += alen;
	memcpy(buf + n, d, alen), n += alen;
	buf[n++] = in->proto;
	buf[n++] = 0;
	if (has_ports) {
		buf[n++] = (uint8_t)(sp >> 8), buf[n++] = (uint8_t)sp;
		buf[n++] = (uint8_t)(dp >> 8), buf[n++] = (uint8_t)dp;
	}
	if (!(mdlen = xdpi_digest(XDPI_MD_SHA1, buf, n, md)))
		return -1;
	EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
	snprintf(out, outlen, "1:%s", b64);
	return 0;
}
