/*
 * import_doc.c - document formats: Telegram Desktop exports, Mastodon
 * statuses, Bluesky post views and feeds.  The splitter (import_split.c)
 * cuts the document into records as it streams; each record is parsed by
 * jansson and mapped to a post.  The record's bytes, as read, are its
 * evidence (SHA-256); its line is the line its '{' is on.
 *
 * Mapping:
 *   Telegram  one message of "messages" (single chat, or every chat of a
 *             full-account export under chats.list): id "CHAT:ID" (message
 *             ids are per chat), author from_id (else actor_id), handle
 *             from (the display name), text a string or an array of
 *             strings and {"type", "text"} parts joined, time from
 *             date_unixtime (date is local time without an offset and is
 *             not used), forwarded_from a repost, reply_to_message_id.
 *             Service messages (type "service") are not posts: counted as
 *             ignored.
 *   Mastodon  a status: id its uri (global; the instance-local id is in
 *             url), author account.url (else account.acct), handle
 *             account.acct, text the HTML content with tags stripped
 *             (<br> and </p> become line breaks, entities decoded), a
 *             reblog a repost of reblog.uri, in_reply_to_id, language.
 *   Bluesky   a post view, or a feed item {"post", "reason"}: id the at://
 *             uri, author author.did, handle author.handle, text
 *             record.text, created_at record.createdAt (client-declared)
 *             and server_time indexedAt (server-observed); a repost reason
 *             makes a repost by reason.by at reason.indexedAt.
 * Cost: the splitter looks at every byte once; one jansson parse and one
 * SHA-256 per record.  Single-threaded.
 *
 * The markup formats (RSS / Atom feeds, Telegram preview pages) are read by
 * import_web.c; chorus_doc_read hands them over.  The HTML-to-text helper
 * here serves Mastodon and the feeds' escaped HTML alike.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/sha256.h"
#include "chorus/timeutil.h"
#include "chorus/utf8.h"
#include "corpus_int.h"
#include "import_int.h"

typedef struct doc {
	chorus_doc_sink *k;
	int format;
	chorus_buf text;   /* assembled text (Telegram parts, Mastodon HTML) */
	int stop;          /* a fatal error was returned */
} doc;

int chorus_format_is_doc(int format)
{
	return format == CHORUS_FORMAT_TELEGRAM || format == CHORUS_FORMAT_MASTODON ||
	       format == CHORUS_FORMAT_BLUESKY || format == CHORUS_FORMAT_FEED ||
	       format == CHORUS_FORMAT_TELEGRAM_WEB;
}

static const char *str_at(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

#define SET(field, v) chorus_import_str(a, &(field), (v), (v) ? strlen(v) : 0)

int chorus_doc_push(chorus_doc_sink *k, const chorus_doc_fields *f, uint64_t line,
		    const char *sha)
{
	chorus_arena *a = k->strings;
	chorus_post_extra *x = chorus_arena_alloc(a, sizeof *x);
	char lineno[24];
	chorus_post p;
	int rc;

	if (!x)
		return CHORUS_ENOMEM;
	memset(&p, 0, sizeof p);
	memset(x, 0, sizeof *x);
	snprintf(lineno, sizeof lineno, "%llu", (unsigned long long)line);
	rc = SET(p.id, f->id);
	rc = rc ? rc : SET(p.author, f->author);
	rc = rc ? rc : chorus_import_str(a, &p.text, f->text, f->text_len);
	rc = rc ? rc : SET(x->platform, f->platform);
	rc = rc ? rc : SET(x->url, f->url);
	rc = rc ? rc : SET(x->lang, f->lang);
	rc = rc ? rc : SET(x->repost_of, f->repost_of);
	rc = rc ? rc : SET(x->reply_to, f->reply_to);
	rc = rc ? rc : SET(x->author_handle, f->handle);
	rc = rc ? rc : SET(x->source, k->st->path);
	rc = rc ? rc : chorus_import_str(a, &x->source_line, lineno, strlen(lineno));
	rc = rc ? rc : chorus_import_str(a, &x->raw_sha256, sha, strlen(sha));
	rc = rc ? rc : chorus_corpus_reserve(k->c, 1, k->err);
	if (rc)
		return rc;
	x->author_created_at = CHORUS_TIME_NONE;
	x->server_time = f->server_time;
	p.created_at = f->created_at;
	p.extra = x;
	p.line = line;
	p.input = k->input;
	if (f->repost_of)
		p.flags |= CHORUS_POST_REPOST;
	chorus_corpus_push(k->c, &p);
	k->st->records++;
	k->st->reposts += f->repost_of != NULL;
	return 0;
}

static int rfc3339(const char *s, int64_t *ns)
{
	return s && chorus_time_parse_rfc3339(s, strlen(s), ns) == 0 ? 0 : -1;
}

/* ---- Telegram ---- */

/* text: a string, or an array of strings and {"text": ...} parts. */
static int telegram_text(doc *d, const json_t *t)
{
	size_t k;
	const json_t *part;

	chorus_buf_reset(&d->text);
	if (json_is_string(t))
		return chorus_buf_append(&d->text, json_string_value(t), json_string_length(t));
	json_array_foreach(t, k, part) {
		const json_t *s = json_is_string(part) ? part : json_object_get(part, "text");
		if (json_is_string(s) &&
		    chorus_buf_append(&d->text, json_string_value(s), json_string_length(s)))
			return CHORUS_ENOMEM;
	}
	return 0;
}

static int telegram(doc *d, const json_t *o, const char *ctx, chorus_doc_fields *f, char *msg,
		    char *idbuf, size_t idcap, char *ref, size_t refcap)
{
	const json_t *id = json_object_get(o, "id"), *ts = json_object_get(o, "date_unixtime");
	const json_t *reply = json_object_get(o, "reply_to_message_id");
	const char *type = str_at(o, "type");
	char *end;
	long long secs;

	if (type && strcmp(type, "message") != 0)
		return 1; /* a service message: not a post */
	if (!json_is_integer(id)) {
		snprintf(msg, CHORUS_ERROR_TEXT, "message without an integer \"id\"");
		return -1;
	}
	snprintf(idbuf, idcap, "%s%s%" JSON_INTEGER_FORMAT, ctx, ctx[0] ? ":" : "",
		 json_integer_value(id));
	f->id = idbuf;
	f->author = str_at(o, "from_id");
	if (!f->author)
		f->author = str_at(o, "actor_id");
	f->handle = str_at(o, "from");
	f->repost_of = str_at(o, "forwarded_from");
	if (json_is_integer(reply)) {
		snprintf(ref, refcap, "%s%s%" JSON_INTEGER_FORMAT, ctx, ctx[0] ? ":" : "",
			 json_integer_value(reply));
		f->reply_to = ref;
	}
	f->platform = "telegram";
	secs = json_is_string(ts) ? strtoll(json_string_value(ts), &end, 10) : 0;
	if (!json_is_string(ts) || *end || !json_string_value(ts)[0] ||
	    secs > INT64_MAX / CHORUS_NS_PER_SEC || secs < INT64_MIN / CHORUS_NS_PER_SEC) {
		snprintf(msg, CHORUS_ERROR_TEXT, "message %.200s: no valid \"date_unixtime\"", idbuf);
		return -1;
	}
	f->created_at = secs * CHORUS_NS_PER_SEC;
	if (telegram_text(d, json_object_get(o, "text")))
		return -2;
	f->text = d->text.data ? d->text.data : "";
	f->text_len = d->text.len;
	if (!f->author) {
		snprintf(msg, CHORUS_ERROR_TEXT, "message %.200s: no \"from_id\"", idbuf);
		return -1;
	}
	return 0;
}

/* ---- Mastodon ---- */

/* Named entities of news and social-media HTML, decoded once; any other
 * name stays as written. */
static const struct { const char *name; const char *text; } entities[] = {
	{ "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
	{ "nbsp", u8"\u00A0" }, { "shy", u8"\u00AD" }, { "laquo", u8"\u00AB" },
	{ "raquo", u8"\u00BB" }, { "lsaquo", u8"\u2039" }, { "rsaquo", u8"\u203A" },
	{ "ndash", u8"\u2013" }, { "mdash", u8"\u2014" }, { "minus", u8"\u2212" },
	{ "hellip", u8"\u2026" }, { "lsquo", u8"\u2018" }, { "rsquo", u8"\u2019" },
	{ "sbquo", u8"\u201A" }, { "ldquo", u8"\u201C" }, { "rdquo", u8"\u201D" },
	{ "bdquo", u8"\u201E" }, { "prime", u8"\u2032" }, { "Prime", u8"\u2033" },
	{ "copy", u8"\u00A9" }, { "reg", u8"\u00AE" }, { "trade", u8"\u2122" },
	{ "euro", u8"\u20AC" }, { "pound", u8"\u00A3" }, { "yen", u8"\u00A5" },
	{ "cent", u8"\u00A2" }, { "sect", u8"\u00A7" }, { "para", u8"\u00B6" },
	{ "deg", u8"\u00B0" }, { "plusmn", u8"\u00B1" }, { "times", u8"\u00D7" },
	{ "divide", u8"\u00F7" }, { "middot", u8"\u00B7" }, { "bull", u8"\u2022" },
	{ "numero", u8"\u2116" }, { "ensp", u8"\u2002" }, { "emsp", u8"\u2003" },
	{ "thinsp", u8"\u2009" }, { "zwnj", u8"\u200C" }, { "zwj", u8"\u200D" },
	{ "larr", u8"\u2190" }, { "rarr", u8"\u2192" }, { "uarr", u8"\u2191" },
	{ "darr", u8"\u2193" }, { "frac12", u8"\u00BD" }, { "frac14", u8"\u00BC" },
	{ "frac34", u8"\u00BE" }, { "iexcl", u8"\u00A1" }, { "iquest", u8"\u00BF" }
};

/* The code point of "#NNN" / "#xHHH" in s[0..n); 0 when it is not one. */
static uint32_t char_ref(const char *s, size_t n)
{
	const int hex = n > 1 && (s[1] == 'x' || s[1] == 'X');
	size_t i = 1 + (size_t)hex;
	uint32_t cp = 0;

	if (i >= n || n - i > 8)
		return 0;
	for (; i < n; i++) {
		const int c = (unsigned char)s[i];
		const int v = c >= '0' && c <= '9' ? c - '0'
			      : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
			      : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (v < 0)
			return 0;
		cp = cp * (hex ? 16 : 10) + (uint32_t)v;
	}
	return cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) ? cp : 0;
}

/* One "&...;" at s (s[0] == '&'): its text appended, its length returned
 * (0: not a reference we know, nothing appended). */
static size_t entity(chorus_buf *b, const char *s, size_t n, int *rc)
{
	const char *semi = memchr(s, ';', n < 34 ? n : 34);
	const size_t l = semi ? (size_t)(semi - s) - 1 : 0; /* the name's length */
	char u[4];
	uint32_t cp;

	if (l == 0)
		return 0;
	if (s[1] == '#') {
		cp = char_ref(s + 1, l);
		if (!cp)
			return 0;
		*rc = *rc ? *rc : chorus_buf_append(b, u, (size_t)chorus_utf8_encode(cp, u));
		return l + 2;
	}
	for (size_t k = 0; k < sizeof entities / sizeof entities[0]; k++)
		if (strlen(entities[k].name) == l && !memcmp(s + 1, entities[k].name, l)) {
			*rc = *rc ? *rc : chorus_buf_puts(b, entities[k].text);
			return l + 2;
		}
	return 0;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Does s[0..n) start with the ASCII word w (lower case), in any case, not
 * followed by a letter or digit (so "br" is not "bread")? */
static int tag_is(const char *s, size_t n, const char *w)
{
	const size_t l = strlen(w);
	int c;

	if (n < l)
		return 0;
	for (size_t i = 0; i < l; i++)
		if (lower((unsigned char)s[i]) != w[i])
			return 0;
	c = n == l ? 0 : lower((unsigned char)s[l]);
	return !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
}

/* Where the element whose content is raw text (script, style) ends: just
 * past "</name...>", or n. */
static size_t raw_end(const char *h, size_t n, size_t i, const char *name)
{
	for (; i + 1 < n; i++)
		if (h[i] == '<' && h[i + 1] == '/' && tag_is(h + i + 2, n - i - 2, name)) {
			const char *gt = memchr(h + i, '>', n - i);
			return gt ? (size_t)(gt - h) + 1 : n;
		}
	return n;
}

/* The length of the markup at h[i] ('<'), and what it puts in the text. */
static size_t markup(chorus_buf *b, const char *h, size_t n, size_t i, int *rc)
{
	const char *end;
	size_t tl;

	if (n - i >= 4 && !memcmp(h + i, "<!--", 4)) {
		for (size_t j = i + 4; j + 3 <= n; j++)
			if (!memcmp(h + j, "-->", 3))
				return j + 3 - i;
		return n - i;
	}
	end = memchr(h + i, '>', n - i);
	tl = end ? (size_t)(end - (h + i)) + 1 : n - i;
	if (tag_is(h + i + 1, n - i - 1, "br") || (tag_is(h + i + 1, n - i - 1, "/p") && i + tl < n))
		*rc = *rc ? *rc : chorus_buf_putc(b, '\n');
	else if (tag_is(h + i + 1, n - i - 1, "script") && h[i + tl - 2] != '/')
		return raw_end(h, n, i + tl, "script") - i;
	else if (tag_is(h + i + 1, n - i - 1, "style") && h[i + tl - 2] != '/')
		return raw_end(h, n, i + tl, "style") - i;
	return tl;
}

int chorus_html_text(chorus_buf *b, const char *h, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0;) {
		size_t run = i;
		while (run < n && h[run] != '<' && h[run] != '&')
			run++;
		if (run > i) {
			rc = chorus_buf_append(b, h + i, run - i);
			i = run;
		} else if (h[i] == '<') {
			i += markup(b, h, n, i, &rc);
		} else {
			const size_t el = entity(b, h + i, n - i, &rc);
			if (!el)
				rc = chorus_buf_putc(b, '&');
			i += el ? el : 1;
		}
	}
	return rc;
}

static int mastodon(doc *d, const json_t *o, chorus_doc_fields *f, char *msg)
{
	const json_t *acct = json_object_get(o, "account");
	const json_t *reblog = json_object_get(o, "reblog");
	const char *html;

	f->id = str_at(o, "uri");
	if (!f->id)
		f->id = str_at(o, "id");
	f->author = str_at(acct, "url");
	if (!f->author)
		f->author = str_at(acct, "acct");
	f->handle = str_at(acct, "acct");
	f->url = str_at(o, "url");
	f->lang = str_at(o, "language");
	f->reply_to = str_at(o, "in_reply_to_id");
	f->platform = "mastodon";
	if (json_is_object(reblog)) {
		f->repost_of = str_at(reblog, "uri");
		html = str_at(reblog, "content");
	} else {
		html = str_at(o, "content");
	}
	if (!f->id || !f->author) {
		snprintf(msg, CHORUS_ERROR_TEXT, "status without %s", !f->id ? "uri or id" : "account");
		return -1;
	}
	if (rfc3339(str_at(o, "created_at"), &f->created_at) != 0) {
		snprintf(msg, CHORUS_ERROR_TEXT, "status %.200s: \"created_at\" is not an RFC 3339 time",
			 f->id);
		return -1;
	}
	chorus_buf_reset(&d->text);
	if (chorus_html_text(&d->text, html ? html : "", html ? strlen(html) : 0) ||
	    chorus_buf_putc(&d->text, '\0'))
		return -2;
	f->text = d->text.data;
	f->text_len = d->text.len - 1;
	return 0;
}

/* ---- Bluesky ---- */

static int bluesky(const json_t *item, chorus_doc_fields *f, char *msg, char *url, size_t urlcap,
		   char *idbuf, size_t idcap)
{
	const json_t *post = json_object_get(item, "post");
	const json_t *reason = json_object_get(item, "reason");
	const json_t *o = json_is_object(post) ? post : item;
	const json_t *author = json_object_get(o, "author"), *record = json_object_get(o, "record");
	const char *rtype = str_at(reason, "$type"), *rkey;

	f->id = str_at(o, "uri");
	f->author = str_at(author, "did");
	f->handle = str_at(author, "handle");
	f->text = str_at(record, "text");
	f->text_len = f->text ? strlen(f->text) : 0;
	f->lang = json_string_value(json_array_get(json_object_get(record, "langs"), 0));
	f->reply_to = str_at(json_object_get(json_object_get(record, "reply"), "parent"), "uri");
	f->platform = "bluesky";
	if (!f->id || !f->author || !json_is_object(record)) {
		snprintf(msg, CHORUS_ERROR_TEXT, "not a Bluesky post view (no %s)",
			 !f->id ? "uri" : !f->author ? "author.did" : "record");
		return -1;
	}
	if (!f->text) {
		f->text = "";
		f->text_len = 0;
	}
	if (rfc3339(str_at(record, "createdAt"), &f->created_at) != 0) {
		snprintf(msg, CHORUS_ERROR_TEXT,
			 "post %.200s: \"record.createdAt\" is not an RFC 3339 time", f->id);
		return -1;
	}
	if (rfc3339(str_at(o, "indexedAt"), &f->server_time) != 0)
		f->server_time = CHORUS_TIME_NONE;
	rkey = strrchr(f->id, '/');
	if (f->handle && rkey) {
		snprintf(url, urlcap, "https://bsky.app/profile/%.100s/post/%.60s", f->handle, rkey + 1);
		f->url = url;
	}
	if (rtype && strstr(rtype, "reasonRepost")) {
		const json_t *by = json_object_get(reason, "by");
		if (!str_at(by, "did") || rfc3339(str_at(reason, "indexedAt"), &f->created_at) != 0) {
			snprintf(msg, CHORUS_ERROR_TEXT, "repost of %.200s without reposter or time",
				 f->id);
			return -1;
		}
		snprintf(idbuf, idcap, "%s#repost:%s", f->id, str_at(by, "did"));
		f->repost_of = f->id;
		f->id = idbuf;
		f->author = str_at(by, "did");
		f->handle = str_at(by, "handle");
		f->server_time = f->created_at;
		f->url = NULL;
	}
	return 0;
}

/* ---- one record ---- */

static int bad(doc *d, uint64_t line, const char *msg)
{
	int rc = d->k->bad(d->k->ud, line, msg);

	if (rc)
		d->stop = 1;
	return rc;
}

/* An element of a JSON array of v1.1 tweets: the line reader's mapping,
 * on the record's bytes. */
static int twitter_record(doc *d, const char *p, size_t len, uint64_t line)
{
	char msg[CHORUS_ERROR_TEXT];
	chorus_arena scratch;
	chorus_post *posts;
	size_t n;
	int rc;

	chorus_arena_init(&scratch);
	rc = chorus_twitter_parse_line(CHORUS_FORMAT_TWITTER_V1, p, len, d->k->st->path, line,
				       d->k->strings, &scratch, &posts, &n, msg);
	if (rc == 0)
		rc = chorus_corpus_reserve(d->k->c, n, d->k->err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		posts[i].line = line;
		posts[i].input = d->k->input;
		chorus_corpus_push(d->k->c, &posts[i]);
		d->k->st->records++;
		d->k->st->reposts += (posts[i].flags & CHORUS_POST_REPOST) != 0;
	}
	chorus_arena_dispose(&scratch);
	if (rc == CHORUS_EINPUT)
		return bad(d, line, msg);
	if (rc)
		d->stop = 1;
	return rc;
}

static int on_record(void *ud, const char *p, size_t len, uint64_t line, const char *ctx)
{
	doc *d = ud;
	char msg[CHORUS_ERROR_TEXT], sha[CHORUS_SHA256_HEX], idbuf[512], ref[256], url[256];
	json_error_t je;
	json_t *o;
	chorus_doc_fields f;
	int rc;

	if (!p) {
		snprintf(msg, sizeof msg, "record too long (%zu bytes > %zu limit)", len,
			 d->k->max_record);
		return bad(d, line, msg);
	}
	o = json_loadb(p, len, JSON_REJECT_DUPLICATES, &je);
	if (!o) {
		chorus_import_json_error(p, len, &je, msg);
		return bad(d, line, msg);
	}
	memset(&f, 0, sizeof f);
	f.server_time = CHORUS_TIME_NONE;
	if (d->format == CHORUS_FORMAT_TWITTER_V1) {
		json_decref(o);
		return twitter_record(d, p, len, line);
	}
	if (d->format == CHORUS_FORMAT_TELEGRAM)
		rc = telegram(d, o, ctx, &f, msg, idbuf, sizeof idbuf, ref, sizeof ref);
	else if (d->format == CHORUS_FORMAT_MASTODON)
		rc = mastodon(d, o, &f, msg);
	else
		rc = bluesky(o, &f, msg, url, sizeof url, idbuf, sizeof idbuf);
	if (rc == 0) {
		chorus_sha256_hex(p, len, sha);
		rc = chorus_doc_push(d->k, &f, line, sha) ? -2 : 0;
	}
	json_decref(o);
	if (rc == 1) {
		d->k->st->ignored++;
		return 0;
	}
	if (rc == -2) {
		d->stop = 1;
		return CHORUS_ENOMEM;
	}
	return rc ? bad(d, line, msg) : 0;
}

static const char *const telegram_keys[] = { "messages", NULL };
static const char *const bluesky_keys[] = { "feed", "posts", NULL };
/* a search result (/api/v2/search) holds its statuses in "statuses" */
static const char *const mastodon_keys[] = { "statuses", NULL };

int chorus_doc_read(chorus_doc_sink *k, int format, const chorus_batch *first)
{
	doc d = { k, format, { 0 }, 0 };
	chorus_split s;
	chorus_batch b = *first;
	int rc = 0;

	if (format == CHORUS_FORMAT_FEED || format == CHORUS_FORMAT_TELEGRAM_WEB)
		return chorus_web_read(k, format, first);

	chorus_buf_init(&d.text, k->max_record);
	chorus_split_init(&s, format == CHORUS_FORMAT_TELEGRAM ? telegram_keys
			  : format == CHORUS_FORMAT_BLUESKY ? bluesky_keys
			  : format == CHORUS_FORMAT_MASTODON ? mastodon_keys : NULL,
			  format != CHORUS_FORMAT_TELEGRAM, k->max_record);
	/* After a line the splitter cannot follow, the rest is read (so the
	 * input's hash covers all of it) but not parsed. */
	int lost = 0;

	while (rc == 0 && b.n > 0) {
		for (size_t i = 0; rc == 0 && i < b.n; i++) {
			const chorus_line *l = &b.lines[i];
			k->st->lines++;
			if (lost)
				continue;
			if (!l->p && s.depth == 0 && !s.in_str) {
				/* between top-level values (one per line): a record of its
				 * own, skipped; the next line starts afresh */
				char msg[CHORUS_ERROR_TEXT];
				snprintf(msg, sizeof msg, "record too long (%zu bytes > %zu limit)",
					 l->len, k->max_record);
				rc = bad(&d, l->no, msg);
				continue;
			}
			if (!l->p) {
				char msg[CHORUS_ERROR_TEXT];
				snprintf(msg, sizeof msg, "line of %zu bytes inside a JSON document, over "
					 "the %zu limit: the rest of the document cannot be read "
					 "(raise --max-record)", l->len, k->max_record);
				chorus_split_skip(&s);
				rc = bad(&d, l->no, msg);
				lost = 1;
				continue;
			}
			rc = chorus_split_feed(&s, l->p, l->len, l->no, on_record, &d);
			if (rc == CHORUS_ELIMIT && !d.stop) {
				rc = bad(&d, l->no, "JSON nested too deep to follow: the rest of the "
					 "document cannot be read");
				lost = 1;
			}
		}
		if (rc == 0)
			rc = chorus_input_next(k->in, &b, k->err);
	}
	chorus_split_dispose(&s);
	chorus_buf_dispose(&d.text);
	return rc;
}
