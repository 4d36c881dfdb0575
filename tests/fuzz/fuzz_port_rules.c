// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: port rule files. Every accepted rule is consistent (a known action, ports only
 * on tcp/udp/sctp, a range of at most 1024, a CIDR only with a port where ports exist) and
 * formats to text that parses back to the same rule; a rejected file adds nothing and says
 * where. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "shared/xdpi_abi.h"
#include "xdpi/port_rules.h"

static void check_rule(const struct xdpi_port_rule *r)
{
	bool ported = r->proto == 6 || r->proto == 17 || r->proto == 132;
	struct xdpi_port_rules again = { 0 };
	char text[96], err[256];

	if ((r->action != XDPI_POLICY_DROP && r->action != XDPI_POLICY_ALLOW) ||
	    (r->has_ports && !ported) || r->port_hi < r->port_lo ||
	    r->port_hi - r->port_lo >= XDPI_PORT_RANGE_MAX ||
	    (r->has_cidr && ported && !r->has_ports))
		abort();
	xdpi_port_rule_format(r, text, sizeof(text));
	if (xdpi_port_rules_parse("again", text, strlen(text), &again, err, sizeof(err)) ||
	    again.count != 1 || again.rules[0].proto != r->proto ||
	    again.rules[0].port_lo != r->port_lo || again.rules[0].port_hi != r->port_hi ||
	    again.rules[0].has_cidr != r->has_cidr || again.rules[0].action != r->action)
		abort();
	xdpi_port_rules_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xdpi_port_rules r = { 0 };
	char err[256] = "";
	int rc = xdpi_port_rules_parse("in", (const char *)data, size, &r, err, sizeof(err));

	if (rc == 0) {
		for (size_t i = 0; i < r.count; i++)
			check_rule(&r.rules[i]);
	} else if (r.count || (rc == -22 && strncmp(err, "in:", 3) != 0)) {
		abort();
	}
	xdpi_port_rules_free(&r);
	return 0;
}
