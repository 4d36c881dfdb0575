// SPDX-License-Identifier: GPL-2.0
/* Application identification: every identifier names its protocol on a real payload (or, for
 * those the corpus lacks, one built from the specification) and refuses a near miss one byte
 * away; every identifier file has its registry row; the application table's errors name
 * file:line:col and its lookup takes the longest suffix; the DNS probe no longer claims what
 * is not DNS. Run from the repository's top (the sample tables are in tests/data/appid). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "xdpi/appid.h"
#include "xdpi/dissect.h"

struct sample {
	char name[32];
	uint8_t l4, dir;
	uint16_t sport, dport;
	uint8_t *pos, *neg;
	size_t pos_len, neg_len;
};

static size_t unhex(const char *h, uint8_t **out)
{
	size_t n = strlen(h) / 2;

	*out = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		(*out)[i] = (uint8_t)v;
	}
	return n;
}

/* Reads the rows of PATH into S (from *N on); returns the new count. */
static size_t load(const char *path, struct sample *s, size_t n, size_t cap)
{
	static char line[1 << 17];
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && n < cap) {
		char name[32], l4[4], pos[1 << 16], neg[1 << 16];
		unsigned sp, dp, dir;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(sscanf(line, "%31s %3s %u %u %u %65535s %65535s", name, l4, &sp, &dp, &dir,
					pos, neg), 7);
		snprintf(s[n].name, sizeof(s[n].name), "%s", name);
		s[n].l4 = !strcmp(l4, "tcp") ? XDPI_IDENT_TCP : XDPI_IDENT_UDP;
		s[n].sport = (uint16_t)sp, s[n].dport = (uint16_t)dp, s[n].dir = (uint8_t)dir;
		s[n].pos_len = unhex(pos, &s[n].pos);
		s[n].neg_len = unhex(neg, &s[n].neg);
		n++;
	}
	fclose(f);
	return n;
}

static enum xdpi_ident_answer ask(const char *name, const struct xdpi_ident_in *in)
{
	enum xdpi_ident_answer best = XDPI_IDENT_NO;

	for (size_t i = 0; i < xdpi_idents_count(); i++) {
		const struct xdpi_ident *id = xdpi_ident_at(i);

		if (strcmp(id->name, name) || !(id->l4 & in->l4))
			continue;
		enum xdpi_ident_answer a = id->probe(in);

		if (a == XDPI_IDENT_YES)
			return a;
		if (a == XDPI_IDENT_MORE)
			best = a;
	}
	return best;
}

static void test_every_identifier_positive_and_near_miss(void **state)
{
	static struct sample s[512];
	size_t n = 0;
	bool covered[256] = { false };

	(void)state;
	n = load("tests/data/appid/samples.txt", s, n, 512);
	n = load("tests/data/appid/manual.txt", s, n, 512);
	assert_true(n >= 100);
	for (size_t i = 0; i < n; i++) {
		struct xdpi_ident_in in = { .l4 = s[i].l4, .dir = s[i].dir, .sport = s[i].sport,
					    .dport = s[i].dport, .buf = s[i].pos, .len = s[i].pos_len };
		const struct xdpi_ident *got;
		bool more;

		got = xdpi_ident_run(&in, &more);
		if (!got || strcmp(got->name, s[i].name))
			fail_msg("%s: its sample is named %s", s[i].name, got ? got->name : "nothing");
		in.buf = s[i].neg, in.len = s[i].neg_len;
		if (ask(s[i].name, &in) != XDPI_IDENT_NO)
			fail_msg("%s: the near miss is not refused", s[i].name);
		for (size_t k = 0; k < xdpi_idents_count(); k++)
			if (!strcmp(xdpi_ident_at(k)->name, s[i].name))
				covered[k] = true;
	}
	for (size_t k = 0; k < xdpi_idents_count(); k++)
		if (!covered[k])
			fail_msg("identifier %s has no sample", xdpi_ident_at(k)->name);
	for (size_t i = 0; i < n; i++)
		free(s[i].pos), free(s[i].neg);
}

/* Identifiers say nothing on what every flow may carry: empty, zeros, text, random bytes. */
static void test_identifiers_quiet_on_common_noise(void **state)
{
	static uint8_t zeros[1500], text[] = "hello world, this is not a protocol\r\n", rnd[1500];
	const uint8_t *bufs[] = { zeros, text, rnd };
	size_t lens[] = { sizeof(zeros), sizeof(text) - 1, sizeof(rnd) };
	uint32_t x = 2463534242u;

	(void)state;
	for (size_t i = 0; i < sizeof(rnd); i++) { /* xorshift: the same bytes every run */
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		rnd[i] = (uint8_t)x;
	}
	for (size_t b = 0; b < 3; b++)
		for (uint8_t l4 = XDPI_IDENT_TCP; l4 <= XDPI_IDENT_UDP; l4++) {
			struct xdpi_ident_in in = { .buf = bufs[b], .len = lens[b], .l4 = l4,
						    .sport = 40000, .dport = 40002 };
			const struct xdpi_ident *id;
			bool more;

			id = xdpi_ident_run(&in, &more);
			if (id)
				fail_msg("%s claims noise %zu over %s", id->name, b, l4 == 1 ? "tcp" : "udp");
		}
}

static void test_registry_lists_every_identifier_file(void **state)
{
	DIR *d = opendir("src/appid/ident");
	struct dirent *e;
	size_t files = 0;
	char want[128];

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		FILE *f;
		char path[512], text[8192];
		bool found = false;

		if (n < 3 || strcmp(e->d_name + n - 2, ".c"))
			continue;
		files++;
		snprintf(path, sizeof(path), "src/appid/ident/%s", e->d_name);
		snprintf(want, sizeof(want), "X(%.*s)", (int)(n - 2), e->d_name);
		f = fopen("src/appid/idents.def", "r");
		assert_non_null(f);
		while (fgets(text, sizeof(text), f))
			found |= !strncmp(text, want, strlen(want)) && text[strlen(want)] == '\n';
		fclose(f);
		if (!found)
			fail_msg("%s has no row in appid/idents.def", path);
	}
	closedir(d);
	assert_int_equal(files, xdpi_idents_count());
}

static void test_apps_table(void **state)
{
	static const char good[] = "# comment\n"
				   "example.com   Example   Web\n"
				   "video.example.com ExampleVideo Media  # more specific\n"
				   "\n"
				   "cdn.test ExampleVideo\n";
	const struct xdpi_app *a;
	char err[256];

	(void)state;
	xdpi_apps_clear();
	assert_int_equal(xdpi_apps_parse("t.conf", good, sizeof(good) - 1, err, sizeof(err)), 0);
	assert_int_equal(xdpi_apps_count(), 2);
	a = xdpi_apps_lookup("www.example.com", 15);
	assert_non_null(a);
	assert_string_equal(a->name, "Example");
	assert_string_equal(a->category, "Web");
	a = xdpi_apps_lookup("R1.Video.Example.COM.:443", 25);
	assert_non_null(a);
	assert_string_equal(a->name, "ExampleVideo");
	assert_string_equal(a->category, "Media"); /* a later line without one keeps it */
	assert_null(xdpi_apps_lookup("notexample.com", 14)); /* a label boundary, not a substring */
	assert_null(xdpi_apps_lookup("example.org", 11));

	assert_int_not_equal(xdpi_apps_parse("bad.conf", "ok.com A\nbad..com B\n", 20, err, sizeof(err)), 0);
	assert_string_equal(err, "bad.conf:2:1: domain suffix 'bad..com': empty label");
	assert_int_not_equal(xdpi_apps_parse("bad.conf", "x.com\n", 6, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "bad.conf:1:6: expected an application name"));
	assert_int_not_equal(xdpi_apps_parse("bad.conf", "x.com A B C\n", 12, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "bad.conf:1:11: unexpected 'C'"));
	assert_int_not_equal(xdpi_apps_parse("bad.conf", "x_y.com A$ B\n", 13, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "bad.conf:1:10: application name: '$'"));

	xdpi_apps_clear();
	assert_int_equal(xdpi_apps_load_default(err, sizeof(err)), 0);
	assert_true(xdpi_apps_count() >= 100);
	a = xdpi_apps_lookup("rr3---sn-4g5e6nsz.googlevideo.com", 33);
	assert_non_null(a);
	assert_string_equal(a->name, "YouTube");
	xdpi_apps_clear();
}

static void test_risk_names_distinct(void **state)
{
	(void)state;
	for (int a = 0; a < XDPI_RISK_MAX; a++) {
		assert_non_null(xdpi_risk_name(a));
		for (int b = 0; b < a; b++)
			assert_string_not_equal(xdpi_risk_name(a), xdpi_risk_name(b));
	}
}

/* The DNS probe claimed TLS records, DHCP and NetBIOS before; now the whole message must
 * parse and fill the datagram. */
static void test_dns_probe_is_strict(void **state)
{
	const struct xdpi_dissector *dns = xdpi_dissector_find("dns");
	/* a query for example.com A IN */
	static const uint8_t q[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm',
				     'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1 };
	uint8_t buf[128];

	(void)state;
	assert_int_equal(dns->probe(q, sizeof(q), XDPI_L4_UDP, 0), XDPI_DISSECT_OK);
	memcpy(buf, q, sizeof(q));
	buf[sizeof(q)] = 0xaa; /* a byte past the question: not a DNS message */
	assert_int_equal(dns->probe(buf, sizeof(q) + 1, XDPI_L4_UDP, 0), XDPI_DISSECT_NOT_MINE);
	memcpy(buf, q, sizeof(q));
	buf[sizeof(q) - 1] = 9; /* class 9 */
	assert_int_equal(dns->probe(buf, sizeof(q), XDPI_L4_UDP, 0), XDPI_DISSECT_NOT_MINE);
	/* a NetBIOS name query: the header is DNS's, the name 32 letters A-P */
	memcpy(buf, q, 12);
	buf[12] = 32;
	memset(buf + 13, 'C', 32);
	buf[45] = 0, buf[46] = 0, buf[47] = 0x20, buf[48] = 0, buf[49] = 1;
	assert_int_equal(dns->probe(buf, 50, XDPI_L4_UDP, 0), XDPI_DISSECT_NOT_MINE);
	buf[13] = 'Z'; /* one letter outside A-P: a (strange) DNS name again */
	assert_int_equal(dns->probe(buf, 50, XDPI_L4_UDP, 0), XDPI_DISSECT_OK);
}

/* The port guess, by the index, answers what asking every identifier in order answers: the
 * first with the lower port, else the first with the higher, for every port of both
 * transports. */
static const struct xdpi_ident *by_port_walk(uint8_t l4, uint16_t a, uint16_t b)
{
	uint16_t lo = a < b ? a : b, hi = a < b ? b : a;
	const struct xdpi_ident *hit = NULL;

	for (size_t i = 0; i < xdpi_idents_count(); i++) {
		const struct xdpi_ident *id = xdpi_ident_at(i);

		if (!(id->l4 & l4))
			continue;
		if (xdpi_ident_port_in(id->ports, lo, lo))
			return id;
		if (!hit && xdpi_ident_port_in(id->ports, hi, hi))
			hit = id;
	}
	return hit;
}

static void test_port_guess_agrees_with_the_registry(void **state)
{
	const uint8_t l4s[] = { XDPI_L4_TCP, XDPI_L4_UDP, XDPI_L4_TCP | XDPI_L4_UDP };
	size_t found = 0;

	(void)state;
	for (size_t t = 0; t < sizeof(l4s); t++) {
		for (uint32_t p = 0; p < 65536; p++) {
			uint16_t other = (uint16_t)(p * 40503u + 1234u); /* another port, spread */
			const struct xdpi_ident *want = by_port_walk(l4s[t], (uint16_t)p, other);

			assert_ptr_equal(xdpi_ident_by_port(l4s[t], (uint16_t)p, other), want);
			assert_ptr_equal(xdpi_ident_by_port(l4s[t], other, (uint16_t)p), want);
			assert_ptr_equal(xdpi_ident_by_port(l4s[t], (uint16_t)p, (uint16_t)p),
					 by_port_walk(l4s[t], (uint16_t)p, (uint16_t)p));
			found += want != NULL;
		}
	}
	assert_true(found > 300); /* the registered ports are hundreds: the walk found them */
	assert_null(xdpi_ident_by_port(XDPI_L4_TCP, 0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_identifier_positive_and_near_miss),
		cmocka_unit_test(test_identifiers_quiet_on_common_noise),
		cmocka_unit_test(test_registry_lists_every_identifier_file),
		cmocka_unit_test(test_apps_table),
		cmocka_unit_test(test_risk_names_distinct),
		cmocka_unit_test(test_dns_probe_is_strict),
		cmocka_unit_test(test_port_guess_agrees_with_the_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
