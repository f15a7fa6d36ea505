/*
 * test_synth.c - the synthetic corpus generator: determinism, valid JSON
 * Lines, order, counts, the truth file against the corpus, what each tier
 * and hard negative promises, option checks, allocation failure, and (when
 * ../shared is present) real text.
 *
 * Lines are checked with a small strict JSON parser below that records the
 * top-level members of an object; post ids are compared as digit strings.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "chorus/alloc.h"
#include "chorus/synth.h"
#include "chorus/timeutil.h"
#include "chorus/utf8.h"

/* ---- a strict little JSON parser ---------------------------------------- */

#define MAX_MEMBERS 24

typedef struct span {
	const char *p;
	size_t n;
} span;

typedef struct obj {
	span key[MAX_MEMBERS], val[MAX_MEMBERS];
	size_t n;
} obj;

static const char *ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return s;
}

static const char *value(const char *s, int depth);

static const char *string(const char *s)
{
	if (*s++ != '"')
		return NULL;
	while (*s && *s != '"') {
		if ((unsigned char)*s < 0x20)
			return NULL;
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
						return NULL;
				s += 4;
			} else if (!*s || !strchr("\"\\/bfnrt", *s)) {
				return NULL;
			}
		}
		s++;
	}
	return *s == '"' ? s + 1 : NULL;
}

static const char *number(const char *s)
{
	const char *start;

	if (*s == '-')
		s++;
	start = s;
	if (*s == '0')
		s++;
	else
		while (*s >= '0' && *s <= '9')
			s++;
	if (s == start)
		return NULL;
	if (*s == '.') {
		for (start = ++s; *s >= '0' && *s <= '9'; s++)
			;
		if (s == start)
			return NULL;
	}
	return s;
}

static const char *members(const char *s, int depth, obj *o)
{
	s = ws(s + 1);
	if (*s == '}')
		return s + 1;
	for (;;) {
		const char *k = s, *e = string(s);
		if (!e)
			return NULL;
		s = ws(e);
		if (*s++ != ':')
			return NULL;
		s = ws(s);
		const char *v = s;
		if (!(s = value(s, depth + 1)))
			return NULL;
		if (o && o->n < MAX_MEMBERS) {
			o->key[o->n] = (span){ k + 1, (size_t)(e - k - 2) };
			o->val[o->n++] = (span){ v, (size_t)(s - v) };
		}
		s = ws(s);
		if (*s == '}')
			return s + 1;
		if (*s++ != ',')
			return NULL;
		s = ws(s);
	}
}

static const char *array(const char *s, int depth)
{
	s = ws(s + 1);
	if (*s == ']')
		return s + 1;
	for (;;) {
		if (!(s = value(s, depth + 1)))
			return NULL;
		s = ws(s);
		if (*s == ']')
			return s + 1;
		if (*s++ != ',')
			return NULL;
		s = ws(s);
	}
}

static const char *value(const char *s, int depth)
{
	if (depth > 32)
		return NULL;
	switch (*s) {
	case '"': return string(s);
	case '{': return members(s, depth, NULL);
	case '[': return array(s, depth);
	case 't': return strncmp(s, "true", 4) ? NULL : s + 4;
	case 'f': return strncmp(s, "false", 5) ? NULL : s + 5;
	case 'n': return strncmp(s, "null", 4) ? NULL : s + 4;
	default: return number(s);
	}
}

/* Parse one line holding one object; 0 on success. */
static int parse_line(const char *line, obj *o)
{
	const char *s = ws(line);

	o->n = 0;
	if (*s != '{' || !(s = members(s, 0, o)))
		return -1;
	return *ws(s) ? -1 : 0;
}

static const span *get(const obj *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->key[i].n == strlen(key) && !memcmp(o->key[i].p, key, o->key[i].n))
			return &o->val[i];
	return NULL;
}

/* A string or integer member as text without quotes ("" when absent). */
static void text_of(const obj *o, const char *key, char *out, size_t cap)
{
	const span *v = get(o, key);
	size_t a = 0, n;

	out[0] = '\0';
	if (!v)
		return;
	n = v->n;
	if (n >= 2 && v->p[0] == '"') {
		a = 1;
		n -= 2;
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(out, v->p + a, n);
	out[n] = '\0';
}

static int is_str(const obj *o, const char *key, const char *want)
{
	char buf[64];

	text_of(o, key, buf, sizeof buf);
	return get(o, key) && get(o, key)->p[0] == '"' && !strcmp(buf, want);
}

/* ---- generating into memory ---------------------------------------------- */

typedef struct out {
	char *corpus, *truth;
	size_t clen, tlen;
	int rc;
} out;

static out gen(const chorus_synth_opts *o)
{
	out r = { NULL, NULL, 0, 0, 0 };
	FILE *c = open_memstream(&r.corpus, &r.clen);
	FILE *t = open_memstream(&r.truth, &r.tlen);
	chorus_error err;

	r.rc = chorus_synth_write(o, c, t, &err);
	fclose(c);
	fclose(t);
	return r;
}

static void out_free(out *r)
{
	free(r->corpus);
	free(r->truth);
}

/* Split buf into lines in place; returns the count, lines in *v (malloc). */
static size_t lines(char *buf, size_t len, char ***v)
{
	size_t n = 0, cap = 1024;
	char **l = malloc(cap * sizeof *l);

	for (char *s = buf; l && s < buf + len;) {
		char *e = memchr(s, '\n', (size_t)(buf + len - s));
		if (!e)
			break;
		*e = '\0';
		if (n == cap) {
			char **nl = realloc(l, (cap *= 2) * sizeof *l);
			if (!nl)
				break;
			l = nl;
		}
		l[n++] = s;
		s = e + 1;
	}
	*v = l;
	return n;
}

static int all_digits(const char *s)
{
	if (!*s || *s == '0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int64_t when(const obj *o, const char *key)
{
	char buf[64];
	int64_t ns = 0;

	text_of(o, key, buf, sizeof buf);
	return chorus_time_parse_rfc3339(buf, strlen(buf), &ns) == 0 ? ns : INT64_MIN;
}

static chorus_synth_opts small(uint64_t seed)
{
	chorus_synth_opts o;

	chorus_synth_opts_init(&o);
	o.seed = seed;
	o.posts = 3000;
	o.campaigns = 8;
	o.days = 20;
	return o;
}

/* ---- tests --------------------------------------------------------------- */

static void test_defaults(void)
{
	chorus_synth_opts o;

	chorus_synth_opts_init(&o);
	CHECK_INT(o.seed, 1);
	CHECK_INT(o.posts, 5000);
	CHECK(o.campaigns == CHORUS_SYNTH_AUTO);
	CHECK(o.accounts == CHORUS_SYNTH_AUTO);
	CHECK_INT(o.start, INT64_C(1585699200) * CHORUS_NS_PER_SEC);
	CHECK_INT(o.days, 30);
	CHECK_INT(o.text_bytes, 200);
	CHECK(o.shared_dir == NULL);
}

static void test_determinism(void)
{
	chorus_synth_opts o = small(42);
	out a = gen(&o), b = gen(&o), c;

	CHECK_INT(a.rc, 0);
	CHECK_INT(b.rc, 0);
	CHECK(a.clen > 0 && a.clen == b.clen && !memcmp(a.corpus, b.corpus, a.clen));
	CHECK(a.tlen > 0 && a.tlen == b.tlen && !memcmp(a.truth, b.truth, a.tlen));
	o.seed = 43;
	c = gen(&o);
	CHECK_INT(c.rc, 0);
	CHECK(c.clen != a.clen || memcmp(a.corpus, c.corpus, a.clen) != 0);
	out_free(&a);
	out_free(&b);
	out_free(&c);
}

/* A post as the tests need it. */
typedef struct post {
	char id[32];
	char *text;   /* the escaped JSON string, quotes included */
	size_t tlen;
	int has_repost;
	char repost_of[32];
} post;

static int find_post(const post *p, size_t n, const char *id)
{
	size_t lo = 0, hi = n; /* ids are sorted: 19 digits each */

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(p[mid].id, id);
		if (!c)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

typedef struct corpus_stats {
	size_t bad_json, bad_id, bad_order, bad_utf8, int_ids, int_authors, meta, reposts, bad_repost;
} corpus_stats;

static void check_post_line(const char *line, const obj *o, post *p, const post *prev,
			    int64_t *prev_t, corpus_stats *st)
{
	const span *id = get(o, "id"), *author = get(o, "author"), *text = get(o, "text");
	int64_t t = when(o, "created_at");

	if (!chorus_utf8_valid(line, strlen(line), NULL))
		st->bad_utf8++;
	if (!id || !author || !text || t == INT64_MIN) {
		st->bad_json++;
		return;
	}
	text_of(o, "id", p->id, sizeof p->id);
	st->int_ids += id->p[0] != '"';
	st->int_authors += author->p[0] != '"';
	st->meta += get(o, "author_created_at") != NULL && is_str(o, "platform", "twitter");
	if (!all_digits(p->id) || strlen(p->id) != 19)
		st->bad_id++;
	if (prev && (t < *prev_t || strcmp(prev->id, p->id) >= 0))
		st->bad_order++;
	*prev_t = t;
	p->text = (char *)text->p;
	p->tlen = text->n;
	p->has_repost = get(o, "repost_of") != NULL;
	text_of(o, "repost_of", p->repost_of, sizeof p->repost_of);
	st->reposts += p->has_repost;
}

static post *read_corpus(char *buf, size_t len, size_t *n, corpus_stats *st)
{
	char **l;
	size_t k = lines(buf, len, &l);
	post *v = calloc(k ? k : 1, sizeof *v);
	int64_t prev_t = INT64_MIN;
	obj o;

	memset(st, 0, sizeof *st);
	for (size_t i = 0; v && i < k; i++) {
		if (parse_line(l[i], &o)) {
			st->bad_json++;
			continue;
		}
		check_post_line(l[i], &o, &v[i], i ? &v[i - 1] : NULL, &prev_t, st);
	}
	for (size_t i = 0; v && i < k; i++)
		if (v[i].has_repost && find_post(v, k, v[i].repost_of) >= (int)i)
			st->bad_repost++; /* the source must exist and come first */
	free(l);
	*n = k;
	return v;
}

static void test_corpus(void)
{
	chorus_synth_opts o = small(7);
	out r = gen(&o);
	corpus_stats st;
	size_t n;
	post *v = read_corpus(r.corpus, r.clen, &n, &st);

	CHECK_INT(r.rc, 0);
	CHECK_INT(n, 3000);
	CHECK_INT(st.bad_json, 0);
	CHECK_INT(st.bad_id, 0);
	CHECK_INT(st.bad_order, 0); /* created_at then id; ids unique */
	CHECK_INT(st.bad_utf8, 0);
	CHECK_INT(st.bad_repost, 0);
	CHECK(st.int_ids > 0 && st.int_ids < n / 10);
	CHECK(st.int_authors > 0);
	CHECK(st.meta > n / 5 && st.meta < n * 4 / 5);
	CHECK(st.reposts > 0);
	free(v);
	out_free(&r);
}

/* ---- truth --------------------------------------------------------------- */

typedef struct truth_stats {
	size_t campaigns, tiers[4], negatives[5], missing, shared_posts, bad_size, bad_burst;
	size_t bad_label, bad_exact, bad_disguised, bad_same, bad_repost_item, bad_order;
	int header_ok;
} truth_stats;

static const char *const tier_names[] = { "exact", "light", "heavy", "disguised" };
static const char *const neg_names[] = {
	"headline", "self_repeat", "repost", "stock_phrase", "topic"
};

static int index_of(const char *const *names, size_t n, const obj *o, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (is_str(o, key, names[i]))
			return (int)i;
	return -1;
}

/* Does the escaped text contain an invisible character and a Latin letter
 * next to a Cyrillic one (or the other way round)? */
static int looks_disguised(const char *s, size_t n)
{
	int hidden = 0, mixed = 0, prev = 0; /* prev: 1 Latin, 2 Cyrillic */
	size_t pos = 0;
	uint32_t c;

	while (pos < n) {
		if (chorus_utf8_decode(s, n, &pos, &c) != 0)
			continue;
		int cur = (c | 32) >= 'a' && (c | 32) <= 'z' ? 1 : c >= 0x400 && c < 0x500 ? 2 : 0;
		hidden |= c == 0x200B || c == 0x200C || c == 0x2060 || c == 0xAD;
		mixed |= prev && cur && prev != cur;
		if (c != 0x200B && c != 0x200C && c != 0x2060 && c != 0xAD)
			prev = cur;
	}
	return hidden && mixed;
}

static int contains(const char *hay, size_t n, const char *needle, size_t k)
{
	for (size_t i = 0; k <= n && i + k <= n; i++)
		if (!memcmp(hay + i, needle, k))
			return 1;
	return 0;
}

/* The ids of the "posts" array a, one at a time (*s starts at a.p). */
static const char *next_id(const char **s, const span *a, char *id, size_t cap)
{
	const char *q = strchr(*s, '"'), *e;

	if (!q || q >= a->p + a->n || !(e = strchr(q + 1, '"')) || (size_t)(e - q - 1) >= cap)
		return NULL;
	memcpy(id, q + 1, (size_t)(e - q - 1));
	id[e - q - 1] = '\0';
	*s = e + 1;
	return id;
}

static void check_campaign(const obj *o, int tier, const post *v, size_t n, truth_stats *st,
			   unsigned char *used)
{
	const span *posts = get(o, "posts"), *tmpl = get(o, "template");
	char id[32], accounts[16];
	size_t count = 0;
	int64_t first = when(o, "first_seen"), last = when(o, "last_seen");
	const char *s = posts->p;
	unsigned long acc;

	text_of(o, "accounts", accounts, sizeof accounts);
	acc = strtoul(accounts, NULL, 10);
	while (next_id(&s, posts, id, sizeof id)) {
		int k = find_post(v, n, id);
		count++;
		if (k < 0) {
			st->missing++;
			continue;
		}
		st->shared_posts += used[k]++ > 0;
		/* exact copies hold the template word for word (decorations aside) */
		if (tier == 0 && !contains(v[k].text, v[k].tlen, tmpl->p + 1, tmpl->n - 2))
			st->bad_exact++;
		if (tier == 3 && !looks_disguised(v[k].text, v[k].tlen))
			st->bad_disguised++;
	}
	if (acc < 5 || acc > 150 || count < acc)
		st->bad_size++;
	if (first == INT64_MIN || last - first > 48 * 3600 * CHORUS_NS_PER_SEC)
		st->bad_burst++;
}

static void check_negative(const obj *o, int type, const post *v, size_t n, truth_stats *st,
			   unsigned char *used)
{
	const span *posts = get(o, "posts");
	const char *s = posts->p;
	char id[32];
	const post *first = NULL;
	size_t sources = 0;

	while (next_id(&s, posts, id, sizeof id)) {
		int k = find_post(v, n, id);
		if (k < 0) {
			st->missing++;
			continue;
		}
		st->shared_posts += used[k]++ > 0;
		/* headlines, self-repeats and reposts repeat one text exactly */
		if (type <= 2 && first &&
		    (first->tlen != v[k].tlen || memcmp(first->text, v[k].text, v[k].tlen)))
			st->bad_same++;
		if (type == 2)
			sources += !v[k].has_repost;
		if (!first)
			first = &v[k];
	}
	if (type == 2 && sources != 1)
		st->bad_repost_item++;
}

static void check_item(const char *line, const post *v, size_t n, truth_stats *st,
		       unsigned char *used, unsigned *ncamp, unsigned *nneg)
{
	obj o;
	char id[32], want[32];
	int k;

	if (parse_line(line, &o) || !get(&o, "posts")) {
		st->bad_label++;
		return;
	}
	text_of(&o, "id", id, sizeof id);
	if (is_str(&o, "kind", "campaign") && (k = index_of(tier_names, 4, &o, "tier")) >= 0) {
		snprintf(want, sizeof want, "camp-%03u", ++*ncamp);
		st->bad_order += *nneg > 0; /* campaigns come first */
		st->campaigns++;
		st->tiers[k]++;
		check_campaign(&o, k, v, n, st, used);
	} else if (is_str(&o, "kind", "hard_negative") && (k = index_of(neg_names, 5, &o, "type")) >= 0) {
		snprintf(want, sizeof want, "neg-%03u", ++*nneg);
		st->negatives[k]++;
		check_negative(&o, k, v, n, st, used);
	} else {
		st->bad_label++;
		return;
	}
	st->bad_label += strcmp(id, want) != 0;
}

static void read_truth(char *buf, size_t len, const post *v, size_t n, truth_stats *st)
{
	char **l;
	size_t k = lines(buf, len, &l);
	unsigned char *used = calloc(n ? n : 1, 1);
	unsigned ncamp = 0, nneg = 0;
	obj o;

	memset(st, 0, sizeof *st);
	st->header_ok = k > 0 && parse_line(l[0], &o) == 0 && is_str(&o, "kind", "header") &&
			is_str(&o, "generator", "chorus synth") && get(&o, "shared_text") &&
			get(&o, "options") && get(&o, "seed") && get(&o, "version");
	for (size_t i = 1; used && i < k; i++)
		check_item(l[i], v, n, st, used, &ncamp, &nneg);
	free(used);
	free(l);
}

static void test_truth(void)
{
	chorus_synth_opts o = small(11);
	out r = gen(&o);
	corpus_stats cs;
	truth_stats ts;
	size_t n;
	post *v = read_corpus(r.corpus, r.clen, &n, &cs);

	CHECK_INT(r.rc, 0);
	read_truth(r.truth, r.tlen, v, n, &ts);
	CHECK(ts.header_ok);
	CHECK(contains(r.truth, r.tlen, "\"shared_text\":false", 19));
	CHECK_INT(ts.campaigns, 8);
	for (int t = 0; t < 4; t++)
		CHECK_INT(ts.tiers[t], 2);
	for (int k = 0; k < 5; k++)
		CHECK(ts.negatives[k] > 0);
	CHECK_INT(ts.missing, 0);
	CHECK_INT(ts.shared_posts, 0); /* no post in two items */
	CHECK_INT(ts.bad_size, 0);
	CHECK_INT(ts.bad_burst, 0);
	CHECK_INT(ts.bad_label, 0);
	CHECK_INT(ts.bad_order, 0);
	CHECK_INT(ts.bad_exact, 0);
	CHECK_INT(ts.bad_disguised, 0);
	CHECK_INT(ts.bad_same, 0);
	CHECK_INT(ts.bad_repost_item, 0);
	free(v);
	out_free(&r);
}

/* Without a truth stream the corpus is the same. */
static void test_no_truth(void)
{
	chorus_synth_opts o = small(5);
	out a = gen(&o);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	chorus_error err;

	CHECK_INT(chorus_synth_write(&o, f, NULL, &err), 0);
	fclose(f);
	CHECK(len == a.clen && !memcmp(buf, a.corpus, len));
	free(buf);
	out_free(&a);
}

static void test_options(void)
{
	chorus_synth_opts o = small(1);
	out r;

	o.posts = 99;
	r = gen(&o);
	CHECK_INT(r.rc, CHORUS_EUSAGE);
	out_free(&r);
	o = small(1);
	o.days = 0;
	r = gen(&o);
	CHECK_INT(r.rc, CHORUS_EUSAGE);
	out_free(&r);
	o = small(1);
	o.text_bytes = 5;
	r = gen(&o);
	CHECK_INT(r.rc, CHORUS_EUSAGE);
	out_free(&r);
	o = small(1);
	o.posts = 400;
	o.campaigns = 60; /* planted posts would pass 60% */
	r = gen(&o);
	CHECK_INT(r.rc, CHORUS_EUSAGE);
	out_free(&r);
	o = small(1);
	o.start = -CHORUS_NS_PER_SEC;
	r = gen(&o);
	CHECK_INT(r.rc, CHORUS_EUSAGE);
	out_free(&r);
	o = small(1);
	o.shared_dir = "/nonexistent/chorus-shared";
	r = gen(&o);
	CHECK_INT(r.rc, CHORUS_EIO);
	out_free(&r);
	/* a short period, a long text and an early start still work */
	o = small(1);
	o.days = 1;
	o.text_bytes = 1000;
	o.start = INT64_C(946684800) * CHORUS_NS_PER_SEC; /* 2000, before snowflakes */
	r = gen(&o);
	CHECK_INT(r.rc, 0);
	out_free(&r);
}

/* Every allocation failure is reported as CHORUS_ENOMEM, never a crash or
 * a leak (the sanitizer build checks the leaks). */
static void test_alloc_failure(void)
{
	chorus_synth_opts o = small(3);
	int failed = 0, other = 0;

	o.posts = 1000;
	o.campaigns = 2;
	for (unsigned long k = 1; k < 400; k += 3) {
		out r;
		chorus_alloc_fail_after(k);
		r = gen(&o);
		chorus_alloc_fail_after(0);
		failed += r.rc == CHORUS_ENOMEM;
		other += r.rc != 0 && r.rc != CHORUS_ENOMEM;
		out_free(&r);
	}
	CHECK(failed > 0);
	CHECK_INT(other, 0);
}

static int has_shared(const char *dir)
{
	char path[4096];
	DIR *d;

	snprintf(path, sizeof path, "%s/corpora/telegram-ru", dir);
	if (!(d = opendir(path)))
		return 0;
	closedir(d);
	return 1;
}

static void test_shared(void)
{
	const char *dir = getenv("CHORUS_SHARED");
	chorus_synth_opts o = small(9);
	out a, b;

	if (!dir || !has_shared(dir)) {
		printf("test_shared: skipped (no shared corpora at $CHORUS_SHARED)\n");
		return;
	}
	o.shared_dir = dir;
	a = gen(&o);
	b = gen(&o);
	CHECK_INT(a.rc, 0);
	CHECK(a.clen == b.clen && !memcmp(a.corpus, b.corpus, a.clen));
	CHECK(contains(a.truth, a.tlen, "\"shared_text\":true", 18));
	out_free(&a);
	out_free(&b);
}

int main(void)
{
	test_defaults();
	test_determinism();
	test_corpus();
	test_truth();
	test_no_truth();
	test_options();
	test_alloc_failure();
	test_shared();
	return check_done();
}
