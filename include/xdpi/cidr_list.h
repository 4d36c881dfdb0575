/* SPDX-License-Identifier: GPL-2.0 */
/* CIDR lists in the one-entry-per-line format of public block-list feeds (Spamhaus DROP,
 * FireHOL, ET compromised-ips): an IPv4 or IPv6 address with an optional /prefix, then an
 * optional remark after ';' or '#'; blank lines and comment lines are skipped. These become
 * the entries of the kernel's LPM tries. */
#ifndef XDPI_CIDR_LIST_H
#define XDPI_CIDR_LIST_H

#include <stddef.h>
#include <stdint.h>

struct xdpi_cidr {
	uint8_t family;     /* AF_INET or AF_INET6 */
	uint8_t prefix_len; /* 0..32 or 0..128 */
	uint8_t addr[16];   /* network byte order; bits past prefix_len are zero */
	uint32_t line;      /* 1-based line in the source, for messages and rule ids */
};

struct xdpi_cidr_list {
	struct xdpi_cidr *entries;
	size_t count;
	size_t cap;
	size_t v4; /* how many of entries are IPv4 */
};

/* Parses TEXT (LEN bytes, NUL bytes allowed and rejected) named NAME in messages. On the first
 * bad entry returns -EINVAL with "NAME:LINE:COL: what is wrong" in ERR and leaves OUT as it
 * was before the call, so that a bad feed never half-replaces a good one; -ENOMEM likewise.
 * Host bits set beyond the prefix (10.0.0.1/8) are an error, not silently masked: such a
 * line is usually a typo that would block far more than meant. */
int xdpi_cidr_list_parse(const char *name, const char *text, size_t len,
			 struct xdpi_cidr_list *out, char *err, size_t errlen);
/* Reads PATH and parses it as above ("-" is standard input). */
int xdpi_cidr_list_load(const char *path, struct xdpi_cidr_list *out, char *err, size_t errlen);
void xdpi_cidr_list_free(struct xdpi_cidr_list *list);
/* One CIDR token TOK (LEN bytes) at column COL (0-based) of line LINE of NAME, with the same
 * rules and "NAME:LINE:COL: ..." messages as a list entry. Returns 0 or -EINVAL. */
int xdpi_cidr_parse_token(const char *name, uint32_t line, size_t col, const char *tok,
			  size_t len, struct xdpi_cidr *c, char *err, size_t errlen);
/* Writes "ADDR/LEN" into BUF (at least 50 bytes). */
void xdpi_cidr_format(const struct xdpi_cidr *c, char *buf, size_t buflen);

#endif /* XDPI_CIDR_LIST_H */
