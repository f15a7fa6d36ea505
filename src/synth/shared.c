/*
 * shared.c - real sentences from the shared data folder, read at generation
 * time (never copied into the repository):
 *   DIR/corpora/kazakh/kaznerd_IOB2_valid.txt  Kazakh TV-news sentences, one
 *       "token TAG" per line, a blank line between sentences; tokens are
 *       joined with the spacing of written text (no space before . , ! ? »).
 *   DIR/corpora/telegram-ru/ *.json  JSON arrays of messages; every "text"
 *       string is split into lines and sentences.
 * A sentence is kept when it has 4 to 40 words and at most 400 bytes and
 * holds no link or mention; markdown emphasis is removed; near duplicates
 * are dropped (channels syndicate each other, often with small edits): a
 * sentence is kept only when at most a third of its word trigrams occur in
 * sentences kept before it.  Files are read in name order, so the pools, and
 * the corpus, depend only on the folder's content.
 *
 * Pools are dealt out in passes: a permutation is walked, and reshuffled
 * when used up, so one sentence returns only after every other has been
 * used.  synth_shared_budget then limits the share of organic posts that
 * draw on a pool so that a sentence comes back about every four days at
 * most: real sentences must not become accidental campaigns.
 *
 * The telegram reader is a small scanner, not a JSON parser: it walks
 * strings and structural characters, and takes the string value that
 * follows a "text" key.  A file that is not JSON yields nothing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/buf.h"
#include "chorus/utf8.h"
#include "synth_int.h"

#define MAX_FILE ((size_t)64 << 20)
#define MAX_SENTENCE 400

/* ---- pools --------------------------------------------------------------- */

typedef struct dedup {
	uint64_t *h;
	size_t cap, used;
} dedup;

/* 1 when h is new to d (and now in it); < 0 on allocation failure. */
static int dedup_put(dedup *d, uint64_t h)
{
	size_t k;

	h |= 1;
	if ((d->used + 1) * 2 > d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 4096;
		uint64_t *t = chorus_calloc(cap, sizeof *t);
		if (!t)
			return CHORUS_ENOMEM;
		for (size_t i = 0; i < d->cap; i++)
			if (d->h[i]) {
				for (k = (size_t)d->h[i] & (cap - 1); t[k]; k = (k + 1) & (cap - 1))
					;
				t[k] = d->h[i];
			}
		chorus_free(d->h);
		d->h = t;
		d->cap = cap;
	}
	for (k = (size_t)h & (d->cap - 1); d->h[k]; k = (k + 1) & (d->cap - 1))
		if (d->h[k] == h)
			return 0;
	d->h[k] = h;
	d->used++;
	return 1;
}


static int dedup_has(const dedup *d, uint64_t h)
{
	h |= 1;
	for (size_t k = (size_t)h & (d->cap - 1); d->cap && d->h[k]; k = (k + 1) & (d->cap - 1))
		if (d->h[k] == h)
			return 1;
	return 0;
}

static uint32_t lower_cp(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0x410 && c <= 0x42F)
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40F)
		return c + 0x50;
	return c;
}

static int letter(uint32_t c)
{
	return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') ||
	       (c >= 0xC0 && c < 0x250) || (c >= 0x400 && c < 0x530);
}

/* Hashes of the word trigrams of s (words: runs of letters and digits,
 * lower-cased), at most cap of them. */
static size_t trigrams(const char *s, size_t n, uint64_t *out, size_t cap)
{
	uint64_t w[3] = { 0, 0, 0 }, h = 0;
	size_t pos = 0, words = 0, k = 0;
	int in = 0;
	uint32_t c;

	while (k < cap) {
		int ok = pos < n && chorus_utf8_decode(s, n, &pos, &c) == 0 && letter(c);
		if (ok) {
			h = chorus_mix64(h ^ lower_cp(c));
			in = 1;
			continue;
		}
		if (in) {
			w[0] = w[1];
			w[1] = w[2];
			w[2] = h;
			if (++words >= 3)
				out[k++] = chorus_mix64(w[0] ^ chorus_mix64(w[1] ^ chorus_mix64(w[2])));
			h = 0;
			in = 0;
		}
		if (pos >= n)
			break;
	}
	return k;
}

/* 1 when at most a third of the sentence's word trigrams were seen in a
 * sentence kept before (their trigrams are then remembered); 0 for a near
 * duplicate: channels re-post each other's sentences with small edits. */
static int novel(dedup *tri, const char *s, size_t n)
{
	uint64_t t[64];
	size_t k = trigrams(s, n, t, 64), seen = 0;

	for (size_t i = 0; i < k; i++)
		seen += dedup_has(tri, t[i]);
	if (seen * 3 > k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (dedup_put(tri, t[i]) < 0)
			return -1;
	return 1;
}

static size_t count_words(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] != ' ' && (i == 0 || s[i - 1] == ' ');
	return k;
}

static int acceptable(const char *s, size_t n)
{
	size_t w = count_words(s, n);

	if (n > MAX_SENTENCE || w < 4 || w > 40 || !chorus_utf8_valid(s, n, NULL))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '@' || (unsigned char)s[i] < 0x20 || (i + 4 <= n && !memcmp(s + i, "http", 4)) ||
		    (i + 4 <= n && !memcmp(s + i, "t.me", 4)))
			return 0;
	return 1;
}

/* Copy s[0..n) into out without markdown emphasis ("**", "__"), trimmed;
 * returns the length. */
static size_t clean(const char *s, size_t n, char *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && (s[i] == '*' || s[i] == '_') && s[i + 1] == s[i]) {
			i++;
			continue;
		}
		out[k++] = s[i];
	}
	while (k && (out[k - 1] == ' ' || out[k - 1] == '\t'))
		k--;
	size_t a = 0;
	while (a < k && (out[a] == ' ' || out[a] == '\t'))
		a++;
	memmove(out, out + a, k - a);
	return k - a;
}

/* Keep s[0..n) in pool pl when acceptable and not a near duplicate. */
static int pool_add(synth_shared *sh, synth_pool *pl, dedup *d, const char *s, size_t n)
{
	char buf[2 * MAX_SENTENCE], *copy;
	int rc;

	if (n > sizeof buf)
		return CHORUS_OK;
	n = clean(s, n, buf);
	if (!acceptable(buf, n) || (rc = novel(d, buf, n)) == 0)
		return CHORUS_OK;
	if (rc < 0)
		return CHORUS_ENOMEM;
	if (pl->n == pl->cap) {
		uint32_t cap = pl->cap ? pl->cap * 2 : 4096;
		const char **ns = chorus_reallocarray(pl->s, cap, sizeof *ns);
		uint32_t *nl = ns ? chorus_reallocarray(pl->len, cap, sizeof *nl) : NULL;
		if (ns)
			pl->s = ns;
		if (!nl)
			return CHORUS_ENOMEM;
		pl->len = nl;
		pl->cap = cap;
	}
	if (!(copy = chorus_arena_strndup(&sh->arena, buf, n)))
		return CHORUS_ENOMEM;
	pl->s[pl->n] = copy;
	pl->len[pl->n++] = (uint32_t)n;
	return CHORUS_OK;
}

/* ---- files --------------------------------------------------------------- */

/* The whole file in a NUL-terminated buffer (NULL when absent or too big). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 65536) {
			char *nb = cap < MAX_FILE ? chorus_realloc(buf, cap + (cap ? cap : 1 << 20) + 1) : NULL;
			if (!nb)
				goto fail;
			buf = nb;
			cap += cap ? cap : 1 << 20;
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	fclose(f);
	chorus_free(buf);
	return NULL;
}

static int no_space_before(const char *t)
{
	return strchr(".,!?:;%)", t[0]) ? t[0] != '\0' : !strcmp(t, "»") || !strcmp(t, "…");
}

static int no_space_after(const char *t)
{
	return !strcmp(t, "«") || !strcmp(t, "(") || !strcmp(t, "„") || !strcmp(t, "“");
}

/* Kazakh: "token TAG" lines, blank line = end of sentence. */
static int load_kaznerd(synth_shared *sh, const char *path, dedup *d)
{
	size_t len;
	char *buf = slurp(path, &len), *line, *save = NULL, prev[64] = "";
	chorus_buf sent;
	int rc = CHORUS_OK;

	if (!buf)
		return CHORUS_OK;
	chorus_buf_init(&sent, 4096);
	for (line = buf; rc == 0 && line && line <= buf + len; line = save) {
		char *nl = strchr(line, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		char *sp = strpbrk(line, " \t\r");
		if (sp)
			*sp = '\0';
		if (!*line) {
			if (sent.len)
				rc = pool_add(sh, &sh->pool[LANG_KK], d, sent.data, sent.len);
			chorus_buf_reset(&sent);
			prev[0] = '\0';
			continue;
		}
		if (sent.len && !no_space_before(line) && !no_space_after(prev))
			chorus_buf_putc(&sent, ' ');
		if (chorus_buf_puts(&sent, line) != 0)
			chorus_buf_reset(&sent); /* over-long: dropped at the next blank */
		snprintf(prev, sizeof prev, "%s", line);
	}
	if (rc == 0 && sent.len)
		rc = pool_add(sh, &sh->pool[LANG_KK], d, sent.data, sent.len);
	chorus_buf_dispose(&sent);
	chorus_free(buf);
	return rc;
}

/* ---- telegram JSON ------------------------------------------------------- */

static unsigned hexval(const char *s)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v = v * 16 + (unsigned)(c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
					  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0);
	}
	return v;
}

/* Decode the JSON string body s[0..n) into out (same or fewer bytes);
 * returns the decoded length.  Bad escapes and lone surrogates become
 * U+FFFD; control characters become spaces, except newlines. */
static size_t unescape(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t cp;
		if (s[i] != '\\' || i + 1 >= n) {
			out[o++] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
			continue;
		}
		char e = s[++i];
		if (e == 'n') {
			out[o++] = '\n';
			continue;
		}
		if (e != 'u' || i + 4 >= n) {
			out[o++] = e == '"' || e == '\\' || e == '/' ? e : ' ';
			continue;
		}
		cp = hexval(s + i + 1);
		i += 4;
		if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < n && s[i + 1] == '\\' && s[i + 2] == 'u') {
			uint32_t lo = hexval(s + i + 3);
			if (lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i += 6;
			}
		}
		if ((cp >= 0xD800 && cp < 0xE000) || cp < 0x20)
			cp = cp < 0x20 ? ' ' : 0xFFFD;
		o += (size_t)chorus_utf8_encode(cp, out + o); /* \uXXXX (6 bytes) -> at most 4 */
	}
	return o;
}

/* Split a message into lines and sentences and offer each to the pool. */
static int split_message(synth_shared *sh, dedup *d, const char *s, size_t n)
{
	size_t a = 0;
	int rc = CHORUS_OK;

	for (size_t i = 0; rc == 0 && i <= n; i++) {
		int cut = i == n || s[i] == '\n' ||
			  (i > a && strchr(".!?", s[i - 1]) && s[i] == ' ' && s[i - 1] != '\0');
		if (!cut)
			continue;
		if (i > a)
			rc = pool_add(sh, &sh->pool[LANG_RU], d, s + a, i - a);
		a = i + 1;
	}
	return rc;
}

/* End of the JSON string whose opening quote is at s[i]; n when unclosed. */
static size_t string_end(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i;
	}
	return n;
}

static int scan_telegram(synth_shared *sh, dedup *d, char *s, size_t n)
{
	int want = 0, rc = CHORUS_OK;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')
			continue;
		if (s[i] != '"') {
			want &= s[i] == ':';
			continue;
		}
		size_t e = string_end(s, n, i), k = e + 1;
		while (k < n && (s[k] == ' ' || s[k] == '\n' || s[k] == '\r' || s[k] == '\t'))
			k++;
		if (k < n && s[k] == ':') {
			want = e - i - 1 == 4 && !memcmp(s + i + 1, "text", 4);
		} else if (want && e < n) {
			size_t m = unescape(s + i + 1, e - i - 1, s + i + 1);
			rc = split_message(sh, d, s + i + 1, m);
			want = 0;
		}
		i = e;
	}
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_json(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && !strcmp(name + n - 5, ".json");
}

/* The *.json names in dir, sorted; NULL with *n = 0 when none. */
static char **list_json(const char *dir, size_t *n)
{
	DIR *dp = opendir(dir);
	char **v = NULL;
	size_t cap = 0;
	struct dirent *e;

	*n = 0;
	if (!dp)
		return NULL;
	while ((e = readdir(dp)) != NULL) {
		if (!ends_json(e->d_name))
			continue;
		if (*n == cap) {
			char **nv = chorus_reallocarray(v, cap ? cap * 2 : 32, sizeof *nv);
			if (!nv)
				break;
			v = nv;
			cap = cap ? cap * 2 : 32;
		}
		size_t len = strlen(e->d_name);
		if (!(v[*n] = chorus_malloc(len + 1)))
			break;
		memcpy(v[(*n)++], e->d_name, len + 1);
	}
	closedir(dp);
	if (*n)
		qsort(v, *n, sizeof *v, cmp_str);
	return v;
}

static int load_telegram(synth_shared *sh, const char *dir, dedup *d)
{
	size_t n, len;
	char **names = list_json(dir, &n), path[4096];
	int rc = CHORUS_OK;

	for (size_t i = 0; i < n; i++) {
		char *buf;
		int k = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (rc == 0 && k > 0 && (size_t)k < sizeof path && (buf = slurp(path, &len)) != NULL) {
			rc = scan_telegram(sh, d, buf, len);
			chorus_free(buf);
		}
		chorus_free(names[i]);
	}
	chorus_free(names);
	return rc;
}

/* ---- public (inside synth) ---------------------------------------------- */

static void shuffle(synth_pool *pl)
{
	for (uint32_t k = pl->n; k > 1; k--) {
		uint32_t j = (uint32_t)synth_below(&pl->r, k), x = pl->perm[k - 1];
		pl->perm[k - 1] = pl->perm[j];
		pl->perm[j] = x;
	}
	pl->pos = 0;
}

static int deal_init(synth_pool *pl, uint64_t seed, int lang)
{
	pl->r = synth_rng_make(seed, STREAM_SHARED, (uint64_t)lang);
	if (!pl->n)
		return CHORUS_OK;
	if (!(pl->perm = chorus_mallocarray(pl->n, sizeof *pl->perm)))
		return CHORUS_ENOMEM;
	for (uint32_t i = 0; i < pl->n; i++)
		pl->perm[i] = i;
	shuffle(pl);
	return CHORUS_OK;
}

int synth_shared_load(synth_shared *sh, const char *dir, uint64_t seed, chorus_error *err)
{
	char path[4096];
	dedup d[2] = { { NULL, 0, 0 }, { NULL, 0, 0 } };
	int rc;

	snprintf(path, sizeof path, "%s/corpora/kazakh/kaznerd_IOB2_valid.txt", dir);
	rc = load_kaznerd(sh, path, &d[0]);
	snprintf(path, sizeof path, "%s/corpora/telegram-ru", dir);
	if (rc == 0)
		rc = load_telegram(sh, path, &d[1]);
	chorus_free(d[0].h);
	chorus_free(d[1].h);
	for (int l = 0; rc == 0 && l < SYNTH_LANGS; l++)
		rc = deal_init(&sh->pool[l], seed, l);
	if (rc) {
		chorus_error_set(err, "", 0, "synth: out of memory reading shared text");
		return rc;
	}
	sh->used = sh->pool[LANG_RU].n + sh->pool[LANG_KK].n > 0;
	if (!sh->used) {
		chorus_error_set(err, dir, 0, "no shared text (corpora/kazakh/kaznerd_IOB2_valid.txt "
				 "or corpora/telegram-ru/*.json)");
		return CHORUS_EIO;
	}
	return CHORUS_OK;
}

void synth_shared_dispose(synth_shared *sh)
{
	for (int l = 0; l < SYNTH_LANGS; l++) {
		chorus_free(sh->pool[l].s);
		chorus_free(sh->pool[l].len);
		chorus_free(sh->pool[l].perm);
	}
	chorus_arena_dispose(&sh->arena);
}

/* Share (per mille) of a language's organic posts that use the pool: at
 * most half, and few enough that the pool lasts about four days a pass
 * (a post takes about two sentences). */
void synth_shared_budget(synth_shared *sh, const synth_plan *p)
{
	uint64_t organic[SYNTH_LANGS] = { 0 };

	for (size_t i = 0; i < p->npost; i++)
		if (p->post[i].kind == KIND_ORGANIC)
			organic[p->post[i].lang]++;
	for (int l = 0; l < SYNTH_LANGS; l++) {
		uint64_t want = organic[l] * 2 * 4, have = (uint64_t)sh->pool[l].n * p->o.days;
		uint64_t pm = want ? have * 1000 / want : 0;
		sh->pool[l].per_mille = (uint32_t)(pm > 500 ? 500 : pm);
	}
}

const char *synth_shared_next(synth_pool *pl, size_t *len)
{
	uint32_t k;

	if (pl->pos == pl->n)
		shuffle(pl);
	k = pl->perm[pl->pos++];
	*len = pl->len[k];
	return pl->s[k];
}
