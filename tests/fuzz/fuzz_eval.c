/*
 * fuzz_eval.c - the truth and report readers of chorus eval on arbitrary
 * bytes.  The input is TRUTH, a NUL byte, REPORT (no NUL: all of it is the
 * truth and the report is empty); both are written to temporary files and
 * evaluated.  Any result code is fine; a success must give figures inside
 * [0, 1] and counts that add up.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chorus/eval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char truth_path[64], report_path[64];

static void put_file(char *path, const char *tmpl, const uint8_t *p, size_t n)
{
	FILE *f;

	if (!path[0]) {
		int fd;
		snprintf(path, 64, "%s", tmpl);
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
	}
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		abort();
}

static int unit(double x)
{
	return x >= 0.0 && x <= 1.0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t tn = nul ? (size_t)(nul - data) : size;
	chorus_eval ev;
	chorus_error err;

	put_file(truth_path, "/tmp/chorus-fuzz-truth-XXXXXX", data, tn);
	put_file(report_path, "/tmp/chorus-fuzz-report-XXXXXX", nul ? nul + 1 : data,
		 nul ? size - tn - 1 : 0);
	if (chorus_eval_files(truth_path, report_path, &ev, &err) != 0)
		return 0;
	if (!unit(ev.campaign_recall) || !unit(ev.post_precision) || !unit(ev.post_recall) ||
	    !unit(ev.bcubed_precision) || !unit(ev.bcubed_recall) || !unit(ev.bcubed_f1))
		abort();
	if (ev.found > ev.campaigns || ev.false_clusters > ev.clusters ||
	    ev.flagged_campaign_posts > ev.flagged_posts ||
	    ev.flagged_campaign_posts > ev.campaign_posts || ev.ntiers > CHORUS_EVAL_MAX_GROUPS ||
	    ev.nnegatives > CHORUS_EVAL_MAX_GROUPS)
		abort();
	return 0;
}
