/*
 * bench_touch.c - how fast this machine gives a process fresh memory.
 *
 *   bench_touch [MiB] [--runs R]          (default 512 MiB, 5 runs)
 *
 * Maps MiB of anonymous memory, writes one byte a page (every page
 * faulted in and zeroed by the kernel), then writes all of it again
 * (memory already there); once with 4 KiB pages and once with the
 * transparent huge pages the scan asks for (madvise).  Each run prints
 * its figures, then the median of the runs.  On a virtual machine the
 * first touch also costs the host's own faults when it has taken the
 * pages back, which is where much of the scan benchmarks' drift comes
 * from.  Never fails a build.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "bench_util.h"

/* One run: first-touch and rewrite throughput in MB/s. */
static int touch(size_t bytes, int huge, double *first, double *again)
{
	unsigned char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
	double t0, t1, t2;

	if (p == MAP_FAILED)
		return -1;
#ifdef MADV_HUGEPAGE
	if (huge)
		(void)madvise(p, bytes, MADV_HUGEPAGE);
#else
	(void)huge;
#endif
	t0 = bench_now();
	for (size_t i = 0; i < bytes; i += 4096)
		p[i] = 1;
	t1 = bench_now();
	memset(p, 2, bytes);
	t2 = bench_now();
	*first = (double)bytes / 1e6 / (t1 - t0);
	*again = (double)bytes / 1e6 / (t2 - t1);
	munmap(p, bytes);
	return 0;
}

int main(int argc, char **argv)
{
	size_t mib = 512;
	int runs = 5;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = atoi(argv[++i]);
		else
			mib = (size_t)strtoul(argv[i], NULL, 10);
	}
	if (mib == 0 || runs <= 0 || runs > 64) {
		fprintf(stderr, "usage: bench_touch [MiB] [--runs R]\n");
		return 2;
	}
	for (int huge = 0; huge < 2; huge++) {
		double first[64], again[64];
		printf("%s pages, %zu MiB:\n", huge ? "huge (madvise)" : "4 KiB", mib);
		for (int r = 0; r < runs; r++) {
			if (touch(mib << 20, huge, &first[r], &again[r])) {
				fprintf(stderr, "bench_touch: cannot map %zu MiB\n", mib);
				return 1;
			}
			printf("  run %d: first touch %8.0f MB/s, written again %8.0f MB/s\n", r + 1,
			       first[r], again[r]);
		}
		printf("  median: first touch %8.0f MB/s, written again %8.0f MB/s\n",
		       bench_median(first, runs), bench_median(again, runs));
	}
	return 0;
}
