// SPDX-License-Identifier: GPL-2.0
/* libcurl on first use: see dl.c for why. */
#include "xdpi/curl_dl.h"
#include "xdpi/dl.h"

#define SYM(f) { "curl_" #f, offsetof(struct xdpi_curl, f) }
static const struct xdpi_dl_sym curl_syms[] = {
	SYM(global_init), SYM(easy_init), SYM(easy_setopt), SYM(easy_perform),
	SYM(easy_getinfo), SYM(easy_cleanup), SYM(easy_strerror), SYM(slist_append),
	SYM(slist_free_all), SYM(multi_init), SYM(multi_add_handle), SYM(multi_remove_handle),
	SYM(multi_perform), SYM(multi_info_read), SYM(multi_cleanup),
};
#undef SYM

static int curl_start(void *table)
{
	return ((struct xdpi_curl *)table)->global_init(CURL_GLOBAL_DEFAULT) ? -1 : 0;
}

static struct xdpi_curl curl_fns;
static struct xdpi_dl_lib curl_lib = XDPI_DL_LIB("libcurl.so.4", curl_syms, &curl_fns, curl_start);

const struct xdpi_curl *xdpi_curl(char *err, size_t errlen)
{
	return xdpi_dl_get(&curl_lib, err, errlen);
}
