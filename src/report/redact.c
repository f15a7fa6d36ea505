/*
 * redact.c - the shareable version of a scan's findings: accounts that are
 * in no cluster are pseudonymised.
 *
 * Every account the folder names as an author is in a cluster; the others
 * appear only as @mentions inside the flagged posts' texts.  Each such
 * mention (as the normaliser finds them: its spans in the raw text) whose
 * handle is not a cluster account's author id or handle (compared without
 * regard to ASCII case) becomes "@account_N", N counted from 1 in order of
 * first appearance (clusters by rank, posts in time order), so the same
 * account keeps one pseudonym across the folder and the numbering is
 * reproducible.  The mapping goes only to the caller's callback (the CLI
 * writes it to a file outside the folder when asked to, never inside).
 * Cost: one normaliser run per flagged post, O(log a) per mention.
 */
#include <stdlib.h>
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/buf.h"
#include "chorus/hash.h"
#include "chorus/normalise.h"
#include "chorus/report.h"

typedef struct names {
	char **v; /* lower-cased, sorted */
	size_t n, cap;
} names;

typedef struct pseudo {
	char *handle; /* lower-cased */
	size_t num;
} pseudo;

typedef struct redactor {
	names known;        /* cluster accounts */
	pseudo *map;        /* sorted by handle */
	size_t nmap, map_cap;
	chorus_buf out;
} redactor;

static char *lower_dup(const char *s, size_t n)
{
	char *d = chorus_malloc(n + 1);

	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++)
		d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
	d[n] = '\0';
	return d;
}

static int add_name(names *k, chorus_str s)
{
	if (!s.p || s.len == 0)
		return CHORUS_OK;
	if (k->n == k->cap) {
		size_t c = k->cap ? k->cap * 2 : 64;
		char **v = chorus_reallocarray(k->v, c, sizeof *v);
		if (!v)
			return CHORUS_ENOMEM;
		k->v = v;
		k->cap = c;
	}
	if (!(k->v[k->n] = lower_dup(s.p, s.len)))
		return CHORUS_ENOMEM;
	k->n++;
	return CHORUS_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int known(const names *k, const char *lower)
{
	return bsearch(&lower, k->v, k->n, sizeof *k->v, cmp_str) != NULL;
}

/* The pseudonym number of handle (lower-cased), made when new. */
static int number_of(redactor *r, char *lower, size_t *num, int *fresh)
{
	size_t lo = 0, hi = r->nmap;

	while (lo < hi) {
		const size_t mid = (lo + hi) / 2;
		const int c = strcmp(r->map[mid].handle, lower);
		if (c == 0) {
			*num = r->map[mid].num;
			*fresh = 0;
			free(lower);
			return CHORUS_OK;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (r->nmap == r->map_cap) {
		size_t c = r->map_cap ? r->map_cap * 2 : 64;
		pseudo *m = chorus_reallocarray(r->map, c, sizeof *m);
		if (!m) {
			free(lower);
			return CHORUS_ENOMEM;
		}
		r->map = m;
		r->map_cap = c;
	}
	memmove(r->map + lo + 1, r->map + lo, (r->nmap - lo) * sizeof *r->map);
	r->map[lo].handle = lower;
	r->map[lo].num = *num = r->nmap + 1;
	r->nmap++;
	*fresh = 1;
	return CHORUS_OK;
}

static size_t utf8_first_len(unsigned char b)
{
	return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

/* The post's text with foreign mentions replaced, into r->out. */
static int redact_text(redactor *r, const chorus_post *post, const chorus_normalised *nz,
		       const chorus_redact_opts *o, int *changed)
{
	const char *t = post->text.p;
	size_t at = 0;
	int rc = 0;

	r->out.len = 0;
	*changed = 0;
	for (size_t k = 0; k < nz->nmentions && rc == 0; k++) {
		const chorus_span *sp = &nz->mentions[k];
		const size_t skip = utf8_first_len((unsigned char)t[sp->off]);
		char *lower;
		size_t num;
		int fresh;
		if (sp->len <= skip)
			continue;
		if (!(lower = lower_dup(t + sp->off + skip, sp->len - skip)))
			return CHORUS_ENOMEM;
		if (known(&r->known, lower)) {
			free(lower);
			continue;
		}
		if ((rc = number_of(r, lower, &num, &fresh)) != 0)
			return rc;
		if (fresh && o->on_map)
			o->on_map(o->ud, num, t + sp->off + skip, sp->len - skip);
		rc = chorus_buf_append(&r->out, t + at, sp->off - at);
		rc = rc ? rc : chorus_buf_printf(&r->out, "@account_%zu", num);
		at = (size_t)sp->off + sp->len;
		*changed = 1;
	}
	if (rc == 0 && *changed)
		rc = chorus_buf_append(&r->out, t + at, post->text.len - at);
	return rc;
}

static void redactor_free(redactor *r)
{
	for (size_t i = 0; i < r->known.n; i++)
		free(r->known.v[i]);
	chorus_free(r->known.v);
	for (size_t i = 0; i < r->nmap; i++)
		free(r->map[i].handle);
	chorus_free(r->map);
	chorus_buf_dispose(&r->out);
}

int chorus_redact(const chorus_scan *s, chorus_corpus *c, const chorus_models *m,
		  const chorus_redact_opts *o, size_t *pseudonyms)
{
	const chorus_post *base = chorus_corpus_posts(c);
	chorus_norm *w = chorus_norm_new(m, CHORUS_NORM_NO_STEM);
	redactor r;
	int rc = 0;

	memset(&r, 0, sizeof r);
	chorus_buf_init(&r.out, (size_t)1 << 31);
	if (!w) {
		rc = CHORUS_ENOMEM;
		goto out;
	}
	for (size_t k = 0; rc == 0 && k < chorus_scan_cluster_count(s); k++) {
		const chorus_cluster *cl = chorus_scan_get_cluster(s, k);
		for (size_t i = 0; rc == 0 && i < cl->nposts; i++) {
			const chorus_post *p = chorus_scan_get_post(s, cl->posts[i]);
			rc = add_name(&r.known, p->author);
			if (rc == 0 && p->extra)
				rc = add_name(&r.known, p->extra->author_handle);
		}
	}
	qsort(r.known.v, r.known.n, sizeof *r.known.v, cmp_str);
	for (size_t k = 0; rc == 0 && k < chorus_scan_cluster_count(s); k++) {
		const chorus_cluster *cl = chorus_scan_get_cluster(s, k);
		for (size_t i = 0; rc == 0 && i < cl->nposts; i++) {
			const chorus_post *p = chorus_scan_get_post(s, cl->posts[i]);
			chorus_normalised nz;
			int changed;
			if (!p->text.p || chorus_norm_run(w, p->text.p, p->text.len, NULL, &nz) != 0) {
				rc = p->text.p ? CHORUS_ENOMEM : 0;
				continue;
			}
			rc = redact_text(&r, p, &nz, o, &changed);
			if (rc == 0 && changed)
				rc = chorus_corpus_replace_text(c, (size_t)(p - base), r.out.data, r.out.len);
		}
	}
	if (pseudonyms)
		*pseudonyms = r.nmap;
out:
	chorus_norm_free(w);
	redactor_free(&r);
	return rc;
}
