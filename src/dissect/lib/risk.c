// SPDX-License-Identifier: GPL-2.0
/* Dissectors report the risks their bytes show through the engine's callback, with the
 * evidence formatted here once. */
#include <stdarg.h>
#include <stdio.h>
#include "xdpi/dissect.h"

void xdpi_dissect_risk(struct xdpi_dissect_ctx *c, uint8_t risk, const char *fmt, ...)
{
	char ev[160];
	va_list ap;

	if (!c->risk)
		return;
	va_start(ap, fmt);
	vsnprintf(ev, sizeof(ev), fmt, ap);
	va_end(ap);
	c->risk(c, risk, ev);
}
