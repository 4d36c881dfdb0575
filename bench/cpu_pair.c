// SPDX-License-Identifier: GPL-2.0
/* What two of this machine's CPUs give at once, beside bench/workers.sh's figures: the same
 * work run alone and as two processes at the same time, for three kinds of work. A chain of
 * dependent multiplications (bound by latency: two CPUs that share a core still double it),
 * copies within a 2 MB working set (bound by the core's caches) and copies of 128 MB (bound by
 * memory). Speedup = twice the work in the pair's wall time against one alone, best of 3.
 * A packet reader is mostly the second and third kind: where they stay far below 2x, so does
 * any split of a capture over two threads. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct work {
	const char *name;
	size_t bytes; /* per buffer (two); 0: the multiply chain */
	unsigned reps;
};

static const struct work works[] = {
	{ "dependent multiplies (ALU latency)", 0, 600000000 },
	{ "copies within 2 MB (core caches)", 1u << 20, 6000 },
	{ "copies of 128 MB (memory)", 64u << 20, 40 },
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The work itself; its result is the exit status, so the compiler keeps every step. */
static int run(const struct work *w)
{
	uint64_t x = 1;
	char *a, *b;

	if (!w->bytes) {
		for (uint64_t i = 0; i < w->reps; i++)
			x = x * 6364136223846793005ull + i;
		return (int)(x & 1);
	}
	a = malloc(w->bytes);
	b = malloc(w->bytes);
	if (!a || !b)
		return 2;
	memset(a, 1, w->bytes);
	memset(b, 2, w->bytes);
	for (unsigned i = 0; i < w->reps; i++) {
		memcpy(b, a, w->bytes);
		a[i % w->bytes] ^= b[(i * 7u) % w->bytes];
	}
	x = (uint64_t)b[5];
	free(a);
	free(b);
	return (int)(x & 1);
}

/* Wall seconds for N (1 or 2) processes doing W at once; negative if one failed. */
static double timed(const struct work *w, int n)
{
	double t0 = mono_s();
	pid_t pid[2];
	int st, bad = 0;

	for (int i = 0; i < n; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			_exit(run(w));
		if (pid[i] < 0)
			return -1;
	}
	for (int i = 0; i < n; i++)
		if (waitpid(pid[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) > 1)
			bad = 1;
	return bad ? -1 : mono_s() - t0;
}

static double best_of_3(const struct work *w, int n)
{
	double best = -1;

	for (int i = 0; i < 3; i++) {
		double t = timed(w, n);

		if (t > 0 && (best < 0 || t < best))
			best = t;
	}
	return best;
}

int main(void)
{
	printf("# two CPUs at once (bench/cpu_pair): the same work alone and as two processes, best of 3\n");
	printf("%-36s %8s %8s %9s\n", "work", "one_s", "two_s", "speedup");
	for (size_t i = 0; i < sizeof(works) / sizeof(works[0]); i++) {
		double one = best_of_3(&works[i], 1), two = best_of_3(&works[i], 2);

		if (one < 0 || two < 0) {
			fprintf(stderr, "cpu_pair: %s: a run failed\n", works[i].name);
			return 1;
		}
		printf("%-36s %8.2f %8.2f %8.2fx\n", works[i].name, one, two, 2 * one / two);
	}
	return 0;
}
