/*
 * scan_opts.c - the detection options shared by `chorus scan` and
 * `chorus init`, and the check that a workspace's fixed parameters are
 * not asked to change.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chorus/minhash.h"
#include "chorus/timeutil.h"
#include "cli.h"
#include "opts.h"
#include "scan_opts.h"

int scan_opts_progress(const char *v, int *out)
{
	if (!strcmp(v, "none"))
		*out = PROGRESS_NONE;
	else if (!strcmp(v, "bar"))
		*out = PROGRESS_BAR;
	else if (!strcmp(v, "log"))
		*out = PROGRESS_LOG;
	else if (!strcmp(v, "auto"))
		*out = isatty(STDERR_FILENO) ? PROGRESS_BAR : PROGRESS_NONE;
	else
		return -1;
	return 0;
}

static int parse_shingle(const char *v, chorus_scan_params *p)
{
	unsigned long k;

	if (!strncmp(v, "word:", 5))
		p->shingle_kind = CHORUS_SHINGLE_WORD;
	else if (!strncmp(v, "char:", 5))
		p->shingle_kind = CHORUS_SHINGLE_CHAR;
	else
		return -1;
	if (opts_ulong(v + 5, 1, 16, &k))
		return -1;
	p->shingle_k = (unsigned)k;
	return 0;
}

int scan_opts_detection(const char *cmd, chorus_scan_params *p, int opt, const char *v)
{
	unsigned long u;
	double d;

	switch (opt) {
	case OPT_WINDOW:
		if (chorus_duration_parse(v, &p->window) == 0)
			return 0;
		cli_error("%s: --window: '%s' is not a duration like 90m, 48h or 2d", cmd, v);
		return -1;
	case OPT_THRESHOLD:
		if (opts_double(v, 0.0, 1.0, &d) == 0 && d > 0.0) {
			p->threshold = d;
			return 0;
		}
		cli_error("%s: --threshold: '%s' is not a number in (0, 1]", cmd, v);
		return -1;
	case OPT_SHINGLE:
		if (parse_shingle(v, p) == 0)
			return 0;
		cli_error("%s: --shingle: '%s' is not word:K or char:K with K from 1 to 16", cmd, v);
		return -1;
	case OPT_SEED:
		if (opts_u64(v, &p->seed) == 0)
			return 0;
		cli_error("%s: --seed: '%s' is not an unsigned 64-bit integer", cmd, v);
		return -1;
	case OPT_REPOSTS:
		p->include_reposts = 1;
		return 0;
	case OPT_MIN_ACCOUNTS: case OPT_PERMS: case OPT_BANDS: case OPT_MIN_CONTENT:
	case OPT_NEIGHBOURS:
		break;
	default:
		return 1;
	}
	if (opts_ulong(v, 0, 1UL << 30, &u)) {
		cli_error("%s: option needs a non-negative integer, got '%s'", cmd, v);
		return -1;
	}
	switch (opt) {
	case OPT_MIN_ACCOUNTS: p->min_accounts = (unsigned)u; break;
	case OPT_PERMS: p->perms = (unsigned)u; break;
	case OPT_BANDS: p->bands = (unsigned)u; break;
	case OPT_MIN_CONTENT: p->min_content = (unsigned)u; break;
	default: p->max_neighbours = (unsigned)u; break;
	}
	return 0;
}

/* The value of detection option opt in p, as the command line writes it. */
static void value_of(const chorus_scan_params *p, int opt, char *out, size_t cap)
{
	switch (opt) {
	case OPT_WINDOW: chorus_duration_format(p->window, out, cap); break;
	case OPT_THRESHOLD: snprintf(out, cap, "%g", p->threshold); break;
	case OPT_MIN_ACCOUNTS: snprintf(out, cap, "%u", p->min_accounts); break;
	case OPT_SHINGLE:
		snprintf(out, cap, "%s:%u", p->shingle_kind == CHORUS_SHINGLE_CHAR ? "char" : "word",
			 p->shingle_k);
		break;
	case OPT_PERMS: snprintf(out, cap, "%u", p->perms); break;
	case OPT_BANDS: snprintf(out, cap, "%u", p->bands); break;
	case OPT_MIN_CONTENT: snprintf(out, cap, "%u", p->min_content); break;
	case OPT_NEIGHBOURS: snprintf(out, cap, "%u", p->max_neighbours); break;
	case OPT_REPOSTS: snprintf(out, cap, "%s", p->include_reposts ? "on" : "off"); break;
	default: snprintf(out, cap, "0x%016" PRIx64, p->seed); break;
	}
}

int scan_opts_same(const char *dir, const chorus_scan_params *fixed,
		   const chorus_scan_params *given, unsigned mask)
{
	static const char *const names[] = { "window", "threshold", "min-accounts", "shingle",
					     "perms", "bands", "min-content", "neighbours",
					     "include-reposts", "seed" };

	for (int opt = OPT_WINDOW; opt < OPT_DETECTION_END; opt++) {
		char want[64], got[64];
		if (!(mask & 1u << (opt - OPT_WINDOW)))
			continue;
		value_of(fixed, opt, want, sizeof want);
		value_of(given, opt, got, sizeof got);
		if (strcmp(want, got) != 0 ||
		    (opt == OPT_THRESHOLD && fixed->threshold != given->threshold)) {
			cli_error("scan: --%s %s: workspace %s was made with --%s %s, and its "
				  "signatures, links and clusters depend on it: it cannot change "
				  "(make another workspace with chorus init)", names[opt - OPT_WINDOW],
				  got, dir, names[opt - OPT_WINDOW], want);
			return -1;
		}
	}
	return 0;
}
