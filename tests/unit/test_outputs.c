// SPDX-License-Identifier: GPL-2.0
/* The outputs beside EVE, without their peers: the pcap of alerted flows rotates by size,
 * keeps the newest files, numbers after what is there and reads back with libpcap; the
 * IPFIX exporter's first message carries both templates, its records say what the flow
 * says (addresses, ports, counts since the last cut), one per direction with packets. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <pcap/pcap.h>
#include "xdpi/outputs.h"

static int count_packets(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(path, err);
	int n = 0;

	if (!p)
		return -1;
	while (pcap_next_ex(p, &h, &d) == 1)
		n++;
	pcap_close(p);
	return n;
}

static void test_pcap_rotation(void **state)
{
	char dir[] = "/tmp/xdpi-test-pcap.XXXXXX", path[128], err[256];
	uint8_t frame[200] = { 0 };
	struct xdpi_pkt pkt = { .data = frame, .cap_len = sizeof(frame), .orig_len = 1500,
				.ts_ns = 1700000000ull * 1000000000ull, .link = XDPI_LINK_ETHERNET };
	struct xdpi_pcap_alerts_stats st;
	struct xdpi_pcap_alerts *p;
	int total = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_null(xdpi_pcap_alerts__new("/nonexistent/dir", 1000, 3, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "No such file"));
	snprintf(path, sizeof(path), "%s/alerts.7.pcap", dir); /* an earlier run's file */
	fclose(fopen(path, "w"));
	p = xdpi_pcap_alerts__new(dir, 2000, 3, 0, err, sizeof(err));
	assert_non_null(p);
	for (int i = 0; i < 50; i++) /* 24 + 216 bytes each: a file is full after 10 */
		xdpi_pcap_alerts__packet(p, &pkt);
	xdpi_pcap_alerts__stats(p, &st);
	xdpi_pcap_alerts__free(p);
	assert_int_equal(st.packets, 50);
	assert_int_equal(st.files, 5);
	assert_int_equal(st.rotations, 4);
	assert_int_equal(st.removed, 2); /* only the newest 3 are kept */
	for (int n = 8; n <= 12; n++) {
		int c;

		snprintf(path, sizeof(path), "%s/alerts.%d.pcap", dir, n);
		c = count_packets(path);
		assert_int_equal(c, n <= 9 ? -1 : 10); /* 8 and 9 removed */
		if (n > 9)
			total += c;
		unlink(path);
	}
	assert_int_equal(total, 30);
	snprintf(path, sizeof(path), "%s/alerts.7.pcap", dir);
	unlink(path);
	rmdir(dir);
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void test_ipfix_messages(void **state)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	struct xdpi_ipfix_stats st;
	struct xdpi_flow f = { .key = { .family = 4, .proto = 6 } };
	struct xdpi_ipfix *x;
	uint8_t msg[2048];
	char target[64], err[256];
	ssize_t n;
	size_t set;

	(void)state;
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	assert_null(xdpi_ipfix__new("nohostport", 0, err, sizeof(err)));
	assert_non_null(strstr(err, "expected HOST:PORT"));
	snprintf(target, sizeof(target), "127.0.0.1:%u", ntohs(sa.sin_port));
	x = xdpi_ipfix__new(target, 0, err, sizeof(err));
	assert_non_null(x);
	n = recv(fd, msg, sizeof(msg), 0); /* the templates, before any record */
	assert_true(n > 16);
	assert_int_equal(rd16(msg), 10);
	assert_int_equal(rd16(msg + 2), n);
	assert_int_equal(rd16(msg + 16), 2); /* a template set */
	assert_int_equal(rd16(msg + 20), 256);
	assert_int_equal(rd16(msg + 22), 12); /* fields */

	inet_pton(AF_INET, "198.18.0.1", f.key.addr_a);
	inet_pton(AF_INET, "198.18.0.2", f.key.addr_b);
	f.key.port_a = htons(40000), f.key.port_b = htons(80);
	f.initiator = 0;
	f.pkts[0] = 12, f.bytes[0] = 1200;
	f.extra = &(struct xdpi_flow_extra){ .base_pkts = { 2 }, .base_bytes = { 200 } };
	f.pkts[1] = 0; /* nothing back: one record */
	f.first_ns = f.record_start_ns = 5000000000ull, f.last_ns = 6000000000ull;
	xdpi_ipfix__flow(x, &f, XDPI_FLOW_END_TIMEOUT);
	xdpi_ipfix__flush(x);
	n = recv(fd, msg, sizeof(msg), 0);
	assert_true(n > 16);
	assert_int_equal(rd16(msg + 2), n);
	set = 16;
	if (rd16(msg + set) == 2) /* templates again (they are due every 10 s) */
		set += rd16(msg + set + 2);
	assert_int_equal(rd16(msg + set), 256);
	assert_int_equal(rd16(msg + set + 2), 4 + 50); /* one IPv4 record */
	assert_memory_equal(msg + set + 4, f.key.addr_a, 4);
	assert_memory_equal(msg + set + 8, f.key.addr_b, 4);
	assert_int_equal(rd16(msg + set + 12), 40000);
	assert_int_equal(rd16(msg + set + 14), 80);
	assert_int_equal(msg[set + 16], 6);
	assert_int_equal(rd64(msg + set + 19), 10);  /* packets since the last cut */
	assert_int_equal(rd64(msg + set + 27), 1000);
	assert_int_equal(rd64(msg + set + 35), 5000); /* flowStartMilliseconds */
	assert_int_equal(rd64(msg + set + 43), 6000);
	assert_int_equal(msg[set + 51], 1);           /* idle timeout */
	xdpi_ipfix__stats(x, &st);
	assert_int_equal(st.records, 1);
	assert_int_equal(st.records_lost, 0);
	xdpi_ipfix__free(x);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcap_rotation),
		cmocka_unit_test(test_ipfix_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
