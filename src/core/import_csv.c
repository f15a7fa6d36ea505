/*
 * import_csv.c - CSV archives: the Twitter Information Operations archive,
 * the FiveThirtyEight/Clemson IRA tweets, the coordination-network-toolkit
 * 8-column CSV, and any CSV with a header through a column map.
 *
 * Records (RFC 4180): fields separated by commas; a field in double quotes
 * may hold commas, line breaks and doubled quotes ("").  A record whose
 * quotes are still open at the end of a line goes on with the next line
 * (joined by '\n'); at most max_record bytes are gathered, a longer record
 * is reported and skipped.  The first record is the header.  Memory: one
 * record and its fields.
 *
 * Mapping (columns found by header name, except the toolkit's, by position):
 *   twitter-io  tweetid, userid, user_screen_name, tweet_text, tweet_time
 *               ("YYYY-MM-DD HH:MM", UTC), account_creation_date,
 *               tweet_language, is_retweet + retweet_tweetid (a repost),
 *               in_reply_to_tweetid.  List columns (hashtags, urls,
 *               user_mentions: Python-style ['a', 'b']) are not needed:
 *               the text holds them.
 *   ira         tweet_id (else alt_external_id), external_author_id,
 *               author (handle), content, publish_date ("M/D/YYYY H:MM",
 *               UTC), language; retweet = 1 or post_type RETWEET makes a
 *               repost of an unknown original ("unknown").
 *   cnt         message_id, user_id, username, repost_id, reply_id,
 *               message, timestamp (epoch seconds), urls, in this order.
 *   csv         --map id=COL,author=COL,text=COL,created_at=COL[,handle=COL]
 *               [,repost_of=COL][,reply_to=COL][,lang=COL][,url=COL]; times
 *               as RFC 3339, "YYYY-MM-DD HH:MM[:SS]" (UTC) or epoch seconds.
 * Every post keeps the record's line and the SHA-256 of its bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/sha256.h"
#include "chorus/timeutil.h"
#include "chorus/utf8.h"
#include "corpus_int.h"
#include "import_int.h"

#define MAX_FIELDS 256

enum { C_ID, C_AUTHOR, C_HANDLE, C_TEXT, C_TIME, C_REPOST, C_REPLY, C_LANG, C_URL,
       C_IS_RETWEET, C_AUTHOR_CREATED, C_ALT_ID, C_POST_TYPE, C_COUNT };

static const char *const map_names[C_COUNT] = {
	"id", "author", "handle", "text", "created_at", "repost_of", "reply_to", "lang", "url",
	NULL, NULL, NULL, NULL
};

typedef struct csv {
	chorus_doc_sink *k;
	int format;
	chorus_buf rec;      /* the record's bytes, lines joined by '\n' */
	chorus_buf fbuf;     /* unquoted fields, NUL-separated */
	size_t off[MAX_FIELDS], len[MAX_FIELDS], nf;
	int col[C_COUNT];    /* field index of each column, -1 when absent */
	int have_header;
	uint64_t rec_line;
	int open;            /* the record's quotes are open at the end of a line */
	int too_long;
	const char *map;
} csv;

/* ---- fields ---- */

static int split_fields(csv *c)
{
	const char *p = c->rec.data ? c->rec.data : "";
	const size_t n = c->rec.len;
	size_t i = 0;

	chorus_buf_reset(&c->fbuf);
	c->nf = 0;
	for (;;) {
		if (c->nf == MAX_FIELDS)
			return -1;
		c->off[c->nf] = c->fbuf.len;
		if (i < n && p[i] == '"') {
			for (i++; i < n; i++) {
				if (p[i] == '"' && i + 1 < n && p[i + 1] == '"')
					i++;
				else if (p[i] == '"')
					break;
				if (chorus_buf_putc(&c->fbuf, p[i]))
					return -2;
			}
			if (i >= n)
				return -1; /* unterminated quote */
			i++;
			if (i < n && p[i] != ',')
				return -1; /* text after a closing quote */
		} else {
			size_t start = i;
			while (i < n && p[i] != ',')
				i++;
			if (memchr(p + start, '"', i - start))
				return -1; /* a quote inside an unquoted field */
			if (chorus_buf_append(&c->fbuf, p + start, i - start))
				return -2;
		}
		c->len[c->nf] = c->fbuf.len - c->off[c->nf];
		if (chorus_buf_putc(&c->fbuf, '\0'))
			return -2;
		c->nf++;
		if (i >= n)
			return 0;
		i++; /* the comma */
	}
}

static const char *field(const csv *c, int which)
{
	const int f = c->col[which];

	if (f < 0 || (size_t)f >= c->nf || c->len[f] == 0)
		return NULL;
	return c->fbuf.data + c->off[f];
}

static int header_index(const csv *c, const char *name)
{
	for (size_t f = 0; f < c->nf; f++)
		if (!strcmp(c->fbuf.data + c->off[f], name))
			return (int)f;
	return -1;
}

/* Columns from the header; -1 with msg when a needed one is missing. */
static int read_header(csv *c, char *msg)
{
	static const char *const io[C_COUNT] = {
		"tweetid", "userid", "user_screen_name", "tweet_text", "tweet_time",
		"retweet_tweetid", "in_reply_to_tweetid", "tweet_language", NULL, "is_retweet",
		"account_creation_date", NULL, NULL
	};
	static const char *const ira[C_COUNT] = {
		"tweet_id", "external_author_id", "author", "content", "publish_date", NULL, NULL,
		"language", NULL, "retweet", NULL, "alt_external_id", "post_type"
	};
	const char *const *names = c->format == CHORUS_FORMAT_TWITTER_IO ? io : ira;

	for (int k = 0; k < C_COUNT; k++)
		c->col[k] = -1;
	if (c->format == CHORUS_FORMAT_CNT) {
		static const int pos[] = { C_ID, C_AUTHOR, C_HANDLE, C_REPOST, C_REPLY, C_TEXT, C_TIME };
		if (c->nf < 7) {
			snprintf(msg, CHORUS_ERROR_TEXT, "header has %zu columns; the toolkit's CSV has 8",
				 c->nf);
			return -1;
		}
		for (int k = 0; k < 7; k++)
			c->col[pos[k]] = k;
		return 0;
	}
	if (c->format == CHORUS_FORMAT_CSV)
		return chorus_csv_apply_map(c->map, c->fbuf.data, c->off, c->nf, c->col, msg);
	for (int k = 0; k < C_COUNT; k++)
		if (names[k])
			c->col[k] = header_index(c, names[k]);
	if (c->col[C_ID] < 0 && c->col[C_ALT_ID] >= 0)
		c->col[C_ID] = c->col[C_ALT_ID];
	for (int k = C_ID; k <= C_TIME; k++) {
		if (k != C_HANDLE && c->col[k] < 0) {
			snprintf(msg, CHORUS_ERROR_TEXT, "header has no \"%s\" column", names[k]);
			return -1;
		}
	}
	return 0;
}

/* ---- times ---- */

static int digits(const char *s, size_t *i, int min, int max, int *out)
{
	int v = 0, n = 0;

	while (s[*i] >= '0' && s[*i] <= '9' && n < max) {
		v = v * 10 + (s[(*i)++] - '0');
		n++;
	}
	*out = v;
	return n >= min ? 0 : -1;
}

/* "YYYY-MM-DD HH:MM[:SS]" or "M/D/YYYY H:MM[:SS]", UTC. */
static int table_time(const char *s, int64_t *ns)
{
	size_t i = 0;
	int y, mo, d, h, mi, se = 0;
	int64_t t;

	if (strchr(s, '/')) {
		if (digits(s, &i, 1, 2, &mo) || s[i++] != '/' || digits(s, &i, 1, 2, &d) ||
		    s[i++] != '/' || digits(s, &i, 4, 4, &y))
			return -1;
	} else if (digits(s, &i, 4, 4, &y) || s[i++] != '-' || digits(s, &i, 2, 2, &mo) ||
		   s[i++] != '-' || digits(s, &i, 2, 2, &d)) {
		return -1;
	}
	if (s[i] == '\0') {
		h = mi = 0; /* a date alone */
	} else if (s[i++] != ' ' || digits(s, &i, 1, 2, &h) || s[i++] != ':' ||
		   digits(s, &i, 2, 2, &mi) || (s[i] == ':' && (i++, digits(s, &i, 2, 2, &se))) ||
		   s[i] != '\0') {
		return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	t = chorus_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
	if (t > INT64_MAX / CHORUS_NS_PER_SEC || t < INT64_MIN / CHORUS_NS_PER_SEC)
		return -1; /* outside 1678..2261 */
	*ns = t * CHORUS_NS_PER_SEC;
	return 0;
}

int chorus_csv_time(const char *s, int64_t *ns)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	if (chorus_time_parse_rfc3339(s, strlen(s), ns) == 0 || table_time(s, ns) == 0)
		return 0;
	v = strtoll(s, &end, 10);
	if (*end || v > INT64_MAX / CHORUS_NS_PER_SEC || v < INT64_MIN / CHORUS_NS_PER_SEC)
		return -1;
	*ns = v * CHORUS_NS_PER_SEC;
	return 0;
}

/* ---- one record ---- */

static int set(chorus_arena *a, chorus_str *s, const char *v)
{
	return chorus_import_str(a, s, v, v ? strlen(v) : 0);
}

static int is_true(const char *v)
{
	return v && (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "True") ||
		     !strcmp(v, "TRUE"));
}

static int push(csv *c, char *msg)
{
	chorus_arena *a = c->k->strings;
	const char *repost = field(c, C_REPOST), *platform;
	chorus_post_extra *x;
	char lineno[24], sha[CHORUS_SHA256_HEX];
	chorus_post p;
	int rc;

	memset(&p, 0, sizeof p);
	if (!field(c, C_ID) || !field(c, C_AUTHOR) || !field(c, C_TEXT)) {
		snprintf(msg, CHORUS_ERROR_TEXT, "empty %s", !field(c, C_ID) ? "id"
			 : !field(c, C_AUTHOR) ? "author" : "text");
		return -1;
	}
	if (chorus_csv_time(field(c, C_TIME), &p.created_at) != 0) {
		snprintf(msg, CHORUS_ERROR_TEXT, "post %.100s: time '%.40s' not understood",
			 field(c, C_ID), field(c, C_TIME) ? field(c, C_TIME) : "");
		return -1;
	}
	if (c->format == CHORUS_FORMAT_TWITTER_IO && !is_true(field(c, C_IS_RETWEET)))
		repost = NULL;
	if (c->format == CHORUS_FORMAT_IRA)
		repost = is_true(field(c, C_IS_RETWEET)) ||
				 (field(c, C_POST_TYPE) && !strcmp(field(c, C_POST_TYPE), "RETWEET"))
			 ? "unknown" : NULL;
	platform = c->format == CHORUS_FORMAT_CSV || c->format == CHORUS_FORMAT_CNT ? NULL
		   : "twitter";
	x = chorus_arena_alloc(a, sizeof *x);
	if (!x)
		return -2;
	memset(x, 0, sizeof *x);
	snprintf(lineno, sizeof lineno, "%llu", (unsigned long long)c->rec_line);
	chorus_sha256_hex(c->rec.data ? c->rec.data : "", c->rec.len, sha);
	rc = set(a, &p.id, field(c, C_ID));
	rc = rc ? rc : set(a, &p.author, field(c, C_AUTHOR));
	rc = rc ? rc : set(a, &p.text, field(c, C_TEXT));
	rc = rc ? rc : set(a, &x->platform, platform);
	rc = rc ? rc : set(a, &x->url, field(c, C_URL));
	rc = rc ? rc : set(a, &x->lang, field(c, C_LANG));
	rc = rc ? rc : set(a, &x->repost_of, repost);
	rc = rc ? rc : set(a, &x->reply_to, field(c, C_REPLY));
	rc = rc ? rc : set(a, &x->author_handle, field(c, C_HANDLE));
	rc = rc ? rc : set(a, &x->source, c->k->st->path);
	rc = rc ? rc : set(a, &x->source_line, lineno);
	rc = rc ? rc : set(a, &x->raw_sha256, sha);
	rc = rc ? rc : chorus_corpus_reserve(c->k->c, 1, c->k->err);
	if (rc)
		return -2;
	if (chorus_csv_time(field(c, C_AUTHOR_CREATED), &x->author_created_at) != 0)
		x->author_created_at = CHORUS_TIME_NONE;
	x->server_time = CHORUS_TIME_NONE;
	p.extra = x;
	p.line = c->rec_line;
	p.input = c->k->input;
	if (repost)
		p.flags |= CHORUS_POST_REPOST;
	chorus_corpus_push(c->k->c, &p);
	c->k->st->records++;
	c->k->st->reposts += repost != NULL;
	return 0;
}

/* A complete record: the header, or a post.  0, or the sink's verdict. */
static int record(csv *c)
{
	char msg[CHORUS_ERROR_TEXT];
	int rc;

	if (c->too_long) {
		snprintf(msg, sizeof msg, "record too long (over the %zu limit)", c->k->max_record);
		return c->k->bad(c->k->ud, c->rec_line, msg);
	}
	{
		const char *nul = c->rec.len ? memchr(c->rec.data, '\0', c->rec.len) : NULL;
		size_t badb;
		if (nul || (c->rec.len && !chorus_utf8_valid(c->rec.data, c->rec.len, &badb))) {
			if (nul)
				snprintf(msg, sizeof msg, "NUL byte at byte %zu",
					 (size_t)(nul - c->rec.data) + 1);
			else
				snprintf(msg, sizeof msg, "invalid UTF-8 at byte %zu", badb + 1);
			if (c->have_header)
				return c->k->bad(c->k->ud, c->rec_line, msg);
			chorus_error_set(c->k->err, c->k->st->path, c->rec_line, "header: %s", msg);
			return CHORUS_EUSAGE;
		}
	}
	rc = split_fields(c);
	if (rc == -2)
		return CHORUS_ENOMEM;
	if (rc) {
		snprintf(msg, sizeof msg, "not a CSV record (a stray quote, or over %d fields)",
			 MAX_FIELDS);
		if (c->have_header)
			return c->k->bad(c->k->ud, c->rec_line, msg);
		chorus_error_set(c->k->err, c->k->st->path, c->rec_line, "header: %s", msg);
		return CHORUS_EUSAGE; /* no columns: the file is not in this format */
	}
	if (!c->have_header) {
		if (read_header(c, msg) != 0) {
			/* without its columns nothing can be read: the format or the
			 * map given does not fit this file */
			chorus_error_set(c->k->err, c->k->st->path, c->rec_line, "%s", msg);
			return CHORUS_EUSAGE;
		}
		c->have_header = 1;
		return 0;
	}
	rc = push(c, msg);
	if (rc == -2)
		return CHORUS_ENOMEM;
	return rc ? c->k->bad(c->k->ud, c->rec_line, msg) : 0;
}

/* Quotes in p[0..n) flip the open state (a doubled quote flips it twice). */
static int quotes_odd(const char *p, size_t n)
{
	size_t q = 0;

	for (const char *s = p; (s = memchr(s, '"', n - (size_t)(s - p))) != NULL; s++)
		q++;
	return (int)(q & 1);
}

static int feed_line(csv *c, const chorus_line *l)
{
	if (!c->open) {
		chorus_buf_reset(&c->rec);
		c->rec_line = l->no;
		c->too_long = 0;
	} else if (!c->too_long && chorus_buf_putc(&c->rec, '\n')) {
		c->too_long = 1;
	}
	if (!l->p) {
		c->too_long = 1; /* its quotes are unknown: assume it closes the record */
		c->open = 0;
		return record(c);
	}
	if (!c->too_long && chorus_buf_append(&c->rec, l->p, l->len))
		c->too_long = 1;
	if (quotes_odd(l->p, l->len))
		c->open = !c->open;
	if (c->open || (!c->have_header && l->len == 0))
		return 0;
	if (c->rec.len == 0 && !c->too_long)
		return 0; /* a blank line between records */
	return record(c);
}

int chorus_csv_read(chorus_doc_sink *k, int format, const char *map, const chorus_batch *first)
{
	csv c;
	chorus_batch b = *first;
	int rc = 0;

	memset(&c, 0, sizeof c);
	c.k = k;
	c.format = format;
	c.map = map;
	chorus_buf_init(&c.rec, k->max_record);
	chorus_buf_init(&c.fbuf, k->max_record + MAX_FIELDS);
	while (rc == 0 && b.n > 0) {
		for (size_t i = 0; rc == 0 && i < b.n; i++) {
			k->st->lines++;
			rc = feed_line(&c, &b.lines[i]);
		}
		if (rc == 0)
			rc = chorus_input_next(k->in, &b, k->err);
	}
	if (rc == 0 && c.open) {
		char msg[CHORUS_ERROR_TEXT];
		snprintf(msg, sizeof msg, "a quoted field is still open at the end of the file");
		rc = k->bad(k->ud, c.rec_line, msg);
	}
	chorus_buf_dispose(&c.rec);
	chorus_buf_dispose(&c.fbuf);
	return rc;
}

/* --map: "name=COL,..." against the header fields; col[] by C_ index. */
int chorus_csv_apply_map(const char *map, const char *fields, const size_t *off, size_t nf,
			 int *col, char *msg)
{
	const char *p = map;

	if (!map || !*map) {
		snprintf(msg, CHORUS_ERROR_TEXT,
			 "generic CSV needs --map id=COL,author=COL,text=COL,created_at=COL");
		return -1;
	}
	while (*p) {
		const char *eq = strchr(p, '='), *end = strchr(p, ',');
		size_t nl, vl;
		int k, f = -1;
		if (!end)
			end = p + strlen(p);
		if (!eq || eq > end) {
			snprintf(msg, CHORUS_ERROR_TEXT, "--map: '%.*s' is not name=COLUMN",
				 (int)(end - p), p);
			return -1;
		}
		nl = (size_t)(eq - p);
		vl = (size_t)(end - eq - 1);
		for (k = 0; k < C_COUNT; k++)
			if (map_names[k] && strlen(map_names[k]) == nl && !memcmp(map_names[k], p, nl))
				break;
		if (k == C_COUNT) {
			snprintf(msg, CHORUS_ERROR_TEXT, "--map: unknown field '%.*s' (id, author, "
				 "text, created_at, handle, repost_of, reply_to, lang, url)", (int)nl, p);
			return -1;
		}
		for (size_t j = 0; j < nf; j++)
			if (strlen(fields + off[j]) == vl && !memcmp(fields + off[j], eq + 1, vl))
				f = (int)j;
		if (f < 0) {
			snprintf(msg, CHORUS_ERROR_TEXT, "--map: the header has no column '%.*s'",
				 (int)vl, eq + 1);
			return -1;
		}
		col[k] = f;
		p = *end ? end + 1 : end;
	}
	for (int k = C_ID; k <= C_TIME; k++) {
		if (k != C_HANDLE && col[k] < 0) {
			snprintf(msg, CHORUS_ERROR_TEXT, "--map has no %s=COLUMN", map_names[k]);
			return -1;
		}
	}
	return 0;
}
