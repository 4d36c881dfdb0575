// SPDX-License-Identifier: GPL-2.0
/* Community ID against the specification's published vectors (seeds 0 and 1). */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "xdpi/community_id.h"

static const char *cid(int fam, uint8_t proto, const char *s, uint16_t sp, const char *d,
		       uint16_t dp, uint16_t seed)
{
	static char out[64];
	struct xdpi_cid_input in = { .family = (uint8_t)fam, .proto = proto, .sport = sp, .dport = dp };

	inet_pton(fam == 6 ? AF_INET6 : AF_INET, s, in.saddr);
	inet_pton(fam == 6 ? AF_INET6 : AF_INET, d, in.daddr);
	if (proto == 1 || proto == 58) {
		in.icmp_type = (uint8_t)sp;
		in.icmp_code = (uint8_t)dp;
	}
	assert_int_equal(xdpi_community_id(&in, seed, out, sizeof(out)), 0);
	return out;
}

static void test_community_id_spec_vectors(void **state)
{
	const char *v6a = "fe80:0001:0203:0405:0607:0809:0A0B:0C0D";
	const char *v6b = "fe80:1011:1213:1415:1617:1819:1A1B:1C1D";

	(void)state;
	assert_string_equal(cid(4, 6, "1.2.3.4", 1122, "5.6.7.8", 3344, 0), "1:wCb3OG7yAFWelaUydu0D+125CLM=");
	assert_string_equal(cid(4, 6, "5.6.7.8", 3344, "1.2.3.4", 1122, 0), "1:wCb3OG7yAFWelaUydu0D+125CLM=");
	assert_string_equal(cid(4, 17, "1.2.3.4", 1122, "5.6.7.8", 3344, 0), "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=");
	assert_string_equal(cid(4, 1, "1.2.3.4", 8, "5.6.7.8", 0, 0), "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=");
	assert_string_equal(cid(4, 1, "5.6.7.8", 0, "1.2.3.4", 0, 0), "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=");
	assert_string_equal(cid(6, 58, v6a, 128, v6b, 0, 0), "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=");
	assert_string_equal(cid(4, 6, "1.2.3.4", 1122, "5.6.7.8", 3344, 1), "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=");
	assert_string_equal(cid(4, 17, "1.2.3.4", 1122, "5.6.7.8", 3344, 1), "1:OShq+iKDAMVouh/4bMxB9Sz4amw=");
	assert_string_equal(cid(4, 1, "1.2.3.4", 8, "5.6.7.8", 0, 1), "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=");
	assert_string_equal(cid(6, 58, v6a, 128, v6b, 0, 1), "1:IO27GQzPuCtNnwFvjWALMHu5tJE=");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_community_id_spec_vectors),
	};

	return cmocka_run_group_tests_name("community_id", tests, NULL, NULL);
}
