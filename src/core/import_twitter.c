/*
 * import_twitter.c - Twitter/X archives: API v1.1 tweets (one per line, as
 * twarc 1 writes them) and API v2 / twarc2 output (one response page per
 * line, or flattened tweets with "author" expanded).
 *
 * Field mapping (the raw line is kept as evidence by its SHA-256):
 *   v1.1  id_str (else id), user.id_str, user.screen_name, text from
 *         extended_tweet.full_text, full_text or text, created_at
 *         ("Wed Oct 10 20:19:24 +0000 2018"), user.created_at, lang,
 *         retweeted_status.id_str (a repost), in_reply_to_status_id_str;
 *   v2    data[] tweets with includes.users[] for handles (a page), or one
 *         tweet per line (flat): id, author_id, author.username, text
 *         (note_tweet.text when longer), created_at (RFC 3339), lang,
 *         referenced_tweets[] type "retweeted" (a repost) and "replied_to".
 * A page yields one post per tweet; a page or line holding only an API
 * error object is a bad record named by the error's title.
 * Cost: one jansson parse and one SHA-256 per line.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "chorus/sha256.h"
#include "chorus/timeutil.h"
#include "import_int.h"

#define LOAD_FLAGS (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)

typedef struct line_ctx {
	const char *source;
	uint64_t line;
	char sha[CHORUS_SHA256_HEX];
	char lineno[24];
	chorus_arena *strings;
	char *msg;
} line_ctx;

/* ---- small helpers ---- */

static const char *str_at(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

/* A string field, or an integer field printed (ids). */
static const char *id_at(const json_t *o, const char *key, char buf[24])
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v)) {
		snprintf(buf, 24, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	return str_at(o, key);
}

static const char *path_str(const json_t *o, const char *a, const char *b)
{
	return str_at(json_object_get(o, a), b);
}

static int set(chorus_arena *a, chorus_str *s, const char *v)
{
	return chorus_import_str(a, s, v, v ? strlen(v) : 0);
}

static int month_of(const char *m)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	for (int k = 0; k < 12; k++)
		if (!memcmp(names + 3 * k, m, 3))
			return k + 1;
	return 0;
}

static int num(const char *s, int n, int *out)
{
	int v = 0;

	for (int k = 0; k < n; k++) {
		if (s[k] < '0' || s[k] > '9')
			return -1;
		v = v * 10 + (s[k] - '0');
	}
	*out = v;
	return 0;
}

/* "Wed Oct 10 20:19:24 +0000 2018" (v1.1) as UTC ns; -1 when malformed. */
int chorus_twitter_time(const char *s, int64_t *ns)
{
	int d, h, mi, se, oh, om, y, mon;
	int64_t t;

	if (!s || strlen(s) != 30 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' ||
	    s[13] != ':' || s[16] != ':' || s[19] != ' ' || (s[20] != '+' && s[20] != '-') ||
	    s[25] != ' ')
		return -1;
	mon = month_of(s + 4);
	if (!mon || num(s + 8, 2, &d) || num(s + 11, 2, &h) || num(s + 14, 2, &mi) ||
	    num(s + 17, 2, &se) || num(s + 21, 2, &oh) || num(s + 23, 2, &om) ||
	    num(s + 26, 4, &y))
		return -1;
	if (d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || oh > 23 || om > 59)
		return -1;
	t = chorus_days_from_civil(y, (unsigned)mon, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
	t -= (s[20] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	if (t > INT64_MAX / CHORUS_NS_PER_SEC || t < INT64_MIN / CHORUS_NS_PER_SEC)
		return -1; /* outside 1678..2261 */
	*ns = t * CHORUS_NS_PER_SEC;
	return 0;
}

/* ---- one tweet ---- */

typedef struct tweet {
	const char *id, *author, *handle, *text, *lang, *repost_of, *reply_to, *url;
	int64_t created_at, author_created_at;
} tweet;

static int add_post(line_ctx *lc, const tweet *t, chorus_post *p)
{
	chorus_post_extra *x = chorus_arena_alloc(lc->strings, sizeof *x);
	int rc;

	if (!x)
		return CHORUS_ENOMEM;
	memset(p, 0, sizeof *p);
	memset(x, 0, sizeof *x);
	rc = set(lc->strings, &p->id, t->id);
	rc = rc ? rc : set(lc->strings, &p->author, t->author);
	rc = rc ? rc : set(lc->strings, &p->text, t->text);
	rc = rc ? rc : set(lc->strings, &x->platform, "twitter");
	rc = rc ? rc : set(lc->strings, &x->url, t->url);
	rc = rc ? rc : set(lc->strings, &x->lang, t->lang);
	rc = rc ? rc : set(lc->strings, &x->repost_of, t->repost_of);
	rc = rc ? rc : set(lc->strings, &x->reply_to, t->reply_to);
	rc = rc ? rc : set(lc->strings, &x->author_handle, t->handle);
	rc = rc ? rc : set(lc->strings, &x->source, lc->source);
	rc = rc ? rc : set(lc->strings, &x->source_line, lc->lineno);
	rc = rc ? rc : set(lc->strings, &x->raw_sha256, lc->sha);
	if (rc)
		return rc;
	x->author_created_at = t->author_created_at;
	x->server_time = CHORUS_TIME_NONE; /* Twitter's created_at is the server's */
	p->created_at = t->created_at;
	p->extra = x;
	if (t->repost_of)
		p->flags |= CHORUS_POST_REPOST;
	return 0;
}

static int need(line_ctx *lc, const tweet *t)
{
	const char *miss = !t->id ? "id" : !t->author ? "author id" : !t->text ? "text" : NULL;

	if (miss) {
		snprintf(lc->msg, CHORUS_ERROR_TEXT, "tweet without %s", miss);
		return CHORUS_EINPUT;
	}
	return 0;
}

static int v1_tweet(line_ctx *lc, const json_t *o, chorus_post *p)
{
	const json_t *user = json_object_get(o, "user");
	char idb[24], ub[24], url[160];
	tweet t = { 0 };
	int rc;

	t.id = id_at(o, "id_str", idb);
	if (!t.id)
		t.id = id_at(o, "id", idb);
	t.author = id_at(user, "id_str", ub);
	if (!t.author)
		t.author = id_at(user, "id", ub);
	t.handle = str_at(user, "screen_name");
	t.text = path_str(o, "extended_tweet", "full_text");
	if (!t.text)
		t.text = str_at(o, "full_text");
	if (!t.text)
		t.text = str_at(o, "text");
	t.lang = str_at(o, "lang");
	t.repost_of = path_str(o, "retweeted_status", "id_str");
	t.reply_to = str_at(o, "in_reply_to_status_id_str");
	if ((rc = need(lc, &t)) != 0)
		return rc;
	if (chorus_twitter_time(str_at(o, "created_at"), &t.created_at) != 0) {
		snprintf(lc->msg, CHORUS_ERROR_TEXT,
			 "tweet %s: \"created_at\" is not a Twitter time", t.id);
		return CHORUS_EINPUT;
	}
	if (chorus_twitter_time(str_at(user, "created_at"), &t.author_created_at) != 0)
		t.author_created_at = CHORUS_TIME_NONE;
	if (t.handle) {
		snprintf(url, sizeof url, "https://twitter.com/%.60s/status/%.40s", t.handle, t.id);
		t.url = url;
	}
	return add_post(lc, &t, p);
}

/* The handle and account creation of author id in a page's includes. */
static const json_t *page_user(const json_t *users, const char *id)
{
	size_t k;
	const json_t *u;

	if (!id)
		return NULL;
	json_array_foreach(users, k, u) {
		const char *uid = str_at(u, "id");
		if (uid && !strcmp(uid, id))
			return u;
	}
	return NULL;
}

static void v2_refs(const json_t *o, tweet *t)
{
	size_t k;
	const json_t *r;

	json_array_foreach(json_object_get(o, "referenced_tweets"), k, r) {
		const char *type = str_at(r, "type");
		if (type && !strcmp(type, "retweeted"))
			t->repost_of = str_at(r, "id");
		else if (type && !strcmp(type, "replied_to"))
			t->reply_to = str_at(r, "id");
	}
}

static int v2_tweet(line_ctx *lc, const json_t *o, const json_t *users, chorus_post *p)
{
	const json_t *author = json_object_get(o, "author");
	const json_t *u;
	char url[160];
	tweet t = { 0 };
	int rc;

	t.id = str_at(o, "id");
	t.author = str_at(o, "author_id");
	u = json_is_object(author) ? author : page_user(users, t.author);
	t.handle = str_at(u, "username");
	t.text = path_str(o, "note_tweet", "text");
	if (!t.text)
		t.text = str_at(o, "text");
	t.lang = str_at(o, "lang");
	v2_refs(o, &t);
	if ((rc = need(lc, &t)) != 0)
		return rc;
	{
		const char *c = str_at(o, "created_at");
		if (!c || chorus_time_parse_rfc3339(c, strlen(c), &t.created_at) != 0) {
			snprintf(lc->msg, CHORUS_ERROR_TEXT,
				 "tweet %s: \"created_at\" is not an RFC 3339 time", t.id);
			return CHORUS_EINPUT;
		}
		c = str_at(u, "created_at");
		if (!c || chorus_time_parse_rfc3339(c, strlen(c), &t.author_created_at) != 0)
			t.author_created_at = CHORUS_TIME_NONE;
	}
	if (t.handle) {
		snprintf(url, sizeof url, "https://twitter.com/%.60s/status/%.40s", t.handle, t.id);
		t.url = url;
	}
	return add_post(lc, &t, p);
}

/* An API error object ({"errors": [...]} or {"title", "detail"}) as a
 * message; 1 when the object is one. */
static int api_error(const json_t *o, char *msg)
{
	const json_t *e = json_array_get(json_object_get(o, "errors"), 0);
	const char *title;

	if (json_object_get(o, "data"))
		return 0;
	if (!e && str_at(o, "title") && !json_object_get(o, "id") && !json_object_get(o, "id_str"))
		e = o;
	if (!e)
		return 0;
	title = str_at(e, "title");
	if (!title)
		title = str_at(e, "message");
	snprintf(msg, CHORUS_ERROR_TEXT, "an API error object, not a tweet: %.200s",
		 title ? title : "(no title)");
	return 1;
}

static int v2_page(line_ctx *lc, const json_t *o, chorus_arena *scratch, chorus_post **posts,
		   size_t *n)
{
	const json_t *data = json_object_get(o, "data");
	const json_t *users = json_object_get(json_object_get(o, "includes"), "users");
	size_t count = json_array_size(data), k;
	const json_t *tw;
	chorus_post *out;

	if (json_is_object(data)) {
		count = 1; /* a single-tweet lookup */
	} else if (!json_is_array(data)) {
		snprintf(lc->msg, CHORUS_ERROR_TEXT, "page without \"data\"");
		return CHORUS_EINPUT;
	}
	out = chorus_arena_alloc(scratch, (count ? count : 1) * sizeof *out);
	if (!out)
		return CHORUS_ENOMEM;
	*posts = out;
	*n = 0;
	if (json_is_object(data)) {
		int rc = v2_tweet(lc, data, users, out);
		*n = rc == 0;
		return rc;
	}
	json_array_foreach(data, k, tw) {
		int rc = v2_tweet(lc, tw, users, &out[*n]);
		if (rc)
			return rc;
		++*n;
	}
	return 0;
}

int chorus_twitter_parse_line(int format, const char *p, size_t len, const char *source,
			      uint64_t line, chorus_arena *strings, chorus_arena *scratch,
			      chorus_post **posts, size_t *n, char msg[CHORUS_ERROR_TEXT])
{
	line_ctx lc = { source, line, "", "", strings, msg };
	json_error_t je;
	json_t *o = json_loadb(p, len, LOAD_FLAGS, &je);
	int rc;

	*n = 0;
	if (!o) {
		chorus_import_json_error(p, len, &je, msg);
		return CHORUS_EINPUT;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		snprintf(msg, CHORUS_ERROR_TEXT, "not a JSON object");
		return CHORUS_EINPUT;
	}
	if (api_error(o, msg)) {
		json_decref(o);
		return CHORUS_EINPUT;
	}
	chorus_sha256_hex(p, len, lc.sha);
	snprintf(lc.lineno, sizeof lc.lineno, "%llu", (unsigned long long)line);
	if (format == CHORUS_FORMAT_TWITTER_V2 && json_object_get(o, "data")) {
		rc = v2_page(&lc, o, scratch, posts, n);
	} else {
		chorus_post *one = chorus_arena_alloc(scratch, sizeof *one);
		rc = !one ? CHORUS_ENOMEM
			  : format == CHORUS_FORMAT_TWITTER_V1 ? v1_tweet(&lc, o, one)
							       : v2_tweet(&lc, o, NULL, one);
		if (rc == 0) {
			*posts = one;
			*n = 1;
		}
	}
	json_decref(o);
	if (rc)
		*n = 0;
	return rc;
}
