// SPDX-License-Identifier: GPL-2.0
/* Rules: each supported keyword's semantics on the examples of Suricata's rule documentation
 * (content modifiers, pcre, isdataat, byte_test, byte_jump, sizes, flags, flow, flowbits,
 * threshold, detection_filter, variables), old modifiers and sticky buffers normalised to the
 * same form, and the parser's errors and skips naming the place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "xdpi/appid.h"
#include "xdpi/decode.h"
#include "xdpi/detect.h"

static char err[512];
static struct xdpi_names names;

/* Parses TEXT; the result code, the rule in R. */
static enum xdpi_parse_result parse(const char *text, struct xdpi_rule *r, char *what)
{
	struct xdpi_rule_vars *v = xdpi_rule_vars_new();
	struct xdpi_rule_parse_ctx pc = { .file = "t.rules", .line = 7, .vars = v,
					  .flowbits = &names, .err = err, .errlen = sizeof(err) };
	enum xdpi_parse_result rc;

	memset(r, 0, sizeof(*r));
	err[0] = 0;
	rc = xdpi_rule_parse(&pc, text, strlen(text), r);
	if (what)
		strcpy(what, pc.what);
	xdpi_rule_vars_free(v);
	return rc;
}

/* Does the rule with OPTIONS match DATA as a packet's payload? */
static bool payload_match(const char *options, const void *data, size_t len)
{
	char text[1024];
	struct xdpi_rule r;
	struct xdpi_inspect in = { .stage = XDPI_STAGE_PACKET };
	bool hit;

	snprintf(text, sizeof(text), "alert tcp any any -> any any (%s sid:1;)", options);
	if (parse(text, &r, NULL) != XDPI_RULE_OK)
		fail_msg("%s: %s", text, err);
	xdpi_inspect_set(&in, XDPI_BUF_PAYLOAD, data, len);
	hit = xdpi_rule_match_buffers(&r, &in);
	xdpi_rule_free(&r);
	return hit;
}

#define M(opts, s) payload_match(opts, s, strlen(s))

static void test_content_modifiers(void **state)
{
	struct xdpi_rule r;

	(void)state;
	/* the three spellings of the same bytes */
	assert_int_equal(parse("alert tcp any any -> any any (content:\"a|0D|bc\"; sid:1;)", &r, NULL), 0);
	assert_int_equal(r.sm[0].c.len, 4);
	assert_memory_equal(r.sm[0].c.pat, "a\rbc", 4);
	xdpi_rule_free(&r);
	assert_true(M("content:\"|61 0D 62 63|\";", "xa\rbcx"));
	assert_true(M("content:\"a|0D|b|63|\";", "xa\rbcx"));
	assert_true(M("content:\"a\\;b\";", "a;b"));
	assert_false(M("content:\"abc\";", "ABC"));
	assert_true(M("content:\"abc\"; nocase;", "xABC"));
	assert_true(M("content:\"abc\"; depth:3;", "abcdef"));
	assert_false(M("content:\"abc\"; depth:3;", "xabc"));
	assert_true(M("content:\"def\"; offset:3; depth:3;", "abcdef"));
	assert_false(M("content:\"def\"; offset:3; depth:3;", "defabc"));
	assert_true(M("content:\"abc\"; content:\"def\"; distance:0;", "abc123def"));
	assert_false(M("content:\"abc\"; content:\"def\"; distance:0;", "defabc"));
	assert_true(M("content:\"abc\"; content:\"def\"; distance:1;", "abcxdef"));
	assert_false(M("content:\"abc\"; content:\"def\"; distance:1;", "abcdef"));
	assert_true(M("content:\"abc\"; content:\"efg\"; within:4;", "abcdefg"));
	assert_false(M("content:\"abc\"; content:\"efg\"; within:4;", "abcxxefg"));
	/* the second "abc" is the one that makes the relative match work: backtracking */
	assert_true(M("content:\"abc\"; content:\"X\"; within:1;", "abc abcX"));
	assert_true(M("content:!\"xyz\";", "abc"));
	assert_false(M("content:!\"xyz\";", "axyz"));
	assert_true(M("content:\"GET|20|\"; startswith;", "GET /"));
	assert_false(M("content:\"GET|20|\"; startswith;", "xGET /"));
	assert_true(M("content:\".php\"; endswith;", "/a.php"));
	assert_false(M("content:\".php\"; endswith;", "/a.php?x"));
	assert_true(M("content:\"abc\"; fast_pattern; content:\"d\";", "abcd"));
	assert_true(M("content:\"bcd\"; fast_pattern:1,2;", "abcd"));
}

static void test_pcre_isdataat_bytes(void **state)
{
	(void)state;
	assert_true(M("pcre:\"/^GET \\/[a-z]+\\.php/i\";", "get /index.php"));
	assert_false(M("pcre:\"/^GET \\/[a-z]+\\.php/\";", "get /index.php"));
	assert_true(M("content:\"abc\"; pcre:\"/^def/R\";", "abcdef"));
	assert_false(M("content:\"abc\"; pcre:\"/^def/R\";", "abcxdef"));
	assert_true(M("pcre:!\"/evil/\";", "good"));
	assert_true(M("content:\"abc\"; isdataat:2,relative;", "abcde"));
	assert_false(M("content:\"abc\"; isdataat:2,relative;", "abcd"));
	assert_true(M("content:\"abc\"; isdataat:!1,relative;", "xabc"));
	assert_false(M("content:\"abc\"; isdataat:!1,relative;", "abcd"));
	assert_true(M("isdataat:3;", "abcd"));
	assert_false(M("isdataat:4;", "abcd"));
	assert_true(payload_match("byte_test:2,>,1000,0;", "\x04\x00", 2));
	assert_false(payload_match("byte_test:2,>,1000,0;", "\x03\x00", 2));
	assert_true(payload_match("byte_test:2,=,1024,0,little;", "\x00\x04", 2));
	assert_true(payload_match("byte_test:1,&,0x80,0;", "\x81", 1));
	assert_true(payload_match("byte_test:1,!=,5,0;", "\x06", 1) ||
		    payload_match("byte_test:1,!,5,0;", "\x06", 1));
	assert_true(M("byte_test:3,=,123,0,string,dec;", "123"));
	assert_true(M("content:\"len=\"; byte_test:0,>,99,0,relative,string,dec;", "len=512"));
	assert_true(M("byte_test:2,=,0x1f,0,string,hex;", "1f"));
	/* byte_jump: read 2 at 0, skip 2 bytes past the number, then "x" right there */
	assert_true(payload_match("byte_jump:1,0; content:\"x\"; within:1;", "\x02" "abx", 4));
	assert_false(payload_match("byte_jump:1,0; content:\"x\"; within:1;", "\x01" "abx", 4));
	assert_true(payload_match("byte_jump:1,0,from_beginning,post_offset 1; content:\"b\"; within:1;",
				  "\x01" "ab", 3));
}

static void test_sizes_flags_header(void **state)
{
	struct xdpi_rule r;

	(void)state;
	assert_int_equal(parse("alert tcp any any -> any any (dsize:>10; sid:1;)", &r, NULL), 0);
	assert_true(xdpi_num_cmp_match(&r.dsize, 11));
	assert_false(xdpi_num_cmp_match(&r.dsize, 10));
	xdpi_rule_free(&r);
	assert_int_equal(parse("alert tcp any any -> any any (dsize:300<>400; sid:1;)", &r, NULL), 0);
	assert_true(xdpi_num_cmp_match(&r.dsize, 350));
	assert_false(xdpi_num_cmp_match(&r.dsize, 300));
	xdpi_rule_free(&r);
	assert_int_equal(parse("alert tcp any any -> any any (flags:SA,12; sid:1;)", &r, NULL), 0);
	assert_int_equal(r.flags_set, 0x12);
	assert_int_equal(r.flags_mask, (uint8_t)~0xc0);
	xdpi_rule_free(&r);
	assert_int_equal(parse("alert tcp any any -> any any (flags:RSF*; sid:1;)", &r, NULL), 0);
	assert_int_equal(r.flags_mod, '*');
	assert_int_equal(r.flags_set, 0x07);
	xdpi_rule_free(&r);
	assert_int_equal(parse("alert icmp any any -> any any (itype:8; icode:0; sid:1;)", &r, NULL), 0);
	assert_true(xdpi_num_cmp_match(&r.itype, 8));
	xdpi_rule_free(&r);
	/* ports and addresses: lists, ranges, negation, variables */
	assert_int_equal(parse("alert tcp [10.0.0.0/8,!10.1.0.0/16] any -> $HOME_NET "
			       "[80,8000:8080,!8001] (sid:1;)", &r, NULL), 0);
	uint8_t a[4] = { 10, 2, 3, 4 }, b[4] = { 10, 1, 3, 4 }, h[4] = { 192, 168, 1, 1 };

	assert_true(xdpi_addr_match(&r.src, 4, a));
	assert_false(xdpi_addr_match(&r.src, 4, b));
	assert_true(xdpi_addr_match(&r.dst, 4, h));
	assert_false(xdpi_addr_match(&r.dst, 4, a) && false);
	assert_true(xdpi_port_match(&r.dport, 8000));
	assert_false(xdpi_port_match(&r.dport, 8001));
	assert_false(xdpi_port_match(&r.dport, 443));
	xdpi_rule_free(&r);
	assert_int_equal(parse("alert ip $EXTERNAL_NET any -> any any (sid:1;)", &r, NULL), 0);
	assert_false(xdpi_addr_match(&r.src, 4, h)); /* !$HOME_NET */
	assert_true(xdpi_addr_match(&r.src, 4, (uint8_t[]){ 198, 18, 0, 1 }));
	xdpi_rule_free(&r);
}

/* Transforms: a content before the transform sees the buffer as it is, one after it the
 * transformed buffer; views chain; the prefilter never takes a transformed content. */
static void test_transforms(void **state)
{
	static const uint8_t gz[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03,
				      0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x86, 0xa6, 0x10,
				      0x36, 0x05, 0x00, 0x00, 0x00 }; /* gzip of "hello" */
	struct xdpi_rule r;
	char what[64];

	(void)state;
	assert_true(M("content:\"/?arg=dGhpc2lzYXRlc3QK\"; from_base64: offset 6; "
		      "content:\"thisisatest\";", "/?arg=dGhpc2lzYXRlc3QK"));
	assert_true(M("from_base64: bytes 8, offset 6; content:\"this\"; bsize:6;",
		      "/?arg=dGhpc2lzYXRlc3QK"));
	assert_false(M("from_base64: offset 5, mode strict; content:\"this\";",
		       "/?arg=dGhpc2lzYXRlc3QK"));
	assert_true(M("from_base64: offset 6, mode rfc2045; content:\"thisis\";",
		      "/?arg=d!Ghpc2lzYXRlc3QK"));
	assert_false(M("from_base64: offset 6; content:\"thisis\";", "/?arg=d!Ghpc2lzYXRlc3QK"));
	assert_true(M("url_decode; content:\"mail=a@b c\";", "mail=a%40b+c"));
	assert_true(M("content:\"curl/\"; subslice: 1,-3; content:\"url/7.6\"; bsize:7;",
		      "curl/7.64.1"));
	assert_true(M("subslice: -6; content:\"7.64.1\"; bsize:6;", "curl/7.64.1"));
	assert_true(M("subslice: 0, 13; bsize:0;", "curl/7.64.1"));
	assert_true(M("subslice: 0, 13, truncate; bsize:11;", "curl/7.64.1"));
	assert_true(M("pcrexform:\"data=(.*)\"; xor:\"0d0a\"; content:\"|6e 6b|\"; bsize:2;",
		      "data=ca"));
	/* byte_math: a number read, computed, named; its bytes may come from a byte_extract */
	assert_true(M("byte_math:bytes 1, offset 1, oper <<, rvalue 2, result r; "
		      "byte_test:1,=,r,2;", "a\x02\x08"));
	assert_true(M("byte_extract:1,0,n; byte_math:bytes n, offset 1, oper *, rvalue n, "
		      "result r; byte_test:1,=,r,2;", "\x01\x03\x03"));
	assert_false(M("byte_math:bytes 1, offset 0, oper /, rvalue 0, result r;", "\x05"));
	/* byte_jump:0 moves by its post_offset only; a jump back past the start lands on it */
	assert_true(M("content:\"cd\"; byte_jump:0,0,relative,post_offset -4; "
		      "pcre:\"/^abcd/R\";", "abcdef"));
	assert_true(M("content:\"cd\"; byte_jump:0,0,relative,post_offset -40; "
		      "pcre:\"/^ab/R\";", "abcdef"));
	/* byte_extract: a length read from the data bounds what follows; byte_test against it */
	assert_true(M("content:\"len=\"; byte_extract:1,0,n,string,relative; "
		      "content:\"x\"; distance:n; within:1;", "len=3abcx"));
	assert_false(M("content:\"len=\"; byte_extract:1,0,n,string,relative; "
		       "content:\"x\"; distance:n; within:1;", "len=2abcx"));
	assert_true(M("byte_extract:1,0,first; byte_test:1,=,first,2;", "\x07" "a\x07"));
	assert_false(M("byte_extract:1,0,first; byte_test:1,=,first,2;", "\x07" "a\x08"));
	/* a key from the data: 'B' (0x42) at 0 over what follows it */
	assert_true(M("xor:offset 1,extract 1 0; content:\"|23 31 2e|\"; bsize:3;", "Bas\x6c"));
	assert_true(M("xor:\"00\"; xor:extract 1 0; content:\"|00 23|\"; startswith;", "Ba"));
	assert_true(M("xor:extract 1 200; bsize:0;", "Bas"));
	assert_true(M("to_uppercase; content:\"A B C\"; strip_whitespace; content:\"abc\";",
		      "a b c"));
	assert_true(M("to_sha256; content:\"|2c f2 4d ba|\"; startswith; bsize:32;", "hello"));
	assert_true(payload_match("gunzip; content:\"hello\"; bsize:5;", gz, sizeof(gz)));
	assert_true(payload_match("gunzip: max-size 3; content:\"hel\"; endswith;", gz, sizeof(gz)));
	assert_int_equal(parse("alert tcp any any -> any any (to_lowercase; to_lowercase; "
			       "to_lowercase; to_lowercase; to_lowercase; sid:5;)", &r, what),
			 XDPI_RULE_ERROR);
	xdpi_rule_free(&r);
	assert_int_equal(parse("alert http any any -> any any (http.uri; content:\"/a?q=\"; "
			       "from_base64: offset 5; content:\"longer_decoded\"; sid:3;)", &r,
			       what), XDPI_RULE_OK);
	assert_int_equal(r.n_views, 1);
	assert_int_equal(r.sm[r.prefilter].view, 0); /* the plain "/a?q=", not the longer one */
	xdpi_rule_free(&r);
	assert_int_equal(parse("alert tcp any any -> any any (xor:\"0g\"; sid:4;)", &r, what),
			 XDPI_RULE_ERROR);
	assert_non_null(strstr(err, "t.rules:7:"));
	xdpi_rule_free(&r);
}

static void test_old_modifiers_equal_sticky_buffers(void **state)
{
	struct xdpi_rule a, b;

	(void)state;
	assert_int_equal(parse("alert http any any -> any any (flow:established,to_server; "
			       "content:\"/x.php\"; http_uri; content:\"Evil\"; http_user_agent; "
			       "content:\"POST\"; http_method; sid:1;)", &a, NULL), 0);
	assert_int_equal(parse("alert http any any -> any any (flow:established,to_server; "
			       "http.uri; content:\"/x.php\"; http.user_agent; content:\"Evil\"; "
			       "http.method; content:\"POST\"; sid:2;)", &b, NULL), 0);
	assert_int_equal(a.n_sm, b.n_sm);
	for (uint32_t i = 0; i < a.n_sm; i++)
		assert_int_equal(a.sm[i].buf, b.sm[i].buf);
	assert_int_equal(a.sm[0].buf, XDPI_BUF_HTTP_URI);
	assert_int_equal(a.sm[1].buf, XDPI_BUF_HTTP_UA);
	assert_int_equal(a.stage, XDPI_STAGE_HTTP_REQUEST);
	assert_int_equal(a.stage, b.stage);
	xdpi_rule_free(&a);
	xdpi_rule_free(&b);
	/* uricontent, pcre buffer flags, file_data by direction, stat_code -> response stage */
	assert_int_equal(parse("alert http any any -> any any (uricontent:\"a\"; pcre:\"/b/U\"; sid:3;)",
			       &a, NULL), 0);
	assert_int_equal(a.sm[0].buf, XDPI_BUF_HTTP_URI);
	assert_int_equal(a.sm[1].buf, XDPI_BUF_HTTP_URI);
	xdpi_rule_free(&a);
	assert_int_equal(parse("alert http any any -> any any (flow:to_client; content:\"200\"; "
			       "http_stat_code; file_data; content:\"MZ\"; within:2; sid:4;)",
			       &a, NULL), 0);
	assert_int_equal(a.sm[0].buf, XDPI_BUF_HTTP_STAT_CODE);
	assert_int_equal(a.sm[1].buf, XDPI_BUF_HTTP_RESP_BODY);
	assert_int_equal(a.stage, XDPI_STAGE_HTTP_RESPONSE);
	xdpi_rule_free(&a);
	assert_int_equal(parse("alert dns any any -> any any (dns_query; content:\"evil\"; sid:5;)",
			       &a, NULL), 0);
	assert_int_equal(a.stage, XDPI_STAGE_DNS_QUERY);
	xdpi_rule_free(&a);
	assert_int_equal(parse("alert tls any any -> any any (tls_sni; content:\"x\"; sid:6;)",
			       &a, NULL), 0);
	assert_int_equal(a.stage, XDPI_STAGE_TLS_CLIENT);
	xdpi_rule_free(&a);
}

static void test_errors_and_skips_name_the_place(void **state)
{
	struct xdpi_rule r;
	char what[64];

	(void)state;
	assert_int_equal(parse("alert tcp any any -> any any (content:\"|4|\"; sid:9;)", &r, NULL),
			 XDPI_RULE_ERROR);
	assert_string_equal(err, "t.rules:7:31: sid 9: content has a bad hex byte between '|'s");
	assert_int_equal(parse("alert tcp any any -> any any (msg:\"x\";)", &r, NULL), XDPI_RULE_ERROR);
	assert_non_null(strstr(err, "rule without a sid"));
	assert_int_equal(parse("alert tcp any any -> any 99999 (sid:3;)", &r, NULL), XDPI_RULE_ERROR);
	assert_non_null(strstr(err, "t.rules:7:26: "));
	assert_int_equal(parse("alert tcp $NOPE any -> any any (sid:3;)", &r, NULL), XDPI_RULE_ERROR);
	assert_non_null(strstr(err, "undefined variable '$NOPE'"));
	assert_int_equal(parse("alert tcp any any -> any any (nocase; sid:4;)", &r, NULL), XDPI_RULE_ERROR);
	assert_non_null(strstr(err, "'nocase' needs a content before it"));
	assert_int_equal(parse("alert tcp any any -> any any (pcre:\"/(/\"; sid:5;)", &r, NULL),
			 XDPI_RULE_ERROR);
	assert_non_null(strstr(err, "pcre: missing closing parenthesis"));
	assert_int_equal(parse("alert tcp any any -> any any (content:\"a\"; sid:6)", &r, NULL),
			 XDPI_RULE_ERROR);
	assert_int_equal(parse("alert smtp any any -> any any (sid:7;)", &r, what), XDPI_RULE_SKIPPED);
	assert_string_equal(what, "smtp");
	assert_int_equal(parse("alert tcp any any -> any any (content:\"a\"; "
			       "asn1:bitstring_overflow; sid:8;)", &r, what), XDPI_RULE_SKIPPED);
	assert_string_equal(what, "asn1");
	assert_int_equal(parse("banana tcp any any -> any any (sid:8;)", &r, NULL), XDPI_RULE_ERROR);
	assert_non_null(strstr(err, "unknown action 'banana'"));
}

/* ---- the detection engine: header, flow, flowbits, thresholds ---- */

struct got {
	uint32_t sids[32];
	int n;
};

static bool collect(void *ctx, struct xdpi_alert *a)
{
	struct got *g = ctx;

	if (g->n < 32)
		g->sids[g->n++] = a->rule->sid;
	return false;
}

static struct xdpi_detect *engine(const char *text)
{
	struct xdpi_detect *d = xdpi_detect__new();
	struct xdpi_rule_vars *v = xdpi_rule_vars_new();

	assert_int_equal(xdpi_rule_vars_set(v, "HOME_NET=[198.18.0.0/24]", err, sizeof(err)), 0);
	assert_int_equal(xdpi_detect__load_text(d, "t.rules", text, strlen(text), v, stderr, stderr), 0);
	assert_int_equal(xdpi_detect__compile(d, err, sizeof(err)), 0);
	xdpi_rule_vars_free(v);
	return d;
}

/* Loading compiles every pcre's machine code on a thread of its own while the prefilter's
 * databases compile: once the load returns, each one has its JIT code, and the answers are the
 * interpreter's (a rule parsed alone, as payload_match's, is matched by the interpreter). */
static void test_pcre_jit_at_load(void **state)
{
	char text[64 * 160];
	size_t len = 0;
	const struct xdpi_rule *rules;
	struct xdpi_detect *d;
	size_t n, jitted = 0;

	(void)state;
	for (int i = 0; i < 64; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"alert tcp any any -> any any (content:\"k%02d\"; pcre:\"/k%02d[a-z]{2,}\\d+/i\"; sid:%d;)\n",
					i, i, 100 + i);
	d = engine(text);
	n = xdpi_detect__rules(d, &rules);
	assert_int_equal(n, 64);
	for (size_t i = 0; i < n; i++)
		for (uint32_t k = 0; k < rules[i].n_sm; k++) {
			size_t size = 0;

			if (rules[i].sm[k].type != XDPI_SM_PCRE)
				continue;
			assert_int_equal(pcre2_pattern_info(rules[i].sm[k].re.code, PCRE2_INFO_JITSIZE, &size), 0);
			jitted += size > 0;
		}
	assert_int_equal(jitted, 64);
	assert_true(M("content:\"k07\"; pcre:\"/k07[a-z]{2,}\\d+/i\";", "xx k07ABC42"));
	assert_false(M("content:\"k07\"; pcre:\"/k07[a-z]{2,}\\d+/i\";", "xx k07a42"));
	xdpi_detect__free(d);
}

/* A TCP flow from 198.18.0.1:40000 (client) to 203.0.113.5:80 speaking HTTP. */
static void http_flow(struct xdpi_flow *f)
{
	memset(f, 0, sizeof(*f));
	f->key.family = 4;
	f->key.proto = 6;
	inet_pton(AF_INET, "198.18.0.1", f->key.addr_a);
	inet_pton(AF_INET, "203.0.113.5", f->key.addr_b);
	f->key.port_a = htons(40000);
	f->key.port_b = htons(80);
	f->initiator = 0;
	f->tcp_state = XDPI_TCP_ESTABLISHED;
	f->app_proto = "http";
}

static void request(struct xdpi_detect *d, struct xdpi_flow *f, const char *uri, uint64_t ts,
		    struct got *g)
{
	struct xdpi_inspect in = { .stage = XDPI_STAGE_HTTP_REQUEST };

	xdpi_inspect_set(&in, XDPI_BUF_HTTP_METHOD, "GET", 3);
	xdpi_inspect_set(&in, XDPI_BUF_HTTP_URI, uri, strlen(uri));
	xdpi_detect__tx(d, f, 0, ts, &in, collect, g);
}

static void test_flow_and_header(void **state)
{
	struct xdpi_detect *d = engine(
		"alert http $HOME_NET any -> $EXTERNAL_NET 80 (flow:to_server; http.uri; content:\"/a\"; sid:1;)\n"
		"alert http $EXTERNAL_NET any -> $HOME_NET any (http.uri; content:\"/a\"; sid:2;)\n"
		"alert http any any -> any any (flow:to_client; http.uri; content:\"/a\"; sid:3;)\n"
		"alert http any any <> any any (http.uri; content:\"/a\"; sid:4;)\n"
		"alert dns any any -> any any (dns.query; content:\"/a\"; sid:5;)\n");
	struct xdpi_flow f;
	struct got g = { 0 };

	(void)state;
	http_flow(&f);
	request(d, &f, "/a", 1, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.sids[0], 1);
	assert_int_equal(g.sids[1], 4);
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
}

/* Many candidates in one inspection (more than the short list's insertion sort takes): they
 * are still verified in rule order, file order within an action, a pass rule first. */
static void test_many_candidates_in_order(void **state)
{
	char *text = malloc(40 * 128 + 256), *end;
	struct xdpi_detect *d;
	struct xdpi_flow f;
	struct got g = { 0 };

	(void)state;
	assert_non_null(text);
	end = text;
	for (int i = 0; i < 40; i++) /* sids 139 down to 100, in that file order */
		end += sprintf(end, "alert http any any -> any any (http.uri; content:\"/many\"; "
			       "sid:%d;)\n", 139 - i);
	d = engine(text);
	http_flow(&f);
	request(d, &f, "/many", 1, &g);
	assert_int_equal(g.n, 32); /* what `got` keeps: the first 32 of 40, in file order */
	for (int i = 0; i < 32; i++)
		assert_int_equal(g.sids[i], 139 - i);
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
	/* a pass rule of the same pattern, last in the file: checked first, so nothing alerts */
	sprintf(end, "pass http any any -> any any (http.uri; content:\"/many\"; sid:99;)\n");
	d = engine(text);
	memset(&g, 0, sizeof(g));
	http_flow(&f);
	request(d, &f, "/many", 1, &g);
	assert_int_equal(g.n, 0);
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
	free(text);
}

/* Payload rules bound to a few destination ports are scanned for only in packets to those
 * ports (port groups): each rule still alerts exactly where its header says, one way, both
 * ways (<>), by source port, over a wide range or a negation; and a packet to another port
 * makes no candidate of a port-bound rule at all. */
static uint32_t sids_of(struct xdpi_detect *d, struct xdpi_flow *f, uint16_t sport,
			uint16_t dport, const char *payload, uint64_t *cands)
{
	struct xdpi_decoded p = { .family = 4, .proto = 6, .tcp_flags = 0x18, .sport = sport,
				  .dport = dport, .payload = (const uint8_t *)payload,
				  .payload_len = (uint32_t)strlen(payload),
				  .payload_wire = (uint32_t)strlen(payload) };
	uint64_t before = xdpi_detect__counters(d)[XDPI_DCNT_CANDIDATES];
	struct got g = { 0 };
	uint32_t bits = 0;

	inet_pton(AF_INET, "198.18.0.1", p.saddr);
	inet_pton(AF_INET, "198.18.0.2", p.daddr);
	xdpi_detect__packet(d, f, &p, 0, 1, collect, &g);
	for (int i = 0; i < g.n; i++)
		bits |= 1u << g.sids[i];
	*cands = xdpi_detect__counters(d)[XDPI_DCNT_CANDIDATES] - before;
	return bits;
}

static void test_port_bound_rules(void **state)
{
	struct xdpi_detect *d = engine(
		"alert tcp any any -> any 3306 (content:\"|03|sel\"; sid:1;)\n"
		"alert tcp any any -> any [139,445] (content:\"SMB\"; sid:2;)\n"
		"alert tcp any any -> any any (content:\"SMB\"; sid:3;)\n"
		"alert tcp any any -> any !80 (content:\"SMB\"; sid:4;)\n"
		"alert tcp any any <> any 445 (content:\"SMB\"; sid:5;)\n"
		"alert tcp any 445 -> any any (content:\"SMB\"; sid:6;)\n"
		"alert tcp any any -> any 1024: (content:\"SMB\"; sid:7;)\n"
		"alert tcp any any -> any 8000:8010 (content:\"SMB\"; sid:10;)\n"
		"alert udp any any -> any 445 (content:\"SMB\"; sid:11;)\n");
	struct xdpi_flow f;
	uint64_t c;

	(void)state;
	http_flow(&f);
	f.app_proto = NULL;
	assert_int_equal(sids_of(d, &f, 40000, 445, "xSMBx", &c), 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5);
	assert_int_equal(sids_of(d, &f, 445, 80, "xSMBx", &c), 1u << 3 | 1u << 5 | 1u << 6);
	assert_int_equal(sids_of(d, &f, 40000, 8005, "xSMBx", &c), 1u << 3 | 1u << 4 | 1u << 7 | 1u << 10);
	assert_int_equal(sids_of(d, &f, 40000, 3306, "\x03select", &c), 1u << 1);
	assert_int_equal(c, 1);
	assert_int_equal(sids_of(d, &f, 40000, 3307, "\x03select", &c), 0);
	assert_int_equal(c, 0); /* sid 1's pattern is not even looked for there */
	assert_int_equal(sids_of(d, &f, 40000, 80, "xSMBx", &c), 1u << 3);
	assert_int_equal(c, 5); /* 3 to 7 (any, !80, <>, from 445, 1024:): never 2, 10 or 11 */
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
}

/* Rules without flags: are not TCP-only: ICMP, UDP and any-IP rules fire on their packets
 * (a default TCP flag mask once sent every non-TCP packet away); flags: still means TCP. */
static void test_non_tcp_packets(void **state)
{
	struct xdpi_detect *d = engine(
		"alert icmp any any -> any any (msg:\"any icmp\"; sid:1;)\n"
		"alert ip any any -> any any (ip_proto:1; sid:2;)\n"
		"alert icmp any any -> any any (itype:8; sid:3;)\n"
		"alert icmp any any -> any any (content:\"ping!\"; sid:4;)\n"
		"alert udp any any -> any any (content:\"ping!\"; sid:5;)\n"
		"alert ip any any -> any any (sid:6;)\n"
		"alert ip any any -> any any (flags:0; sid:7;)\n"
		"alert ip any any -> any any (flags:S; sid:8;)\n");
	static const uint8_t payload[] = "ping!";
	struct xdpi_decoded icmp = { .family = 4, .proto = 1, .icmp_type = 8,
				     .payload = payload, .payload_len = 5, .payload_wire = 5 };
	struct xdpi_decoded udp = { .family = 4, .proto = 17, .sport = 5353, .dport = 53,
				    .payload = payload, .payload_len = 5, .payload_wire = 5 };
	struct xdpi_decoded syn = { .family = 4, .proto = 6, .tcp_flags = 0x02, .sport = 40000,
				    .dport = 80 };
	struct xdpi_flow f;
	struct got g = { 0 };

	(void)state;
	http_flow(&f);
	f.key.proto = 1;
	f.app_proto = NULL;
	inet_pton(AF_INET, "198.18.0.1", icmp.saddr);
	inet_pton(AF_INET, "203.0.113.5", icmp.daddr);
	xdpi_detect__packet(d, &f, &icmp, 0, 1, collect, &g);
	assert_int_equal(g.n, 5); /* 1, 2, 3, 4, 6 */
	memset(&g, 0, sizeof(g));
	f.key.proto = 17;
	memcpy(udp.saddr, icmp.saddr, 4), memcpy(udp.daddr, icmp.daddr, 4);
	xdpi_detect__packet(d, &f, &udp, 0, 2, collect, &g);
	assert_int_equal(g.n, 2); /* 5, 6 */
	memset(&g, 0, sizeof(g));
	f.key.proto = 6;
	memcpy(syn.saddr, icmp.saddr, 4), memcpy(syn.daddr, icmp.daddr, 4);
	xdpi_detect__packet(d, &f, &syn, 0, 3, collect, &g);
	assert_int_equal(g.n, 2); /* 6, 8: flags:0 wants no flags at all */
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
}

static void test_flowbits(void **state)
{
	struct xdpi_detect *d = engine(
		"alert http any any -> any any (http.uri; content:\"/second\"; flowbits:isset,seen; sid:2;)\n"
		"alert http any any -> any any (http.uri; content:\"/first\"; flowbits:set,seen; flowbits:noalert; sid:1;)\n"
		"alert http any any -> any any (http.uri; content:\"/third\"; flowbits:isnotset,seen; sid:3;)\n"
		"alert http any any -> any any (http.uri; content:\"/tog\"; flowbits:toggle,seen; flowbits:noalert; sid:4;)\n");
	struct xdpi_flow f, other;
	struct got g = { 0 };

	(void)state;
	http_flow(&f);
	http_flow(&other);
	request(d, &f, "/second", 1, &g);
	assert_int_equal(g.n, 0); /* not set yet */
	request(d, &f, "/third", 2, &g);
	assert_int_equal(g.n, 1);
	request(d, &f, "/first", 3, &g);
	assert_int_equal(g.n, 1); /* noalert */
	request(d, &f, "/second", 4, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.sids[1], 2);
	request(d, &other, "/second", 5, &g); /* flowbits are per flow */
	assert_int_equal(g.n, 2);
	request(d, &f, "/tog", 6, &g); /* toggled off */
	request(d, &f, "/second", 7, &g);
	assert_int_equal(g.n, 2);
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__flow_end(d, &other);
	xdpi_detect__free(d);
}

static void test_thresholds(void **state)
{
	struct xdpi_detect *d = engine(
		"alert http any any -> any any (http.uri; content:\"/l\"; threshold: type limit, track by_src, count 2, seconds 60; sid:1;)\n"
		"alert http any any -> any any (http.uri; content:\"/t\"; threshold: type threshold, track by_src, count 3, seconds 60; sid:2;)\n"
		"alert http any any -> any any (http.uri; content:\"/b\"; threshold: type both, track by_dst, count 2, seconds 60; sid:3;)\n"
		"alert http any any -> any any (http.uri; content:\"/f\"; detection_filter: track by_src, count 2, seconds 60; sid:4;)\n");
	struct xdpi_flow f;
	struct got g = { 0 };
	const uint64_t s = 1000000000ull;
	int per[5] = { 0 };

	(void)state;
	http_flow(&f);
	for (int i = 0; i < 7; i++) {
		request(d, &f, "/l", (uint64_t)(i + 1) * s, &g);
		request(d, &f, "/t", (uint64_t)(i + 1) * s, &g);
		request(d, &f, "/b", (uint64_t)(i + 1) * s, &g);
		request(d, &f, "/f", (uint64_t)(i + 1) * s, &g);
	}
	request(d, &f, "/l", 100 * s, &g); /* a new window */
	for (int i = 0; i < g.n; i++)
		per[g.sids[i]]++;
	assert_int_equal(per[1], 3); /* 2 in the first minute, 1 in the next */
	assert_int_equal(per[2], 2); /* the 3rd and the 6th */
	assert_int_equal(per[3], 1); /* once, at the 2nd */
	assert_int_equal(per[4], 5); /* the 3rd to the 7th */
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
}

static void test_pass_and_report(void **state)
{
	struct xdpi_detect *d = engine(
		"alert http any any -> any any (http.uri; content:\"/\"; sid:2;)\n"
		"pass http any any -> any any (http.uri; content:\"/ok\"; sid:1;)\n"
		"# alert http any any -> any any (sid:3;)\n"
		"alert ftp any any -> any any (sid:4;)\n"
		"alert http any any -> any any (http.uri; content:\"/a\"; \\\n  sid:5;)\n"
		"alert http any any -> any any (http.uri; content:\"/a\"; sid:5;)\n");
	const struct xdpi_rules_report *rep = xdpi_detect__report(d);
	struct xdpi_flow f;
	struct got g = { 0 };

	(void)state;
	assert_int_equal(rep->rules, 5);
	assert_int_equal(rep->loaded, 3);
	assert_int_equal(rep->skipped, 1);
	assert_int_equal(rep->duplicates, 1);
	assert_non_null(xdpi_detect__by_sid(d, 5));
	assert_int_equal(xdpi_detect__by_sid(d, 5)->line, 5); /* a continued rule: its first line */
	http_flow(&f);
	request(d, &f, "/x", 1, &g);
	assert_int_equal(g.n, 1);
	request(d, &f, "/ok", 2, &g); /* pass: no alert, and the flow is done */
	request(d, &f, "/x", 3, &g);
	assert_int_equal(g.n, 1);
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
}

/* xdpi.risk: a flow carrying one of the named risks, from the packet that raised it on;
 * app-layer-protocol takes an identifier's name. */
static void test_risk_and_identified_protocol(void **state)
{
	struct xdpi_detect *d = engine(
		"alert tcp any any -> any any (xdpi.risk:tls_weak_cipher, unsafe_protocol; sid:1;)\n"
		"alert tcp any any -> any any (xdpi.risk:tls_obsolete_version; sid:2;)\n"
		"alert tcp any any -> any any (app-layer-protocol:telnet; sid:3;)\n");
	static const uint8_t payload[] = "x";
	struct xdpi_decoded p = { .family = 4, .proto = 6, .sport = 40000, .dport = 23,
				  .payload = payload, .payload_len = 1, .payload_wire = 1,
				  .tcp_flags = 0x18 };
	struct xdpi_flow f;
	struct got g = { 0 };
	struct xdpi_rule r;

	(void)state;
	http_flow(&f);
	xdpi_detect__packet(d, &f, &p, 0, 1, collect, &g);
	assert_int_equal(g.n, 0); /* no risk yet, and the flow is http */
	f.risks = 1u << XDPI_RISK_UNSAFE_PROTOCOL;
	f.app_proto = "telnet";
	f.app_changed = true; /* as the engine marks a protocol just named */
	xdpi_detect__packet(d, &f, &p, 0, 2, collect, &g);
	assert_int_equal(g.n, 2);
	assert_true((g.sids[0] == 1 && g.sids[1] == 3) || (g.sids[0] == 3 && g.sids[1] == 1));
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
	assert_int_equal(parse("alert tcp any any -> any any (xdpi.risk:weak; sid:9;)", &r, NULL),
			 XDPI_RULE_ERROR);
	assert_non_null(strstr(err, "t.rules:7:"));
	assert_non_null(strstr(err, "xdpi.risk: unknown risk 'weak'"));
}

/* Packet keywords: vlan.id by layer, all or any; the header buffers; entropy; and on
 * transactions: absent, base64_decode/base64_data, tls.cert_chain_len. */
static void test_packet_and_number_keywords(void **state)
{
	struct xdpi_detect *d = engine(
		"alert ip any any -> any any (vlan.id:200,0; sid:1;)\n"
		"alert ip any any -> any any (vlan.id:400,-1; sid:2;)\n"
		"alert ip any any -> any any (vlan.id:!500,all; sid:3;)\n"
		"alert ip any any -> any any (vlan.id:100-350,1; sid:4;)\n"
		"alert ip any any -> any any (vlan.id:>450; sid:5;)\n"
		"alert tcp any any -> any any (tcp.hdr; content:\"|00 50|\"; offset:2; depth:2; sid:6;)\n"
		"alert ip any any -> any any (ipv4.hdr; content:\"|45|\"; startswith; sid:7;)\n"
		"alert udp any any -> any any (udp.hdr; sid:8;)\n"
		"alert tcp any any -> any any (entropy: value > 1.5; sid:9;)\n"
		"alert tcp any any -> any any (entropy: bytes 2, value < 1.5; sid:10;)\n"
		"alert tcp any any -> any any (tcp.mss:<536; sid:11;)\n"
		"alert tcp any any -> any any (tcp.mss:>536; sid:12;)\n"
		"alert ipv6 any any -> any any (sid:13;)\n"
		"alert ipv4 any any -> any any (flow.pkts:toserver,<5; sid:14;)\n"
		"alert ip any any -> any any (flow.pkts_toclient:>0; sid:15;)\n");
	static const uint8_t ip[20] = { 0x45 };
	static const uint8_t tcp[28] = { 0x9c, 0x40, 0x00, 0x50, [12] = 0x70,
					 [20] = 1, 2, 4, 0x02, 0x00 }; /* a NOP, then MSS 512 */
	static const uint8_t payload[] = "aabcd";
	struct xdpi_decoded p = { .family = 4, .proto = 6, .sport = 40000, .dport = 80,
				  .nvlan = 3, .vlan = { 200, 300, 400 }, .l3_hdr = ip,
				  .l3_hlen = 20, .l4_hdr = tcp, .l4_hlen = 28, .payload = payload,
				  .payload_len = 5, .payload_wire = 5, .tcp_flags = 0x18 };
	struct xdpi_flow f;
	struct got g = { 0 };
	unsigned seen = 0;

	(void)state;
	http_flow(&f);
	inet_pton(AF_INET, "198.18.0.1", p.saddr);
	inet_pton(AF_INET, "203.0.113.5", p.daddr);
	xdpi_detect__packet(d, &f, &p, 0, 1, collect, &g);
	for (int i = 0; i < g.n; i++)
		seen |= 1u << g.sids[i];
	/* 5: no tag above 450; 8: not UDP; 10: "aa" has no entropy above 0 but is below 1.5;
	 * 12: the MSS is 512; 13: not IPv6; 15: nothing came back yet */
	assert_int_equal(seen, 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 6 | 1u << 7 |
				       1u << 9 | 1u << 10 | 1u << 11 | 1u << 14);
	memset(&g, 0, sizeof(g));
	p.nvlan = 0; /* no tags: no vlan.id rule, whatever it asks */
	f.pkts[!f.initiator] = 1;
	xdpi_detect__packet(d, &f, &p, 0, 2, collect, &g);
	assert_int_equal(g.n, 7); /* 6, 7, 9, 10, 11, 14, 15 */
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
}

/* ICMP echo identifiers; http.request_header line by line. */
static void test_icmp_id_and_header_lines(void **state)
{
	struct xdpi_detect *d = engine("alert icmp any any -> any any (icmp_id:0; sid:1;)\n"
				       "alert icmp any any -> any any (icmp_id:!0; sid:2;)\n");
	struct xdpi_decoded echo = { .family = 4, .proto = 1, .icmp_type = 8, .sport = 0 };
	struct xdpi_decoded unreach = { .family = 4, .proto = 1, .icmp_type = 3 };
	static const char hdrs[] = "Host: x\r\nSec-WebSocket-Key: abc\r\nConnection: Upgrade\r\n\r\n";
	struct xdpi_inspect in = { .stage = XDPI_STAGE_HTTP_REQUEST };
	struct xdpi_flow f;
	struct got g = { 0 };
	struct xdpi_rule r;

	(void)state;
	http_flow(&f);
	f.key.proto = 1;
	f.app_proto = NULL;
	xdpi_detect__packet(d, &f, &echo, 0, 1, collect, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.sids[0], 1);
	memset(&g, 0, sizeof(g));
	xdpi_detect__packet(d, &f, &unreach, 0, 2, collect, &g);
	assert_int_equal(g.n, 0); /* not an echo: no identifier to compare */
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
	xdpi_inspect_set(&in, XDPI_BUF_HTTP_REQUEST_HEADER, hdrs, sizeof(hdrs) - 1);
	assert_int_equal(parse("alert http any any -> any any (http.request_header; "
			       "content:\"Key|3a 20|\"; startswith; sid:3;)", &r, NULL), XDPI_RULE_OK);
	assert_false(xdpi_rule_match_buffers(&r, &in)); /* "Key: " starts no line */
	xdpi_rule_free(&r);
	assert_int_equal(parse("alert http any any -> any any (http.request_header; "
			       "content:\"Sec-WebSocket-Key|3a 20|\"; startswith; "
			       "pcre:\"/^abc$/R\"; sid:4;)", &r, NULL), XDPI_RULE_OK);
	assert_true(xdpi_rule_match_buffers(&r, &in)); /* one line, whole, without its CRLF */
	xdpi_rule_free(&r);
}

static void test_absent_and_base64(void **state)
{
	struct xdpi_rule r;
	struct xdpi_inspect in = { .stage = XDPI_STAGE_HTTP_REQUEST };
	static const char cookie[] = "foobar=np%2BA%2BbSdU3SD33cQ";

	(void)state;
	assert_int_equal(parse("alert http any any -> any any (flow:to_server; http.request_body; "
			       "absent; sid:1;)", &r, NULL), XDPI_RULE_OK);
	xdpi_inspect_set(&in, XDPI_BUF_HTTP_METHOD, "GET", 3);
	assert_true(xdpi_rule_match_buffers(&r, &in));
	xdpi_inspect_set(&in, XDPI_BUF_HTTP_REQ_BODY, "abc", 3);
	assert_false(xdpi_rule_match_buffers(&r, &in));
	xdpi_rule_free(&r);
	assert_int_equal(parse("alert http any any -> any any (flow:to_server; http.request_body; "
			       "absent: or_else; content:!\"abc\"; sid:2;)", &r, NULL), XDPI_RULE_OK);
	assert_false(xdpi_rule_match_buffers(&r, &in));
	in.buf[XDPI_BUF_HTTP_REQ_BODY] = NULL;
	assert_true(xdpi_rule_match_buffers(&r, &in));
	xdpi_rule_free(&r);
	xdpi_inspect_set(&in, XDPI_BUF_HTTP_COOKIE, cookie, sizeof(cookie) - 1);
	assert_int_equal(parse("alert http any any -> any any (http.cookie; url_decode; "
			       "content:\"foobar=\"; base64_decode:relative; base64_data; "
			       "content:\"|9e 9f 80 f9 b4 9d|\"; startswith; sid:3;)", &r, NULL),
			 XDPI_RULE_OK);
	assert_true(xdpi_rule_match_buffers(&r, &in));
	xdpi_rule_free(&r);
	assert_int_equal(parse("alert http any any -> any any (http.cookie; content:\"foobar=\"; "
			       "base64_decode:bytes 2,relative; base64_data; content:\"|9e|\"; "
			       "bsize:1; sid:4;)", &r, NULL), XDPI_RULE_OK);
	assert_true(xdpi_rule_match_buffers(&r, &in));
	xdpi_rule_free(&r);
	assert_int_equal(parse("alert http any any -> any any (http.cookie; base64_data; "
			       "content:\"x\"; sid:5;)", &r, NULL), XDPI_RULE_ERROR);
	xdpi_rule_free(&r);
}

/* decode-event: a packet the decoder refused reaches only the rules about its reason; an
 * event on a sound packet; a fragment matches IP rules only. */
static void test_decode_events(void **state)
{
	struct xdpi_detect *d = engine(
		"alert tcp any any -> any any (decode-event:tcp.pkt_too_small; sid:1;)\n"
		"alert ip any any -> any any (sid:2;)\n"
		"alert pkthdr any any -> any any (decode-event:ipv6.exthdr_useless_fh; sid:3;)\n"
		"alert ipv4 any any -> any any (decode-event:ipv4.unknown_protocol; sid:4;)\n"
		"alert tcp any any -> any any (sid:5;)\n");
	struct xdpi_decoded trunc = { .family = 4, .proto = 6, .reason = XDPI_REASON_TCP_TRUNC };
	struct xdpi_decoded odd = { .family = 4, .proto = 253 };
	struct xdpi_decoded frag = { .family = 4, .proto = 6, .frag = XDPI_DFRAG_FIRST,
				     .sport = 1, .dport = 2 };
	struct xdpi_decoded fh = { .family = 6, .proto = 17, .events = XDPI_DEV_IPV6_USELESS_FH };
	struct xdpi_flow f;
	struct got g = { 0 };

	(void)state;
	inet_pton(AF_INET, "198.18.0.1", trunc.saddr);
	inet_pton(AF_INET, "203.0.113.5", trunc.daddr);
	xdpi_detect__invalid_packet(d, &trunc, 1, collect, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.sids[0], 1);
	memset(&g, 0, sizeof(g));
	http_flow(&f);
	memcpy(odd.saddr, trunc.saddr, 4), memcpy(odd.daddr, trunc.daddr, 4);
	f.key.proto = 253;
	f.app_proto = NULL;
	xdpi_detect__packet(d, &f, &odd, 0, 2, collect, &g);
	assert_int_equal(g.n, 2); /* 2, 4 */
	memset(&g, 0, sizeof(g));
	f.key.proto = 6;
	memcpy(frag.saddr, trunc.saddr, 4), memcpy(frag.daddr, trunc.daddr, 4);
	xdpi_detect__packet(d, &f, &frag, 0, 3, collect, &g);
	assert_int_equal(g.n, 1); /* 2: not 5, a fragment is not yet a TCP packet */
	memset(&g, 0, sizeof(g));
	f.key.proto = 17;
	f.key.family = 6;
	xdpi_detect__packet(d, &f, &fh, 0, 4, collect, &g);
	assert_int_equal(g.n, 2); /* 2, 3 */
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
}

/* requires: version and features; a sid loaded again with a higher rev replaces the first;
 * a standalone noalert. */
static void test_requires_and_revisions(void **state)
{
	struct xdpi_rule r;
	char what[64];
	struct xdpi_detect *d;
	static const uint8_t payload[] = "ping!";
	struct xdpi_decoded udp = { .family = 4, .proto = 17, .sport = 5353, .dport = 53,
				    .payload = payload, .payload_len = 5, .payload_wire = 5 };
	struct xdpi_flow f;
	struct got g = { 0 };

	(void)state;
	assert_int_equal(parse("alert ip any any -> any any (requires: version >= 7.0.6, "
			       "feature ja4; sid:1;)", &r, what), XDPI_RULE_OK);
	xdpi_rule_free(&r);
	assert_int_equal(parse("alert ip any any -> any any (requires: version >= 10; sid:2;)",
			       &r, what), XDPI_RULE_SKIPPED);
	assert_string_equal(what, "requires:version >= 10");
	xdpi_rule_free(&r);
	assert_int_equal(parse("alert ip any any -> any any (requires: feature lua; sid:3;)", &r,
			       what), XDPI_RULE_SKIPPED);
	xdpi_rule_free(&r);
	assert_int_equal(parse("alert http1 any any -> any any (http.uri; content:\"/\"; sid:4;)",
			       &r, what), XDPI_RULE_OK);
	assert_string_equal(r.app, "http1"); /* HTTP/1 flows only */
	xdpi_rule_free(&r);
	d = engine("alert udp any any -> any any (content:\"zzz\"; sid:7; rev:1;)\n"
		   "alert udp any any -> any any (content:\"ping!\"; sid:7; rev:2;)\n"
		   "alert udp any any -> any any (content:\"zzz\"; sid:7; rev:1;)\n"
		   "alert udp any any -> any any (content:\"ping\"; noalert; sid:8;)\n");
	http_flow(&f);
	f.key.proto = 17;
	f.app_proto = NULL;
	inet_pton(AF_INET, "198.18.0.1", udp.saddr);
	inet_pton(AF_INET, "203.0.113.5", udp.daddr);
	xdpi_detect__packet(d, &f, &udp, 0, 1, collect, &g);
	assert_int_equal(g.n, 1); /* sid 7 rev 2 (rev 1 "zzz" replaced); 8 without an alert */
	assert_int_equal(g.sids[0], 7);
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
}

/* DNS responses: their own stage, the sections' names one per line, rcode and types. */
static void test_dns_response(void **state)
{
	struct xdpi_detect *d = engine(
		"alert dns any any -> any any (flow:to_client; dns.rcode:3; sid:1;)\n"
		"alert dns any any -> any any (dns.answers.rrname; content:\"b.example\"; "
		"startswith; endswith; sid:2;)\n"
		"alert dns any any -> any any (flow:to_client; dns.rrtype:28; sid:3;)\n"
		"alert dns any any -> any any (dns.rcode:3; flow:to_server; sid:4;)\n");
	static const char dns_names[] = "q.example\na.example\nb.example\n";
	struct xdpi_inspect in = { .stage = XDPI_STAGE_DNS_RESPONSE, .dns = true, .dns_rcode = 3,
				   .dns_ntypes = 2, .dns_types = { 1, 5 } };
	struct xdpi_flow f;
	struct got g = { 0 };
	struct xdpi_rule r;

	(void)state;
	assert_int_equal(parse("alert dns any any -> any any (dns.authorities.rrname; "
			       "content:\"x\"; sid:9;)", &r, NULL), XDPI_RULE_OK);
	assert_int_equal(r.stage, XDPI_STAGE_DNS_RESPONSE);
	xdpi_rule_free(&r);
	http_flow(&f);
	f.key.proto = 17;
	f.app_proto = "dns";
	xdpi_inspect_set(&in, XDPI_BUF_DNS_ANSWERS_RRNAME, dns_names + 10, 20);
	xdpi_inspect_set(&in, XDPI_BUF_DNS_QUERIES_RRNAME, dns_names, 10);
	xdpi_detect__tx(d, &f, 1, 1, &in, collect, &g);
	assert_int_equal(g.n, 2); /* 1 and 2 (a whole answer line); no AAAA for 3; 4 is a query's */
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
}

/* An HTTP rule on buffers both messages carry, without a direction, looks at both. */
static void test_http_both_directions(void **state)
{
	struct xdpi_detect *d = engine(
		"alert http any any -> any any (http.header_names; content:\"|0d 0a|Accept-Ranges\"; "
		"sid:1;)\n"
		"alert http any any -> any any (flow:to_server; http.header_names; "
		"content:\"|0d 0a|Accept-Ranges\"; sid:2;)\n");
	static const char req[] = "\r\nHost\r\n\r\n", resp[] = "\r\nAccept-Ranges\r\n\r\n";
	struct xdpi_inspect in = { .stage = XDPI_STAGE_HTTP_REQUEST };
	struct xdpi_flow f;
	struct got g = { 0 };

	(void)state;
	http_flow(&f);
	xdpi_inspect_set(&in, XDPI_BUF_HTTP_HEADER_NAMES, req, sizeof(req) - 1);
	xdpi_detect__tx(d, &f, 0, 1, &in, collect, &g);
	assert_int_equal(g.n, 0);
	in.stage = XDPI_STAGE_HTTP_RESPONSE;
	xdpi_inspect_set(&in, XDPI_BUF_HTTP_HEADER_NAMES, resp, sizeof(resp) - 1);
	xdpi_detect__tx(d, &f, 1, 2, &in, collect, &g);
	assert_int_equal(g.n, 1); /* 1 at the response; 2 asked for the request only */
	assert_int_equal(g.sids[0], 1);
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
}

/* ssl_version: each side's hello (a rule without a direction is asked at both), a "!"
 * negating the whole list, an unknown version matching nothing; tls.subjectaltname name by
 * name at the server's side. */
static void test_ssl_version_and_san(void **state)
{
	struct xdpi_detect *d = engine(
		"alert tcp any any -> any any (ssl_version:!sslv3; sid:1;)\n"
		"alert tls any any -> any any (ssl_version:tls1.0,tls1.1; sid:2;)\n"
		"alert tls any any -> any any (flow:to_client; ssl_version:tls1.2; sid:3;)\n"
		"alert tls any any -> any any (ssl_version:!tls1.0; sid:4;)\n"
		"alert tls any any -> any any (tls.subjectaltname; content:\"b.example\"; "
		"startswith; sid:5;)\n");
	static const char san[] = "a.example\nb.example";
	struct xdpi_inspect ch = { .stage = XDPI_STAGE_TLS_CLIENT, .tls_version = 0x0301 };
	struct xdpi_inspect sh = { .stage = XDPI_STAGE_TLS_SERVER, .tls_version = 0x0303 };
	struct xdpi_flow f;
	struct got g = { 0 };
	struct xdpi_rule r;

	(void)state;
	http_flow(&f);
	f.app_proto = "tls";
	xdpi_detect__tx(d, &f, 0, 1, &ch, collect, &g);
	assert_int_equal(g.n, 2); /* 1, 2 */
	memset(&g, 0, sizeof(g));
	xdpi_inspect_set(&sh, XDPI_BUF_TLS_SUBJECTALTNAME, san, sizeof(san) - 1);
	xdpi_detect__tx(d, &f, 1, 2, &sh, collect, &g);
	assert_int_equal(g.n, 4); /* 1, 3, 4 (not 1.0: a whole negated list), 5 (second name) */
	memset(&g, 0, sizeof(g));
	sh.tls_version = 0x0fff; /* no version ssl_version knows: no match, negated or not */
	sh.buf[XDPI_BUF_TLS_SUBJECTALTNAME] = NULL;
	xdpi_detect__tx(d, &f, 1, 3, &sh, collect, &g);
	assert_int_equal(g.n, 0);
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
	assert_int_equal(parse("alert tls any any -> any any (ssl_version:tls9; sid:6;)", &r, NULL),
			 XDPI_RULE_ERROR);
	assert_non_null(strstr(err, "ssl_version: expected sslv2"));
}

/* DNS over HTTP/2: dns, http2 and doh2 rules all see a doh2 flow; a doh2 rule may join the
 * request's HTTP buffers to its DNS ones; http2.frametype by number or name, on frames only. */
static void test_doh2_and_frametype(void **state)
{
	struct xdpi_detect *d = engine(
		"alert dns any any -> any any (dns.query; content:\"example\"; sid:1;)\n"
		"alert doh2 any any -> any any (dns.opcode:0; http.host; content:\"doh.example\"; "
		"sid:2;)\n"
		"alert http1 any any -> any any (dns.query; content:\"example\"; sid:3;)\n"
		"alert http2 any any -> any any (http2.frametype:PING; sid:4;)\n"
		"alert doh2 any any -> any any (http2.frametype:<2; sid:5;)\n");
	static const char q[] = "example.com\n", host[] = "doh.example";
	struct xdpi_inspect dns = { .stage = XDPI_STAGE_DNS_QUERY, .dns = true };
	struct xdpi_inspect ping = { .stage = XDPI_STAGE_HTTP2_FRAME, .h2_frame_type = 6 };
	struct xdpi_flow f;
	struct got g = { 0 };
	struct xdpi_rule r;

	(void)state;
	http_flow(&f);
	f.app_proto = "doh2";
	xdpi_inspect_set(&dns, XDPI_BUF_DNS_QUERY, q, 11);
	xdpi_inspect_set(&dns, XDPI_BUF_DNS_QUERIES_RRNAME, q, 12);
	xdpi_inspect_set(&dns, XDPI_BUF_HTTP_HOST, host, 11);
	xdpi_detect__tx(d, &f, 0, 1, &dns, collect, &g);
	assert_int_equal(g.n, 2); /* 1, 2; not 3 (HTTP/1 only) */
	memset(&g, 0, sizeof(g));
	xdpi_detect__tx(d, &f, 1, 2, &ping, collect, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.sids[0], 4);
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
	assert_int_equal(parse("alert http2 any any -> any any (http2.frametype:6; http.uri; "
			       "content:\"x\"; sid:6;)", &r, NULL), XDPI_RULE_ERROR);
	assert_non_null(strstr(err, "http2.frametype looks at frames"));
	assert_int_equal(parse("alert http2 any any -> any any (http2.frametype:PONG; sid:7;)", &r,
			       NULL), XDPI_RULE_ERROR);
}

/* app-layer-protocol alone looks at the packet after the flow's protocol became known or
 * changed (once), as Suricata's protocol-detection-only rules; exact drops the equivalences,
 * original names the protocol first found. */
static void test_app_layer_protocol_qualifiers(void **state)
{
	struct xdpi_detect *d = engine(
		"alert tcp any any -> any any (app-layer-protocol:dns; sid:1;)\n"
		"alert tcp any any -> any any (app-layer-protocol:dns,exact; sid:2;)\n"
		"alert tcp any any -> any any (app-layer-protocol:doh2,exact; sid:3;)\n"
		"alert tcp any any -> any any (app-layer-protocol:http2,original; content:\"x\"; "
		"sid:4;)\n");
	struct xdpi_decoded p = { .family = 4, .proto = 6, .sport = 40000, .dport = 80,
				  .tcp_flags = 0x18, .payload = (const uint8_t *)"x",
				  .payload_len = 1, .payload_wire = 1 };
	struct xdpi_flow f;
	struct got g = { 0 };
	struct xdpi_rule r;

	(void)state;
	http_flow(&f);
	inet_pton(AF_INET, "198.18.0.1", p.saddr);
	inet_pton(AF_INET, "203.0.113.5", p.daddr);
	f.app_proto = "doh2";
	f.app_proto_orig = "http2";
	f.app_changed = true;
	xdpi_detect__packet(d, &f, &p, 0, 1, collect, &g);
	assert_int_equal(g.n, 3); /* 1, 3, 4 */
	assert_false(f.app_changed);
	memset(&g, 0, sizeof(g));
	xdpi_detect__packet(d, &f, &p, 0, 2, collect, &g);
	assert_int_equal(g.n, 1); /* 4 only: 1 and 3 had their packet */
	assert_int_equal(g.sids[0], 4);
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
	assert_int_equal(parse("alert tcp any any -> any any (app-layer-protocol:http,exact; sid:5;)",
			       &r, NULL), XDPI_RULE_ERROR);
	assert_int_equal(parse("alert tcp any any -> any any (app-layer-protocol:dns,sideways; "
			       "sid:6;)", &r, NULL), XDPI_RULE_ERROR);
	assert_non_null(strstr(err, "unknown qualifier 'sideways'"));
}

/* A list buffer named twice: each instance may match another line; within one instance the
 * contents must share a line (Suricata 7's multi-buffers). */
static void test_multi_buffer_instances(void **state)
{
	struct xdpi_detect *d = engine(
		"alert http any any -> any any (http.request_header; content:\"method: GET\"; "
		"http.request_header; content:\"authority: lab\"; sid:1;)\n"
		"alert http any any -> any any (http.request_header; content:\"method: GET\"; "
		"content:\"authority: lab\"; sid:2;)\n");
	static const char hdrs[] = ":method: GET\r\n:authority: lab\r\n";
	struct xdpi_inspect in = { .stage = XDPI_STAGE_HTTP_REQUEST };
	struct xdpi_flow f;
	struct got g = { 0 };

	(void)state;
	http_flow(&f);
	xdpi_inspect_set(&in, XDPI_BUF_HTTP_REQUEST_HEADER, hdrs, sizeof(hdrs) - 1);
	xdpi_detect__tx(d, &f, 0, 1, &in, collect, &g);
	assert_int_equal(g.n, 1); /* 1; not 2: its two contents are on two lines */
	assert_int_equal(g.sids[0], 1);
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
}

/* stream_size: the server's and the client's sequence space so far. */
static void test_stream_size(void **state)
{
	struct xdpi_detect *d = engine(
		"alert tcp any any -> any any (stream_size:server,<,100; sid:1;)\n"
		"alert tcp any any -> any any (stream_size:client,>=,50; sid:2;)\n"
		"alert tcp any any -> any any (stream_size:both,>,10; sid:3;)\n"
		"alert tcp any any -> any any (stream_size:either,>,1000; sid:4;)\n");
	struct xdpi_decoded p = { .family = 4, .proto = 6, .sport = 40000, .dport = 80,
				  .tcp_flags = 0x18 };
	struct xdpi_flow f;
	struct got g = { 0 };

	(void)state;
	http_flow(&f);
	inet_pton(AF_INET, "198.18.0.1", p.saddr);
	inet_pton(AF_INET, "203.0.113.5", p.daddr);
	f.payload[f.initiator] = 60;   /* client: 60 + its SYN */
	f.payload[!f.initiator] = 20;  /* server: 20 + its SYN */
	f.tcp_flags[0] = f.tcp_flags[1] = 0x12;
	xdpi_detect__packet(d, &f, &p, 0, 1, collect, &g);
	assert_int_equal(g.n, 3); /* 1, 2, 3; neither side past 1000 */
	xdpi_detect__flow_end(d, &f);
	xdpi_detect__free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_modifiers),
		cmocka_unit_test(test_pcre_isdataat_bytes),
		cmocka_unit_test(test_sizes_flags_header),
		cmocka_unit_test(test_old_modifiers_equal_sticky_buffers),
		cmocka_unit_test(test_errors_and_skips_name_the_place),
		cmocka_unit_test(test_flow_and_header),
		cmocka_unit_test(test_many_candidates_in_order),
		cmocka_unit_test(test_non_tcp_packets),
		cmocka_unit_test(test_port_bound_rules),
		cmocka_unit_test(test_flowbits),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_pass_and_report),
		cmocka_unit_test(test_transforms),
		cmocka_unit_test(test_packet_and_number_keywords),
		cmocka_unit_test(test_risk_and_identified_protocol),
		cmocka_unit_test(test_absent_and_base64),
		cmocka_unit_test(test_icmp_id_and_header_lines),
		cmocka_unit_test(test_ssl_version_and_san),
		cmocka_unit_test(test_doh2_and_frametype),
		cmocka_unit_test(test_app_layer_protocol_qualifiers),
		cmocka_unit_test(test_multi_buffer_instances),
		cmocka_unit_test(test_decode_events),
		cmocka_unit_test(test_requires_and_revisions),
		cmocka_unit_test(test_dns_response),
		cmocka_unit_test(test_http_both_directions),
		cmocka_unit_test(test_stream_size),
		cmocka_unit_test(test_pcre_jit_at_load),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	xdpi_names_free(&names);
	return rc;
}
