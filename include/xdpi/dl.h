/* SPDX-License-Identifier: GPL-2.0 */
/* Libraries loaded when first needed (dlopen), not at every start. */
#ifndef XDPI_DL_H
#define XDPI_DL_H

#include <pthread.h>
#include <stddef.h>

/* A library function's name and where its address goes in a table of function pointers. */
struct xdpi_dl_sym {
	const char *name;
	size_t offset;
};

#define XDPI_DL_MAX_SYMS 32

/* Opens SONAME and fills TABLE with its functions SYMS[0..n); 0, or -1 with the reason (the
 * library and the first name missing) in err and TABLE untouched. The library stays loaded. */
int xdpi_dl_load(const char *soname, const struct xdpi_dl_sym *syms, size_t n, void *table,
		 char *err, size_t errlen);

/* A library loaded once per process, on its first use. */
struct xdpi_dl_lib {
	const char *soname;
	const struct xdpi_dl_sym *syms;
	size_t nsyms;
	void *table;
	int (*start)(void *table); /* once loaded (curl_global_init); 0, else it is not used */
	pthread_mutex_t lock;
	int state; /* 0: not tried; 1: loaded; -1: failed, for the reason in err */
	char err[256];
};
#define XDPI_DL_LIB(so, syms_, table_, start_)                                                \
	{ .soname = (so), .syms = (syms_), .nsyms = sizeof(syms_) / sizeof((syms_)[0]),       \
	  .table = (table_), .start = (start_), .lock = PTHREAD_MUTEX_INITIALIZER }

/* LIB's table, loading it on the first call; NULL with the reason in err (each call says it
 * again, the load is tried once). Thread-safe. */
const void *xdpi_dl_get(struct xdpi_dl_lib *lib, char *err, size_t errlen);

#endif /* XDPI_DL_H */
