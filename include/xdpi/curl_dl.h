/* SPDX-License-Identifier: GPL-2.0 */
/* libcurl's functions that xdpi calls, loaded on first use (see xdpi/dl.h). */
#ifndef XDPI_CURL_DL_H
#define XDPI_CURL_DL_H

#include <stddef.h>
#include <curl/curl.h>

/* each member has the type of the library function it names (curl.h's declarations) */
#define XDPI_CURL_FN(f) __typeof__(curl_##f) *f
struct xdpi_curl {
	XDPI_CURL_FN(global_init); /* called once, by xdpi_curl() */
	XDPI_CURL_FN(easy_init);
	XDPI_CURL_FN(easy_setopt);
	XDPI_CURL_FN(easy_perform);
	XDPI_CURL_FN(easy_getinfo);
	XDPI_CURL_FN(easy_cleanup);
	XDPI_CURL_FN(easy_strerror);
	XDPI_CURL_FN(slist_append);
	XDPI_CURL_FN(slist_free_all);
	XDPI_CURL_FN(multi_init);
	XDPI_CURL_FN(multi_add_handle);
	XDPI_CURL_FN(multi_remove_handle);
	XDPI_CURL_FN(multi_perform);
	XDPI_CURL_FN(multi_info_read);
	XDPI_CURL_FN(multi_cleanup);
};
#undef XDPI_CURL_FN

/* libcurl, loaded and started (curl_global_init) once per process; NULL with the reason in
 * err. Thread-safe. */
const struct xdpi_curl *xdpi_curl(char *err, size_t errlen);

#endif /* XDPI_CURL_DL_H */
