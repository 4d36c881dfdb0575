/* SPDX-License-Identifier: GPL-2.0 */
/* The privileged tests' checks (tests/bpf): each one counted, a failure said with its place
 * and carried on from, so one run lists every failure; main() returns failures != 0. */
#ifndef XDPI_TEST_CHECK_H
#define XDPI_TEST_CHECK_H

#include <stdio.h>

static int failures, checks;

#define CHECK(cond, ...)                                                                        \
	do {                                                                                   \
		checks++;                                                                      \
		if (!(cond)) {                                                                 \
			failures++;                                                            \
			fprintf(stderr, "  FAIL %s:%d: ", __func__, __LINE__);                \
			fprintf(stderr, __VA_ARGS__);                                          \
			fprintf(stderr, "\n");                                                 \
		}                                                                              \
	} while (0)

#endif
