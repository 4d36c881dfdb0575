// SPDX-License-Identifier: GPL-2.0
/* Libraries loaded when first needed. libcurl (webhooks, the balancer's checks, `xdpi top`)
 * and libmicrohttpd (the metrics endpoint) bring 40 more shared objects, GnuTLS among them,
 * whose constructors and relocations cost every xdpi command about 20 ms at start, a tenth
 * of reading the corpus; most runs use neither. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include "xdpi/dl.h"

int xdpi_dl_load(const char *soname, const struct xdpi_dl_sym *syms, size_t n, void *table,
		 char *err, size_t errlen)
{
	void *fns[XDPI_DL_MAX_SYMS], *h;

	if (n > XDPI_DL_MAX_SYMS) {
		snprintf(err, errlen, "%s: %zu functions asked, at most %d", soname, n, XDPI_DL_MAX_SYMS);
		return -1;
	}
	if (!(h = dlopen(soname, RTLD_NOW | RTLD_LOCAL))) {
		snprintf(err, errlen, "%s could not be loaded: %s (install it)", soname, dlerror());
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!(fns[i] = dlsym(h, syms[i].name))) {
			snprintf(err, errlen, "%s has no %s: another version than xdpi was built for", soname,
				 syms[i].name);
			dlclose(h);
			return -1;
		}
	/* all found: the table is filled (POSIX: dlsym's address converts to a function pointer) */
	for (size_t i = 0; i < n; i++)
		memcpy((char *)table + syms[i].offset, &fns[i], sizeof(fns[i]));
	return 0;
}

const void *xdpi_dl_get(struct xdpi_dl_lib *lib, char *err, size_t errlen)
{
	pthread_mutex_lock(&lib->lock);
	if (!lib->state) {
		lib->state = -1;
		if (!xdpi_dl_load(lib->soname, lib->syms, lib->nsyms, lib->table, lib->err, sizeof(lib->err))) {
			if (lib->start && lib->start(lib->table))
				snprintf(lib->err, sizeof(lib->err), "%s would not start", lib->soname);
			else
				lib->state = 1;
		}
	}
	pthread_mutex_unlock(&lib->lock);
	if (lib->state > 0)
		return lib->table;
	snprintf(err, errlen, "%s", lib->err);
	return NULL;
}
