/*
 * bench_recall.c - how many truly similar pairs the LSH pipeline keeps.
 *
 *   bench_recall FILE.jsonl [--threshold J] [--window D] [--shingle word:K|char:K]
 *                [--perms N] [--bands B] [--neighbours N] [--max N]
 *
 * Computes the exact Jaccard of every pair of matched posts (same rules as
 * the scan: reposts and short posts left out) whose times are within the
 * window, then runs the scan with min_accounts = 1 (every connected group is
 * a cluster) and prints:
 *   recall@t+0.1   pairs with J >= threshold + 0.1 that share a cluster
 *   recall@t       pairs with J >= threshold that share a cluster
 *   chained        pairs sharing a cluster whose own J < threshold (joined
 *                  through other posts), as a share of pairs sharing a cluster
 *   false links    verified links below the threshold (0 by construction:
 *                  every link is verified exactly)
 * Meant for a sample of about 20,000 posts (the pair count is quadratic).
 * Never fails: it prints figures.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/minhash.h"
#include "chorus/models.h"
#include "chorus/normalise.h"
#include "chorus/scan.h"
#include "chorus/timeutil.h"

typedef struct set {
	uint32_t *v;
	size_t n;
	int64_t t;
	int ok;
} set;

static int parse_args(int argc, char **argv, chorus_scan_params *p, size_t *max, const char **file)
{
	static const struct option o[] = {
		{ "threshold", 1, NULL, 't' }, { "window", 1, NULL, 'w' }, { "shingle", 1, NULL, 's' },
		{ "perms", 1, NULL, 'p' }, { "bands", 1, NULL, 'b' }, { "neighbours", 1, NULL, 'n' },
		{ "max", 1, NULL, 'm' }, { NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", o, NULL)) != -1) {
		switch (c) {
		case 't': p->threshold = atof(optarg); break;
		case 'w': if (chorus_duration_parse(optarg, &p->window)) return -1; break;
		case 's':
			p->shingle_kind = !strncmp(optarg, "char:", 5) ? CHORUS_SHINGLE_CHAR : CHORUS_SHINGLE_WORD;
			p->shingle_k = (unsigned)atoi(optarg + 5);
			break;
		case 'p': p->perms = (unsigned)atoi(optarg); break;
		case 'b': p->bands = (unsigned)atoi(optarg); break;
		case 'n': p->max_neighbours = (unsigned)atoi(optarg); break;
		case 'm': *max = (size_t)atol(optarg); break;
		default: return -1;
		}
	}
	if (optind != argc - 1)
		return -1;
	*file = argv[optind];
	return 0;
}

static set *exact_sets(const chorus_corpus *c, const chorus_models *m, const chorus_scan_params *p, size_t n)
{
	const chorus_post *posts = chorus_corpus_posts(c);
	chorus_norm *w = chorus_norm_new(m, p->norm_flags);
	set *s = calloc(n, sizeof *s);
	uint32_t *buf = malloc((CHORUS_MAX_RECORD + 2) * sizeof *buf);

	for (size_t i = 0; i < n && w && s && buf; i++) {
		chorus_normalised nz;
		const char *hint = posts[i].extra ? posts[i].extra->lang.p : NULL;
		s[i].t = posts[i].created_at;
		if ((posts[i].flags & CHORUS_POST_REPOST) && !p->include_reposts)
			continue;
		if (chorus_norm_run(w, posts[i].text.p, posts[i].text.len, hint, &nz) || nz.content < p->min_content)
			continue;
		s[i].n = chorus_shingle(&nz, p->shingle_kind, p->shingle_k, p->seed, buf, CHORUS_MAX_RECORD + 2);
		s[i].v = malloc((s[i].n ? s[i].n : 1) * sizeof *buf);
		memcpy(s[i].v, buf, s[i].n * sizeof *buf);
		s[i].ok = s[i].n > 0;
	}
	free(buf);
	chorus_norm_free(w);
	return s;
}

int main(int argc, char **argv)
{
	chorus_scan_params p;
	chorus_read_opts ro = { 0 };
	chorus_error err;
	chorus_models *m = NULL;
	chorus_corpus *c = chorus_corpus_new();
	chorus_scan *scan = NULL;
	const char *file = NULL;
	size_t max = 20000;

	chorus_scan_params_init(&p);
	p.min_accounts = 1;
	if (parse_args(argc, argv, &p, &max, &file)) {
		fprintf(stderr, "usage: bench_recall FILE.jsonl [--threshold J] [--window D] "
				"[--shingle word:K|char:K] [--perms N] [--bands B] [--neighbours N] [--max N]\n");
		return 2;
	}
	if (chorus_models_load(&m, NULL, &err) || chorus_corpus_read_jsonl(c, file, &ro, &err)) {
		fprintf(stderr, "bench_recall: %s:%llu: %s\n", err.source, (unsigned long long)err.line, err.text);
		return 1;
	}
	size_t n = chorus_corpus_count(c);
	if (n > max) {
		fprintf(stderr, "bench_recall: %zu posts; only the first %zu are compared exactly "
				"(the scan sees them all)\n", n, max);
	}
	if (chorus_scan_run(c, m, &p, &scan, &err)) {
		fprintf(stderr, "bench_recall: %s\n", err.text);
		return 1;
	}
	/* Cluster of each corpus post (-1 = none). */
	const chorus_post *base = chorus_corpus_posts(c);
	long *cl = malloc(n * sizeof *cl);
	for (size_t i = 0; i < n; i++)
		cl[i] = -1;
	for (size_t k = 0; k < chorus_scan_cluster_count(scan); k++) {
		const chorus_cluster *x = chorus_scan_get_cluster(scan, k);
		for (size_t j = 0; j < x->nposts; j++)
			cl[chorus_scan_get_post(scan, x->posts[j]) - base] = (long)k;
	}
	size_t lim = n < max ? n : max;
	set *s = exact_sets(c, m, &p, lim);
	unsigned long long strong = 0, strong_same = 0, at = 0, at_same = 0, same = 0, chained = 0, pairs = 0;
	const double hi = p.threshold + 0.1;

#pragma omp parallel for schedule(dynamic, 64) reduction(+ : strong, strong_same, at, at_same, same, chained, pairs)
	for (size_t i = 0; i < lim; i++) {
		if (!s[i].ok)
			continue;
		for (size_t j = i + 1; j < lim; j++) {
			if (!s[j].ok)
				continue;
			int64_t d = s[i].t - s[j].t;
			if (d > p.window || -d > p.window)
				continue;
			pairs++;
			double jac = chorus_jaccard(s[i].v, s[i].n, s[j].v, s[j].n);
			int together = cl[i] >= 0 && cl[i] == cl[j];
			if (jac >= hi) {
				strong++;
				strong_same += (unsigned long long)together;
			}
			if (jac >= p.threshold) {
				at++;
				at_same += (unsigned long long)together;
			}
			if (together) {
				same++;
				chained += (unsigned long long)(jac < p.threshold);
			}
		}
	}
	printf("posts compared exactly     %zu (pairs within the window: %llu)\n", lim, pairs);
	printf("threshold %.2f, window %llds, shingle %s:%u, perms %u, bands %u, neighbours %u\n",
	       p.threshold, (long long)(p.window / CHORUS_NS_PER_SEC),
	       p.shingle_kind == CHORUS_SHINGLE_CHAR ? "char" : "word", p.shingle_k, p.perms,
	       p.bands, p.max_neighbours);
	printf("recall@t+0.1 (J >= %.2f)   %.4f  (%llu of %llu pairs share a cluster)\n", hi,
	       strong ? (double)strong_same / (double)strong : 1.0, strong_same, strong);
	printf("recall@t     (J >= %.2f)   %.4f  (%llu of %llu)\n", p.threshold,
	       at ? (double)at_same / (double)at : 1.0, at_same, at);
	printf("chained pairs (J < t)      %.4f  (%llu of %llu pairs sharing a cluster)\n",
	       same ? (double)chained / (double)same : 0.0, chained, same);
	printf("false links (verified < t) 0 by construction: every link is an exact Jaccard >= t\n");
	for (size_t i = 0; i < lim; i++)
		free(s[i].v);
	free(s);
	free(cl);
	chorus_scan_free(scan);
	chorus_corpus_free(c);
	chorus_models_free(m);
	return 0;
}
