/* SPDX-License-Identifier: GPL-2.0 */
/* libmicrohttpd's functions that xdpi calls, loaded on first use (see xdpi/dl.h). */
#ifndef XDPI_MHD_DL_H
#define XDPI_MHD_DL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <microhttpd.h>

/* each member has the type of the library function it names (microhttpd.h's declarations) */
#define XDPI_MHD_FN(f) __typeof__(MHD_##f) *f
struct xdpi_mhd {
	XDPI_MHD_FN(start_daemon);
	XDPI_MHD_FN(stop_daemon);
	XDPI_MHD_FN(create_response_from_buffer);
	XDPI_MHD_FN(add_response_header);
	XDPI_MHD_FN(queue_response);
	XDPI_MHD_FN(destroy_response);
};
#undef XDPI_MHD_FN

/* libmicrohttpd, loaded once per process; NULL with the reason in err. Thread-safe. */
const struct xdpi_mhd *xdpi_mhd(char *err, size_t errlen);

#endif /* XDPI_MHD_DL_H */
