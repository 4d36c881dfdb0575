// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: decapsulation in user space. The tunnel header readers both halves share
 * (bpf/shared/xdpi_tunnel.h) on arbitrary bytes, ports and options, then the whole decoder
 * on the input as a frame with the options the input's last bytes choose (tunnels ignored,
 * another VXLAN port). Input: as fuzz_decode's (a link byte, then the frame). Seeds: frames
 * of the tunnel captures. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "xdpi/decode.h"

static void headers(const uint8_t *p, size_t n, uint16_t sport, uint16_t dport, uint32_t ignore)
{
	uint8_t peek[XDPI_TUN_PEEK] = { 0 };
	uint32_t have = n < sizeof(peek) ? (uint32_t)n : (uint32_t)sizeof(peek);
	struct xdpi_tun t = { 0 };
	int r;

	memcpy(peek, p, have);
	r = xdpi_tun_udp(peek, have, (uint32_t)n, sport, dport, ignore, 9999, &t);
	if (r > 0 && (t.type == XDPI_TUN_NONE || t.type >= XDPI_TUN_MAX))
		__builtin_trap();
	r = xdpi_tun_gre(peek, have, ignore, &t);
	if (r > 0 && (t.type != XDPI_TUN_GRE && t.type != XDPI_TUN_ERSPAN))
		__builtin_trap();
	if (r < -(int)XDPI_REASON_MAX)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xdpi_decode_opts o = { 0 };
	struct xdpi_pkt p = { 0 };
	struct xdpi_decoded d;
	struct xdpi_flow_key k;

	if (size < 4)
		return 0;
	headers(data + 4, size - 4, (uint16_t)(data[0] << 8 | data[1]), (uint16_t)(data[2] << 8 | data[3]),
		data[size - 1]);
	o.tun_ignore = data[size - 1] & 0x0f ? 0 : (uint32_t)data[size - 2] << 1;
	o.vxlan_port = data[size - 1] & 0x10 ? (uint16_t)(data[size - 2] | 0x100) : 0;
	xdpi_decode_set_opts(&o);
	p.link = (enum xdpi_link)(data[0] % XDPI_LINK_MAX);
	p.snippet = data[0] & 0x80;
	p.data = data + 1;
	p.cap_len = (uint32_t)(size - 1);
	p.orig_len = p.cap_len + (data[0] & 0x40 ? 100 : 0);
	if (xdpi_decode(&p, &d) == 0 && d.family) {
		if (d.tun_depth > XDPI_TUN_DEPTH_MAX || (d.tun_depth && !d.tun_type) ||
		    d.payload + d.payload_len > data + size)
			__builtin_trap();
		xdpi_flow_key_from(&d, &k);
	}
	return 0;
}
