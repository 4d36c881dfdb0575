// SPDX-License-Identifier: GPL-2.0
/* libmicrohttpd on first use: see dl.c for why. */
#include "xdpi/dl.h"
#include "xdpi/mhd_dl.h"

#define SYM(f) { "MHD_" #f, offsetof(struct xdpi_mhd, f) }
static const struct xdpi_dl_sym mhd_syms[] = {
	SYM(start_daemon), SYM(stop_daemon), SYM(create_response_from_buffer),
	SYM(add_response_header), SYM(queue_response), SYM(destroy_response),
};
#undef SYM

static struct xdpi_mhd mhd_fns;
static struct xdpi_dl_lib mhd_lib = XDPI_DL_LIB("libmicrohttpd.so.12", mhd_syms, &mhd_fns, NULL);

const struct xdpi_mhd *xdpi_mhd(char *err, size_t errlen)
{
	return xdpi_dl_get(&mhd_lib, err, errlen);
}
