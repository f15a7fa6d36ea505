/*
 * collect.c - the collection driver: build each page's request, fetch it
 * with retries and rate-limit pauses, keep every response in the store,
 * accept a page when its content is what the source returns, and move the
 * paging state on (kept in the page's record and in the checkpoint).
 *
 * Per response: one journal record (raw body kept); per pause: one "gap"
 * record.  Policy (documented in README "Collectors"):
 *   200 with the expected content   page accepted
 *   304 (feeds)                     nothing new; the run is complete
 *   429                             wait Retry-After (seconds or date), else back off
 *   5xx, 408, timeouts, cut bodies,
 *   connection failures, 200 with
 *   bad JSON or an HTML page        back off (1 s, doubling, capped), retry
 *   400 ExpiredToken (Bluesky)      refresh the session, retry
 *   other 4xx, TLS, redirect and
 *   size-cap failures               give up (no retry can fix them)
 * A pause longer than --max-wait stops the run (state checkpointed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "chorus/alloc.h"
#include "chorus/timeutil.h"
#include "chorus/utf8.h"
#include "collect.h"
#include "import_web.h"
#include "store.h"

#define URL_MAX 4096
#define CURSOR_MAX 2048 /* longest paging cursor or next URL accepted */

typedef struct run {
	const chorus_collect_opts *o;
	chorus_store *st;
	chorus_http *http;
	chorus_collect_result *res;
	chorus_error *err;
	json_t *state;          /* paging state; owned */
	char *access, *refresh; /* Bluesky session tokens (secret) */
	long backoff;           /* the next back-off step, seconds */
	long rl_wait;           /* > 0: the rate limit is used up for this long */
	int requests;           /* requests made in this run */
} run;

/* What one response turned out to be. */
enum { R_PAGE = 100, R_NOT_MODIFIED, R_RETRY, R_REFRESH, R_FATAL };

static void logf_(const run *r, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void logf_(const run *r, int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!r->o->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	r->o->log(r->o->ud, level, msg);
}

void chorus_collect_opts_default(chorus_collect_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_wait_s = 900;
	o->backoff_cap_s = 300;
	o->retries = 5;
	o->delay_ms = 1000;
	chorus_http_opts_default(&o->http);
}

static const struct {
	const char *prefix;
	int source;
	int needs_arg;
} specs[] = {
	{ "mastodon:tag:", CHORUS_SRC_MASTODON_TAG, 1 },
	{ "mastodon:public", CHORUS_SRC_MASTODON_PUBLIC, 0 },
	{ "mastodon:local", CHORUS_SRC_MASTODON_LOCAL, 0 },
	{ "mastodon:account:", CHORUS_SRC_MASTODON_ACCOUNT, 1 },
	{ "mastodon:search:", CHORUS_SRC_MASTODON_SEARCH, 1 },
	{ "bluesky:search:", CHORUS_SRC_BSKY_SEARCH, 1 },
	{ "bluesky:author:", CHORUS_SRC_BSKY_AUTHOR, 1 },
	{ "feed:", CHORUS_SRC_FEED, 1 },
	{ "telegram:", CHORUS_SRC_TELEGRAM, 1 },
};

int chorus_collect_parse_spec(chorus_collect_opts *o, const char *spec, char *why)
{
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		const size_t n = strlen(specs[i].prefix);
		if (strncmp(spec, specs[i].prefix, n) != 0)
			continue;
		if (specs[i].needs_arg ? spec[n] == 0 : spec[n] != 0)
			break;
		o->source = specs[i].source;
		o->arg = specs[i].needs_arg ? spec + n : NULL;
		o->spec = spec;
		if (o->source == CHORUS_SRC_TELEGRAM && strspn(o->arg,
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(o->arg)) {
			snprintf(why, 256, "telegram:CHANNEL: a channel name is letters, digits and _");
			return -1;
		}
		return 0;
	}
	snprintf(why, 256, "unknown source \"%.40s\" (mastodon:tag:NAME, mastodon:public, "
		 "mastodon:local, mastodon:account:ACCT, mastodon:search:QUERY, bluesky:search:QUERY, "
		 "bluesky:author:ACTOR, feed:URL, telegram:CHANNEL)", spec);
	return -1;
}

const char *chorus_collect_default_base(int source)
{
	switch (source) {
	case CHORUS_SRC_BSKY_SEARCH: return "https://bsky.social";
	case CHORUS_SRC_BSKY_AUTHOR: return "https://public.api.bsky.app";
	case CHORUS_SRC_TELEGRAM: return "https://t.me";
	default: return NULL;
	}
}

static int is_mastodon(int s) { return s <= CHORUS_SRC_MASTODON_SEARCH; }
static int is_bluesky(int s) { return s == CHORUS_SRC_BSKY_SEARCH || s == CHORUS_SRC_BSKY_AUTHOR; }

static const char *format_of(int s)
{
	return is_mastodon(s) ? "mastodon" : is_bluesky(s) ? "bluesky"
		: s == CHORUS_SRC_FEED ? "feed" : "telegram-web";
}

/* ---- text for the journal ---- */

/* A JSON string of s as valid UTF-8: a byte that is not part of a valid
 * sequence is written as the text \xNN (a server's header, a URL cut in
 * the middle of a character), so a record is never lost to bad bytes. */
static json_t *jtext(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const size_t len = s ? strlen(s) : 0;
	json_t *j;
	char *o;
	size_t pos = 0, n = 0;

	if (!s)
		return json_null();
	j = json_stringn(s, len);
	if (j)
		return j;
	o = malloc(len * 4 + 1);
	if (!o)
		return NULL;
	while (pos < len) {
		const size_t at = pos;
		uint32_t cp;
		if (chorus_utf8_decode(s, len, &pos, &cp) == 0 && cp != 0) {
			memcpy(o + n, s + at, pos - at);
			n += pos - at;
		} else {
			const unsigned char c = (unsigned char)s[at];
			o[n++] = '\\';
			o[n++] = 'x';
			o[n++] = hex[c >> 4];
			o[n++] = hex[c & 15];
			pos = at + 1;
		}
	}
	j = json_stringn(o, n);
	free(o);
	return j;
}

/* ---- URLs ---- */

static void url_escape(char *out, size_t cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(out);

	for (; *s && n + 4 < cap; s++) {
		const unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = 0;
}

static void url_add(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void url_add(char *out, size_t cap, const char *fmt, ...)
{
	const size_t n = strlen(out);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out + n, cap - n, fmt, ap);
	va_end(ap);
}

/* "&name=" and value, percent-encoded, when value is given. */
static void url_param(char *out, const char *name, const char *value)
{
	if (!value)
		return;
	url_add(out, URL_MAX, "&%s=", name);
	url_escape(out, URL_MAX, value);
}

static void iso_time(int64_t ns, char *out)
{
	chorus_time_format(ns, out);
}

static long page_size(const run *r, long max)
{
	return r->o->page_size > 0 && r->o->page_size < max ? r->o->page_size : max;
}

static const char *state_str(const run *r, const char *key)
{
	return json_string_value(json_object_get(r->state, key));
}

/* Whether URLs a and b have the same scheme://host[:port] (the text up to
 * the first '/' after "://"; compared without case). */
static int same_origin(const char *a, const char *b)
{
	const char *sa = a ? strstr(a, "://") : NULL, *sb = b ? strstr(b, "://") : NULL;
	size_t na, nb;

	if (!sa || !sb)
		return 0;
	na = (size_t)(sa - a) + 3 + strcspn(sa + 3, "/?#");
	nb = (size_t)(sb - b) + 3 + strcspn(sb + 3, "/?#");
	return na == nb && strncasecmp(a, b, na) == 0;
}

/* The URL of the next request, or of the account lookup first. */
static int next_url(const run *r, char *url, int *lookup)
{
	const chorus_collect_opts *o = r->o;
	const char *next = state_str(r, "next");
	const char *base = o->base;
	char t[40];

	*lookup = 0;
	url[0] = 0;
	if (next) {
		snprintf(url, URL_MAX, "%s", next);
		return 0;
	}
	switch (o->source) {
	case CHORUS_SRC_MASTODON_TAG:
		url_add(url, URL_MAX, "%s/api/v1/timelines/tag/", base);
		url_escape(url, URL_MAX, o->arg);
		url_add(url, URL_MAX, "?limit=%ld", page_size(r, 40));
		break;
	case CHORUS_SRC_MASTODON_PUBLIC:
	case CHORUS_SRC_MASTODON_LOCAL:
		url_add(url, URL_MAX, "%s/api/v1/timelines/public?limit=%ld%s", base, page_size(r, 40),
			o->source == CHORUS_SRC_MASTODON_LOCAL ? "&local=true" : "");
		break;
	case CHORUS_SRC_MASTODON_ACCOUNT:
		if (!state_str(r, "account_id")) {
			*lookup = 1;
			url_add(url, URL_MAX, "%s/api/v1/accounts/lookup?acct=", base);
			url_escape(url, URL_MAX, o->arg);
		} else {
			url_add(url, URL_MAX, "%s/api/v1/accounts/", base);
			url_escape(url, URL_MAX, state_str(r, "account_id"));
			url_add(url, URL_MAX, "/statuses?limit=%ld", page_size(r, 40));
		}
		break;
	case CHORUS_SRC_MASTODON_SEARCH:
		url_add(url, URL_MAX, "%s/api/v2/search?type=statuses&q=", base);
		url_escape(url, URL_MAX, o->arg);
		url_add(url, URL_MAX, "&limit=%ld", page_size(r, 40));
		url_param(url, "max_id", state_str(r, "max_id"));
		break;
	case CHORUS_SRC_BSKY_SEARCH:
		url_add(url, URL_MAX, "%s/xrpc/app.bsky.feed.searchPosts?sort=latest&limit=%ld&q=", base,
			page_size(r, 100));
		url_escape(url, URL_MAX, o->arg);
		if (o->since_ns) {
			iso_time(o->since_ns, t);
			url_param(url, "since", t);
		}
		if (o->until_ns) {
			iso_time(o->until_ns, t);
			url_param(url, "until", t);
		}
		url_param(url, "cursor", state_str(r, "cursor"));
		break;
	case CHORUS_SRC_BSKY_AUTHOR:
		url_add(url, URL_MAX, "%s/xrpc/app.bsky.feed.getAuthorFeed?limit=%ld&actor=", base,
			page_size(r, 100));
		url_escape(url, URL_MAX, o->arg);
		url_param(url, "cursor", state_str(r, "cursor"));
		break;
	case CHORUS_SRC_FEED:
		snprintf(url, URL_MAX, "%s", o->arg);
		break;
	case CHORUS_SRC_TELEGRAM:
		url_add(url, URL_MAX, "%s/s/", base);
		url_escape(url, URL_MAX, o->arg);
		if (json_integer_value(json_object_get(r->state, "before")) > 0)
			url_add(url, URL_MAX, "?before=%lld",
				(long long)json_integer_value(json_object_get(r->state, "before")));
		break;
	}
	return strlen(url) + 8 >= URL_MAX ? -1 : 0;
}

/* ---- time ---- */

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * CHORUS_NS_PER_SEC + ts.tv_nsec;
}

static int64_t parse_time(const char *s)
{
	int64_t ns;
	return s && chorus_time_parse_rfc3339(s, strlen(s), &ns) == 0 ? ns : 0;
}

/* Seconds until a rate-limit reset value: epoch seconds (Bluesky),
 * delta seconds (the IETF draft), RFC 3339 (Mastodon) or an HTTP date;
 * -1 when it cannot be read. */
static long reset_wait(const char *v)
{
	const long long now = (long long)(now_ns() / CHORUS_NS_PER_SEC);
	char *end;
	long long x;
	int64_t ns;

	if (!v)
		return -1;
	errno = 0;
	x = strtoll(v, &end, 10);
	if (end != v && *end == 0 && errno == 0 && x >= 0) {
		if (x > 100000000000LL) /* epoch milliseconds */
			x /= 1000;
		if (x > 1000000000LL)
			x = x > now ? x - now : 0;
		return x > 10LL * 366 * 86400 ? 10L * 366 * 86400 : (long)x;
	}
	if (chorus_time_parse_rfc3339(v, strlen(v), &ns) == 0) {
		const long long t = ns / CHORUS_NS_PER_SEC + (ns % CHORUS_NS_PER_SEC ? 1 : 0);
		return t > now ? (long)(t - now) : 0;
	}
	x = chorus_http_date(v);
	if (x >= 0)
		return x > now ? (long)(x - now) : 0;
	return -1;
}

/* ---- store records ---- */

static int record_run(run *r, const char *event, int resume, const char *status, const char *why)
{
	json_t *rec = json_object();
	char now[32], t[40];
	int rc;

	chorus_store_now(now);
	if (!rec)
		return CHORUS_ENOMEM;
	json_object_set_new(rec, "kind", json_string("run"));
	json_object_set_new(rec, "event", json_string(event));
	json_object_set_new(rec, "at", json_string(now));
	if (!strcmp(event, "start")) {
		json_object_set_new(rec, "resume", json_boolean(resume));
		json_object_set_new(rec, "tool", json_string("chorus " CHORUS_VERSION));
		if (r->o->since_ns) {
			iso_time(r->o->since_ns, t);
			json_object_set_new(rec, "since", json_string(t));
		}
		if (r->o->until_ns) {
			iso_time(r->o->until_ns, t);
			json_object_set_new(rec, "until", json_string(t));
		}
	} else {
		json_object_set_new(rec, "status", json_string(status));
		json_object_set_new(rec, "pages", json_integer(r->res->pages));
		json_object_set_new(rec, "posts", json_integer(r->res->posts));
		if (why)
			json_object_set_new(rec, "reason", jtext(why));
	}
	rc = chorus_store_add(r->st, rec, r->err);
	json_decref(rec);
	return rc;
}

static int record_gap(run *r, int64_t from, int64_t to, const char *reason, const char *url,
		      int stopped)
{
	json_t *rec = json_object();
	char a[40], b[40];
	int rc;

	if (!rec)
		return CHORUS_ENOMEM;
	iso_time(from / 1000000 * 1000000, a);
	iso_time(to / 1000000 * 1000000, b);
	json_object_set_new(rec, "kind", json_string("gap"));
	json_object_set_new(rec, "from", json_string(a));
	json_object_set_new(rec, stopped ? "until_at_least" : "to", json_string(b));
	json_object_set_new(rec, "seconds", json_integer((to - from + CHORUS_NS_PER_SEC / 2) / CHORUS_NS_PER_SEC));
	json_object_set_new(rec, "reason", jtext(reason));
	json_object_set_new(rec, "url", jtext(url));
	if (stopped)
		json_object_set_new(rec, "stopped", json_true());
	rc = chorus_store_add(r->st, rec, r->err);
	json_decref(rec);
	return rc;
}

static void set_header(json_t *h, const char *name, const char *v)
{
	if (v)
		json_object_set_new(h, name, jtext(v));
}

static json_t *response_record(const run *r, const char *url, const chorus_http_resp *resp)
{
	json_t *rec = json_object(), *h = json_object();
	char now[32];

	chorus_store_now(now);
	if (!rec || !h) {
		json_decref(rec);
		json_decref(h);
		return NULL;
	}
	json_object_set_new(rec, "kind", json_string("response"));
	json_object_set_new(rec, "source", jtext(r->o->spec));
	json_object_set_new(rec, "method", json_string("GET"));
	json_object_set_new(rec, "url", jtext(url));
	if (resp->url && strcmp(resp->url, url) != 0)
		json_object_set_new(rec, "final_url", jtext(resp->url));
	json_object_set_new(rec, "status", json_integer(resp->status));
	json_object_set_new(rec, "received_at", json_string(now));
	set_header(h, "date", resp->date);
	set_header(h, "etag", resp->etag);
	set_header(h, "last-modified", resp->last_modified);
	set_header(h, "content-type", resp->content_type);
	set_header(h, "link", resp->link);
	set_header(h, "retry-after", resp->retry_after);
	set_header(h, "ratelimit-limit", resp->rl_limit);
	set_header(h, "ratelimit-remaining", resp->rl_remaining);
	set_header(h, "ratelimit-reset", resp->rl_reset);
	json_object_set_new(rec, "headers", h);
	return rec;
}

/* ---- what a page holds ---- */

typedef struct page {
	long posts;
	int64_t oldest, newest;
	int done;          /* no older page (in range) */
	json_t *next;      /* the state after this page */
	const char *bad;   /* why the content is not a page */
} page;

static void see_time(page *p, int64_t t)
{
	if (!t)
		return;
	if (!p->oldest || t < p->oldest)
		p->oldest = t;
	if (!p->newest || t > p->newest)
		p->newest = t;
}

static const char *not_json_why(const chorus_http_resp *resp)
{
	const char *ct = resp->content_type ? resp->content_type : "";
	if (strstr(ct, "html") || (resp->len && (resp->body[0] == '<')))
		return "an HTML page where JSON was expected";
	return "the body is not valid JSON";
}

static void mastodon_page(const run *r, const chorus_http_resp *resp, json_t *j, page *p)
{
	const json_t *arr = r->o->source == CHORUS_SRC_MASTODON_SEARCH
		? json_object_get(j, "statuses") : j;
	size_t i;
	json_t *it;

	if (!json_is_array(arr)) {
		p->bad = r->o->source == CHORUS_SRC_MASTODON_SEARCH ? "no \"statuses\" array"
			: "not a JSON array of statuses";
		return;
	}
	p->posts = (long)json_array_size(arr);
	json_array_foreach(arr, i, it)
		see_time(p, parse_time(json_string_value(json_object_get(it, "created_at"))));
	if (r->o->source == CHORUS_SRC_MASTODON_SEARCH) {
		/* Page by max_id = the smallest status id seen (ids grow with
		 * time), not by offset: new matches on a live index would shift
		 * offsets into duplicates and gaps. */
		const char *min = NULL;
		json_array_foreach(arr, i, it) {
			const char *id = json_string_value(json_object_get(it, "id"));
			if (!id || !*id || strspn(id, "0123456789") != strlen(id) || strlen(id) > 32) {
				p->bad = "a status id that is not a number";
				return;
			}
			if (!min || strlen(id) < strlen(min) ||
			    (strlen(id) == strlen(min) && strcmp(id, min) < 0))
				min = id;
		}
		if (min) {
			const char *cur = state_str(r, "max_id");
			if (cur && (strlen(min) > strlen(cur) ||
				    (strlen(min) == strlen(cur) && strcmp(min, cur) >= 0))) {
				p->bad = "search results not older than the last page (paging would not move on)";
				return;
			}
			json_object_set_new(p->next, "max_id", json_string(min));
		}
		p->done = p->posts == 0;
		return;
	}
	{
		char *nx = chorus_link_next(resp->link);
		if (nx && resp->url) { /* a relative link: against the URL it came from */
			char *abs = chorus_url_resolve(resp->url, nx);
			chorus_free(nx);
			nx = abs;
			if (!nx)
				p->bad = "a Link rel=\"next\" that cannot be resolved";
		}
		if (nx && !same_origin(nx, r->o->base))
			p->bad = "a Link rel=\"next\" to another server (the token must not follow it)";
		else if (nx && strlen(nx) > CURSOR_MAX)
			p->bad = "a Link rel=\"next\" longer than 2048 bytes";
		else if (nx && json_object_set_new(p->next, "next", json_string(nx)) != 0)
			p->bad = "a Link rel=\"next\" that is not valid UTF-8";
		else if (nx && state_str(r, "next") && !strcmp(state_str(r, "next"), nx) && p->posts)
			p->bad = "a Link rel=\"next\" to the page itself (paging would not move on)";
		else if (!nx)
			json_object_del(p->next, "next");
		p->done = !nx || p->posts == 0;
		chorus_free(nx);
	}
}

static int64_t bsky_time(const json_t *post)
{
	const json_t *rec = json_object_get(post, "record");
	int64_t t = parse_time(json_string_value(json_object_get(rec, "createdAt")));
	return t ? t : parse_time(json_string_value(json_object_get(post, "indexedAt")));
}

static void bluesky_page(const run *r, json_t *j, page *p)
{
	const int search = r->o->source == CHORUS_SRC_BSKY_SEARCH;
	const json_t *arr = json_object_get(j, search ? "posts" : "feed");
	const char *cursor = json_string_value(json_object_get(j, "cursor"));
	size_t i;
	json_t *it;

	if (!json_is_array(arr)) {
		p->bad = search ? "no \"posts\" array" : "no \"feed\" array";
		return;
	}
	p->posts = (long)json_array_size(arr);
	json_array_foreach(arr, i, it)
		see_time(p, bsky_time(search ? it : json_object_get(it, "post")));
	if (cursor && strlen(cursor) > CURSOR_MAX)
		p->bad = "a cursor longer than 2048 bytes";
	else if (cursor && *cursor && state_str(r, "cursor") && !strcmp(state_str(r, "cursor"), cursor) &&
		 p->posts)
		p->bad = "the same cursor again (paging would not move on)";
	else if (cursor && *cursor)
		json_object_set_new(p->next, "cursor", json_string(cursor));
	else
		json_object_del(p->next, "cursor");
	p->done = !cursor || !*cursor || p->posts == 0;
}

/* Fill p from a 200 response; p->bad when its content is not a page. */
static void analyse(run *r, const chorus_http_resp *resp, int lookup, page *p)
{
	const int s = r->o->source;

	if (s == CHORUS_SRC_TELEGRAM) {
		chorus_tgweb_info info;
		if (chorus_tgweb_page_info(resp->body, resp->len, &info) != 0) {
			p->bad = "not a Telegram channel preview page";
			return;
		}
		const json_int_t cur = json_integer_value(json_object_get(r->state, "before"));
		p->posts = (long)info.messages;
		see_time(p, info.oldest_ns);
		see_time(p, info.newest_ns);
		if (info.before > (uint64_t)INT64_MAX || (cur > 0 && info.before >= (uint64_t)cur)) {
			p->bad = "a \"load more\" link that does not go back (paging would not move on)";
			return;
		}
		json_object_set_new(p->next, "before", json_integer((json_int_t)info.before));
		p->done = info.before == 0 || info.messages == 0;
	} else if (s == CHORUS_SRC_FEED) {
		chorus_feed_info info;
		if (chorus_feed_doc_info(resp->body, resp->len, &info) != 0) {
			p->bad = "not an RSS or Atom feed";
			return;
		}
		p->posts = (long)info.items;
		p->done = 1;
	} else {
		json_error_t je;
		json_t *j = json_loadb(resp->body, resp->len, 0, &je);
		if (!j) {
			p->bad = not_json_why(resp);
			return;
		}
		if (lookup) {
			const json_t *id = json_object_get(j, "id");
			if (json_is_string(id))
				json_object_set(p->next, "account_id", (json_t *)id);
			else
				p->bad = "the account lookup has no \"id\"";
		} else if (is_mastodon(s)) {
			mastodon_page(r, resp, j, p);
		} else {
			bluesky_page(r, j, p);
		}
		json_decref(j);
	}
	if (!p->bad && !lookup && r->o->since_ns && p->oldest && p->oldest < r->o->since_ns &&
	    s != CHORUS_SRC_MASTODON_SEARCH && s != CHORUS_SRC_BSKY_SEARCH)
		p->done = 1; /* older pages are before --since */
}

int chorus_collect_page_info(int source, const char *body, size_t len, const char *link,
			     int64_t since_ns, chorus_collect_page *out)
{
	chorus_collect_opts o;
	chorus_http_resp resp;
	run r;
	page p;

	memset(&o, 0, sizeof o);
	memset(&resp, 0, sizeof resp);
	memset(&r, 0, sizeof r);
	memset(&p, 0, sizeof p);
	memset(out, 0, sizeof *out);
	o.source = source;
	o.since_ns = since_ns;
	o.base = "https://m.example"; /* next links must stay on this origin */
	r.o = &o;
	r.state = json_object();
	p.next = json_object();
	resp.status = 200;
	resp.body = (char *)body;
	resp.len = len;
	resp.link = (char *)link;
	if (!r.state || !p.next) {
		json_decref(r.state);
		json_decref(p.next);
		return CHORUS_ENOMEM;
	}
	analyse(&r, &resp, source == CHORUS_SRC_MASTODON_ACCOUNT, &p);
	json_decref(r.state);
	out->posts = p.posts;
	out->oldest_ns = p.oldest;
	out->newest_ns = p.newest;
	out->done = p.done;
	out->bad = p.bad;
	out->next = p.next;
	return p.bad ? -1 : 0;
}

/* ---- pauses ---- */

static int sleep_ms(const run *r, long ms)
{
	while (ms > 0) {
		const long step = ms < 100 ? ms : 100;
		struct timespec ts = { 0, step * 1000000L };
		if (r->o->stop && *r->o->stop)
			return -1;
		nanosleep(&ts, NULL);
		ms -= step;
	}
	return r->o->stop && *r->o->stop ? -1 : 0;
}

/* Pause secs seconds (recorded as a gap); CHORUS_COLLECT_MAX_WAIT or
 * _INTERRUPTED to stop, 0 to go on, or a negative store error. */
static int pause_for(run *r, long secs, const char *why, const char *url)
{
	const int64_t from = now_ns();
	char reason[300];
	int rc;

	if (secs > 10L * 366 * 86400) /* far past any --max-wait: no overflow below */
		secs = 10L * 366 * 86400;

	snprintf(reason, sizeof reason, "%s: waiting %ld s", why, secs);
	if (secs > r->o->max_wait_s) {
		logf_(r, 1, "%s: %s, over --max-wait %ld s: stopping here (go on later with --resume)",
		      url, reason, r->o->max_wait_s);
		rc = record_gap(r, from, from + (int64_t)secs * CHORUS_NS_PER_SEC, reason, url, 1);
		return rc ? rc : CHORUS_COLLECT_MAX_WAIT;
	}
	logf_(r, 0, "%s: %s", url, reason);
	if (r->o->progress)
		r->o->progress(r->o->ud, r->res->pages, r->res->posts, secs, why);
	rc = sleep_ms(r, secs * 1000);
	r->res->waits++;
	r->res->waited_s += secs;
	{
		int g = record_gap(r, from, now_ns(), why, url, 0);
		if (g)
			return g;
	}
	return rc ? CHORUS_COLLECT_INTERRUPTED : 0;
}

static long next_backoff(run *r)
{
	const long b = r->backoff ? r->backoff : 1;
	r->backoff = b * 2 > r->o->backoff_cap_s ? r->o->backoff_cap_s : b * 2;
	return b < r->o->backoff_cap_s ? b : r->o->backoff_cap_s;
}

/* ---- Bluesky session ---- */

/* Overwrite a string jansson holds (a credential) before it is freed. */
static void wipe_json_string(json_t *v)
{
	if (json_is_string(v))
		memset((char *)json_string_value(v), 0, json_string_length(v));
}

static void wipe_free(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

static int bsky_session(run *r, int refresh)
{
	chorus_http_req req = { 0 };
	chorus_http_resp resp;
	chorus_http_header auth;
	char url[URL_MAX], bearer[4200], *body = NULL;
	json_t *j;
	int ok, rc = CHORUS_OK;

	memset(&resp, 0, sizeof resp);
	bearer[0] = 0;
	if (refresh && r->refresh) {
		snprintf(url, sizeof url, "%s/xrpc/com.atproto.server.refreshSession", r->o->base);
		snprintf(bearer, sizeof bearer, "Bearer %s", r->refresh);
		auth = (chorus_http_header){ "Authorization", bearer, 1 };
		req.headers = &auth;
		req.nheaders = 1;
	} else {
		json_t *cred;
		if (!r->o->bsky_handle || !r->o->bsky_password) {
			chorus_error_set(r->err, r->o->spec, 0, "a Bluesky login needs a handle and an "
					 "app password");
			return CHORUS_ERR;
		}
		cred = json_pack("{s:s, s:s}", "identifier", r->o->bsky_handle, "password",
				 r->o->bsky_password);
		body = cred ? json_dumps(cred, JSON_COMPACT) : NULL;
		wipe_json_string(json_object_get(cred, "password"));
		json_decref(cred);
		if (!body)
			return CHORUS_ENOMEM;
		snprintf(url, sizeof url, "%s/xrpc/com.atproto.server.createSession", r->o->base);
		req.body = body;
		req.body_len = strlen(body);
		req.content_type = "application/json";
		req.secret_body = 1; /* never sent on to another origin by a redirect */
	}
	req.url = url;
	req.method = "POST";
	chorus_http_do(r->http, &req, &resp);
	wipe_free(body);
	memset(bearer, 0, sizeof bearer);
	j = resp.failure == CHORUS_HTTP_OK && resp.status == 200
		? json_loadb(resp.body, resp.len, 0, NULL) : NULL;
	ok = j && json_is_string(json_object_get(j, "accessJwt")) &&
	     json_is_string(json_object_get(j, "refreshJwt"));
	if (ok) {
		wipe_free(r->access);
		wipe_free(r->refresh);
		r->access = strdup(json_string_value(json_object_get(j, "accessJwt")));
		r->refresh = strdup(json_string_value(json_object_get(j, "refreshJwt")));
		if (!r->access || !r->refresh) {
			wipe_free(r->access);
			wipe_free(r->refresh);
			r->access = r->refresh = NULL;
			ok = 0;
			rc = CHORUS_ENOMEM;
		}
	}
	if (ok) {
		/* A session response holds tokens: it is never kept in the
		 * store; the journal says a session was made. */
		json_t *rec = json_pack("{s:s, s:s, s:i}", "kind", "session", "event",
					refresh ? "refreshed" : "created", "status", (int)resp.status);
		const char *did = json_string_value(json_object_get(j, "did"));
		const char *handle = json_string_value(json_object_get(j, "handle"));
		if (rec && did)
			json_object_set_new(rec, "did", jtext(did));
		rc = rec ? chorus_store_add(r->st, rec, r->err) : CHORUS_ENOMEM;
		json_decref(rec);
		logf_(r, 0, "Bluesky session %s for %s", refresh ? "refreshed" : "created",
		      handle ? handle : r->o->bsky_handle);
	} else if (rc == CHORUS_OK) {
		json_t *ej = j ? NULL : json_loadb(resp.body ? resp.body : "", resp.len, 0, NULL);
		const char *e = json_string_value(json_object_get(j ? j : ej, "error"));
		if (resp.failure != CHORUS_HTTP_OK)
			chorus_error_set(r->err, url, 0, "Bluesky %s failed: %s",
					 refresh ? "session refresh" : "login", resp.error);
		else
			chorus_error_set(r->err, url, 0, "Bluesky %s failed: HTTP %ld%s%.64s",
					 refresh ? "session refresh" : "login", resp.status,
					 e && strspn(e, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
					 strlen(e) ? " " : "",
					 e && strspn(e, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
					 strlen(e) ? e : "");
		json_decref(ej);
		rc = CHORUS_ERR;
	}
	wipe_json_string(json_object_get(j, "accessJwt"));
	wipe_json_string(json_object_get(j, "refreshJwt"));
	json_decref(j);
	if (resp.body)
		memset(resp.body, 0, resp.len);
	chorus_http_resp_free(&resp);
	return rc;
}

/* ---- one page ---- */

static int is_expired_token(const chorus_http_resp *resp)
{
	json_t *j;
	int yes;

	if (resp->status != 400 && resp->status != 401)
		return 0;
	j = json_loadb(resp->body, resp->len, 0, NULL);
	yes = j && json_string_value(json_object_get(j, "error")) &&
	      !strcmp(json_string_value(json_object_get(j, "error")), "ExpiredToken");
	json_decref(j);
	return yes;
}

/* Conditional-request validators of the last 200 response for url. */
static void feed_validators(const run *r, const char *url, const char **etag, const char **lm)
{
	*etag = *lm = NULL;
	for (size_t i = chorus_store_count(r->st); i-- > 0;) {
		const json_t *rec = chorus_store_record(r->st, i);
		const json_t *h = json_object_get(rec, "headers");
		if (strcmp(json_string_value(json_object_get(rec, "kind")), "response") != 0 ||
		    json_integer_value(json_object_get(rec, "status")) != 200 ||
		    !json_string_value(json_object_get(rec, "url")) ||
		    strcmp(json_string_value(json_object_get(rec, "url")), url) != 0 ||
		    !json_object_get(rec, "page"))
			continue;
		*etag = json_string_value(json_object_get(h, "etag"));
		*lm = json_string_value(json_object_get(h, "last-modified"));
		return;
	}
}

/* What to do with a response that arrived. */
static int classify(run *r, const chorus_http_resp *resp, page *p, int lookup, char *why)
{
	const long s = resp->status;

	if (s == 200) {
		analyse(r, resp, lookup, p);
		if (!p->bad)
			return R_PAGE;
		snprintf(why, 256, "HTTP 200 but %s", p->bad);
		return R_RETRY;
	}
	if (s == 304 && r->o->source == CHORUS_SRC_FEED)
		return R_NOT_MODIFIED;
	if (is_bluesky(r->o->source) && r->access && is_expired_token(resp)) {
		snprintf(why, 256, "HTTP %ld ExpiredToken", s);
		return R_REFRESH;
	}
	snprintf(why, 256, "HTTP %ld", s);
	if (s == 429 || s == 408 || s >= 500)
		return R_RETRY;
	if (s == 401 || s == 403)
		snprintf(why, 256, "HTTP %ld: access refused (check the token or password)", s);
	return R_FATAL;
}

static int retryable_failure(int f)
{
	return f == CHORUS_HTTP_ECONNECT || f == CHORUS_HTTP_ETIMEOUT || f == CHORUS_HTTP_ETRUNCATED;
}

/* Fetch and keep one page.  Returns R_PAGE / R_NOT_MODIFIED (state moved
 * on), or a CHORUS_COLLECT_* end (> 0) with r->err set for FAILED, or a
 * negative store error. */
static int one_page(run *r)
{
	char url[URL_MAX], why[256], bearer[4200], *shown;
	int lookup, attempts = 0, refreshed = 0;

	if (next_url(r, url, &lookup)) {
		chorus_error_set(r->err, r->o->spec, 0, "the next page's URL is too long");
		return CHORUS_COLLECT_FAILED;
	}
	shown = chorus_url_redact(url);
	if (!shown)
		return CHORUS_ENOMEM;
	for (;;) {
		chorus_http_header hdr[2];
		chorus_http_req req = { 0 };
		chorus_http_resp resp;
		page p = { 0 };
		const char *etag = NULL, *lm = NULL;

		why[0] = 0;
		int what, rc;
		long wait = -1;

		if (r->o->stop && *r->o->stop) {
			chorus_free(shown);
			return CHORUS_COLLECT_INTERRUPTED;
		}
		if (r->requests > 0 && r->o->delay_ms > 0 && sleep_ms(r, r->o->delay_ms)) {
			chorus_free(shown);
			return CHORUS_COLLECT_INTERRUPTED;
		}
		req.url = url;
		req.headers = hdr;
		req.allow_http = r->o->source == CHORUS_SRC_FEED && !strncmp(url, "http:", 5);
		if (is_mastodon(r->o->source) && r->o->token) {
			snprintf(bearer, sizeof bearer, "Bearer %s", r->o->token);
			hdr[req.nheaders++] = (chorus_http_header){ "Authorization", bearer, 1 };
		} else if (is_bluesky(r->o->source) && r->access) {
			snprintf(bearer, sizeof bearer, "Bearer %s", r->access);
			hdr[req.nheaders++] = (chorus_http_header){ "Authorization", bearer, 1 };
		} else if (r->o->source == CHORUS_SRC_FEED) {
			feed_validators(r, shown, &etag, &lm);
			if (etag)
				hdr[req.nheaders++] = (chorus_http_header){ "If-None-Match", etag, 0 };
			if (lm)
				hdr[req.nheaders++] = (chorus_http_header){ "If-Modified-Since", lm, 0 };
		}
		memset(&resp, 0, sizeof resp);
		chorus_http_do(r->http, &req, &resp);
		memset(bearer, 0, sizeof bearer);
		if (r->o->stop && *r->o->stop) { /* the transfer was cut: fetched again on resume */
			chorus_http_resp_free(&resp);
			chorus_free(shown);
			return CHORUS_COLLECT_INTERRUPTED;
		}
		r->requests++;
		r->res->responses++;
		attempts++;
		p.next = json_deep_copy(r->state);
		if (!p.next) {
			chorus_http_resp_free(&resp);
			chorus_free(shown);
			return CHORUS_ENOMEM;
		}
		if (resp.failure != CHORUS_HTTP_OK) {
			json_t *rec = json_object();
			char now[32];
			chorus_store_now(now);
			if (rec) {
				json_object_set_new(rec, "kind", json_string("error"));
				json_object_set_new(rec, "source", jtext(r->o->spec));
				json_object_set_new(rec, "url", jtext(shown));
				json_object_set_new(rec, "reason", jtext(resp.error));
				json_object_set_new(rec, "at", json_string(now));
			}
			rc = rec ? chorus_store_add(r->st, rec, r->err) : CHORUS_ENOMEM;
			json_decref(rec);
			snprintf(why, sizeof why, "%s", resp.error);
			what = retryable_failure(resp.failure) ? R_RETRY : R_FATAL;
		} else {
			json_t *rec = response_record(r, shown, &resp);
			what = classify(r, &resp, &p, lookup, why);
			if (rec && what == R_PAGE) {
				char a[40], b[40];
				json_t *pg = json_object();
				json_object_set_new(pg, "format", json_string(format_of(r->o->source)));
				if (lookup)
					json_object_set_new(pg, "lookup", json_true());
				json_object_set_new(pg, "posts", json_integer(p.posts));
				/* the range asked for: readers drop posts outside it */
				if (r->o->since_ns) {
					iso_time(r->o->since_ns, a);
					json_object_set_new(pg, "since", json_string(a));
				}
				if (r->o->until_ns) {
					iso_time(r->o->until_ns, a);
					json_object_set_new(pg, "until", json_string(a));
				}
				if (p.oldest) {
					iso_time(p.oldest, a);
					iso_time(p.newest, b);
					json_object_set_new(pg, "oldest", json_string(a));
					json_object_set_new(pg, "newest", json_string(b));
				}
				json_object_set_new(p.next, "pages",
						    json_integer(json_integer_value(json_object_get(r->state, "pages")) + !lookup));
				json_object_set_new(p.next, "posts",
						    json_integer(json_integer_value(json_object_get(r->state, "posts")) + p.posts));
				json_object_set_new(p.next, "done", json_boolean(p.done && !lookup));
				json_object_set(pg, "next", p.next);
				json_object_set_new(rec, "page", pg);
			} else if (rec && what != R_NOT_MODIFIED) {
				json_object_set_new(rec, "rejected", jtext(why));
			}
			json_object_set_new(rec, "attempt", json_integer(attempts));
			rc = rec ? chorus_store_add_response(r->st, rec, resp.body, resp.len, r->err)
				: CHORUS_ENOMEM;
			json_decref(rec);
			if (what == R_RETRY && resp.status == 429) {
				wait = chorus_retry_after_secs(resp.retry_after, now_ns() / CHORUS_NS_PER_SEC);
				snprintf(why, sizeof why, "HTTP 429 Too Many Requests%s",
					 wait >= 0 ? " (Retry-After)" : "");
			}
			/* no Retry-After: the rate-limit reset, when the server
			 * says the limit is used up (Mastodon sends only that) */
			if (what == R_RETRY && wait < 0 && resp.rl_reset &&
			    (resp.status == 429 || (resp.rl_remaining && !strcmp(resp.rl_remaining, "0")))) {
				wait = reset_wait(resp.rl_reset);
				if (wait >= 0)
					snprintf(why, sizeof why, "HTTP %ld%s (rate limit reset)", resp.status,
						 resp.status == 429 ? " Too Many Requests" : "");
			}
			if (what == R_PAGE || what == R_NOT_MODIFIED) {
				/* the server says none is left: wait for the reset first */
				if (resp.rl_remaining && !strcmp(resp.rl_remaining, "0") && !p.done)
					r->rl_wait = reset_wait(resp.rl_reset);
			}
		}
		chorus_http_resp_free(&resp);
		if (rc) {
			json_decref(p.next);
			chorus_free(shown);
			return rc;
		}
		switch (what) {
		case R_PAGE:
			json_decref(r->state);
			r->state = p.next;
			if (!lookup) {
				r->res->pages++;
				r->res->posts += p.posts;
			}
			rc = chorus_store_checkpoint(r->st, r->state, r->err);
			if (r->o->progress)
				r->o->progress(r->o->ud, r->res->pages, r->res->posts, 0, NULL);
			logf_(r, 0, "%s: %ld post%s%s", shown, p.posts, p.posts == 1 ? "" : "s",
			      p.done ? " (last page)" : "");
			r->backoff = 0;
			if (!rc && r->rl_wait > 0) { /* the server's rate limit is used up */
				const long w = r->rl_wait;
				r->rl_wait = 0;
				rc = pause_for(r, w, "rate limit used up (RateLimit-Remaining: 0)", shown);
			}
			chorus_free(shown);
			return rc ? rc : R_PAGE;
		case R_NOT_MODIFIED:
			json_decref(p.next);
			json_object_set_new(r->state, "done", json_true());
			rc = chorus_store_checkpoint(r->st, r->state, r->err);
			logf_(r, 0, "%s: not modified since the last run (304)", shown);
			chorus_free(shown);
			return rc ? rc : R_NOT_MODIFIED;
		case R_REFRESH:
			json_decref(p.next);
			if (refreshed++) {
				chorus_error_set(r->err, shown, 0, "the server said ExpiredToken right after "
						 "a new session: giving up");
				chorus_free(shown);
				return CHORUS_COLLECT_FAILED;
			}
			if (bsky_session(r, 1) != 0 && bsky_session(r, 0) != 0) {
				chorus_free(shown);
				return CHORUS_COLLECT_FAILED;
			}
			continue;
		case R_FATAL:
			json_decref(p.next);
			/* libcurl-level messages already name the URL */
			if (!strncmp(why, shown, strlen(shown)) && why[strlen(shown)] == ':')
				chorus_error_set(r->err, shown, 0, "%s", why + strlen(shown) + 2);
			else
				chorus_error_set(r->err, shown, 0, "%s", why);
			chorus_free(shown);
			return CHORUS_COLLECT_FAILED;
		default:
			break;
		}
		json_decref(p.next);
		r->res->retries++;
		if (attempts > r->o->retries) {
			if (!strncmp(why, shown, strlen(shown)) && why[strlen(shown)] == ':')
				memmove(why, why + strlen(shown) + 2, strlen(why + strlen(shown) + 2) + 1);
			chorus_error_set(r->err, shown, 0, "gave up after %d attempt%s: %s", attempts,
					 attempts == 1 ? "" : "s", why);
			chorus_free(shown);
			return CHORUS_COLLECT_FAILED;
		}
		if (wait < 0)
			wait = next_backoff(r);
		rc = pause_for(r, wait, why, shown);
		if (rc) {
			chorus_free(shown);
			return rc;
		}
	}
}

/* ---- resume ---- */

/* Index of the record starting the current pass (a run that did not
 * resume), or -1; *finished when the last run record says it ended
 * complete (or at its limit). */
/* *finished: 0 the last run did not finish, 1 it completed, 2 it stopped
 * at a --max-* limit (a later --resume goes on; a plain run starts anew). */
static long current_pass(const chorus_store *st, int *finished)
{
	long start = -1;

	*finished = 0;
	for (size_t i = 0; i < chorus_store_count(st); i++) {
		const json_t *rec = chorus_store_record(st, i);
		const char *ev = json_string_value(json_object_get(rec, "event"));
		if (strcmp(json_string_value(json_object_get(rec, "kind")), "run") != 0 || !ev)
			continue;
		if (!strcmp(ev, "start")) {
			if (!json_is_true(json_object_get(rec, "resume")))
				start = (long)i;
			*finished = 0;
		} else {
			const char *s = json_string_value(json_object_get(rec, "status"));
			*finished = !s ? 0 : !strcmp(s, "complete") ? 1 : !strcmp(s, "limit") ? 2 : 0;
		}
	}
	return start;
}

/* The state after the last page kept in the pass starting at record
 * start; the checkpoint when it is as new; NULL for none. */
static json_t *resume_state(run *r, long start)
{
	const json_t *cp = chorus_store_checkpoint_get(r->st);
	json_int_t seq = 0;
	const json_t *state = NULL;

	for (size_t i = chorus_store_count(r->st); i-- > (size_t)start + 1;) {
		const json_t *rec = chorus_store_record(r->st, i);
		const json_t *pg = json_object_get(rec, "page");
		if (pg && json_object_get(pg, "next")) {
			state = json_object_get(pg, "next");
			seq = json_integer_value(json_object_get(rec, "seq"));
			break;
		}
	}
	if (cp && json_integer_value(json_object_get(cp, "seq")) >= seq && state &&
	    json_object_get(cp, "state") && json_equal(json_object_get(cp, "state"), state))
		logf_(r, 0, "resuming from the checkpoint (record %lld)", (long long)seq);
	else if (state)
		logf_(r, 1, "the checkpoint is behind the journal (a run was cut off between them): "
		      "resuming from journal record %lld", (long long)seq);
	return state ? json_deep_copy(state) : NULL;
}

static json_t *store_meta(const chorus_collect_opts *o)
{
	char now[32];
	chorus_store_now(now);
	return json_pack("{s:s, s:i, s:{s:s, s:s?}, s:s, s:s}", "format", "chorus-store",
			 "version", 1, "source", "spec", o->spec, "base", o->base, "created_at", now,
			 "tool", "chorus " CHORUS_VERSION);
}

static void store_warn(void *ud, const char *msg)
{
	const run *r = ud;
	logf_(r, 1, "%s", msg);
}

static const char *end_name(int end)
{
	static const char *const n[] = { "complete", "limit", "max-wait", "interrupted", "failed" };
	return n[end];
}

/* A resumed pass keeps the --since / --until its first run recorded (a
 * relative bound given again would have moved). */
static void pass_bounds(run *r, chorus_collect_opts *oc, const json_t *start)
{
	const char *since = json_string_value(json_object_get(start, "since"));
	const char *until = json_string_value(json_object_get(start, "until"));
	int64_t a = 0, b = 0;

	if (since)
		chorus_time_parse_rfc3339(since, strlen(since), &a);
	if (until)
		chorus_time_parse_rfc3339(until, strlen(until), &b);
	if ((oc->since_ns || oc->until_ns) && (a != oc->since_ns || b != oc->until_ns))
		logf_(r, 1, "resuming with the time range the pass began with (--since %s, "
		      "--until %s), not the one given now", since ? since : "none",
		      until ? until : "none");
	oc->since_ns = a;
	oc->until_ns = b;
}

int chorus_collect_run(const chorus_collect_opts *o, const char *dir,
		       chorus_collect_result *res, chorus_error *err)
{
	chorus_collect_opts oc = *o;
	run r = { .o = &oc, .res = res, .err = err };
	long base_pages, base_posts;
	json_t *meta = store_meta(o);
	int finished, rc, end = CHORUS_COLLECT_COMPLETE;
	long start;

	memset(res, 0, sizeof *res);
	if (!meta)
		return CHORUS_ENOMEM;
	rc = chorus_store_open(&r.st, dir, CHORUS_STORE_WRITE, meta, store_warn, &r, err);
	json_decref(meta);
	if (rc)
		return rc;
	start = current_pass(r.st, &finished);
	if (o->resume && start >= 0 && finished == 1) {
		logf_(&r, 0, "%s: nothing to resume: the last run finished", dir);
		chorus_store_close(r.st);
		return CHORUS_OK;
	}
	if (!o->resume && start >= 0 && !finished) {
		chorus_error_set(err, dir, 0, "the last run in this store did not finish: go on with "
				 "--resume (or collect into a new folder)");
		chorus_store_close(r.st);
		return CHORUS_EUSAGE;
	}
	if (o->resume && start >= 0) {
		r.state = resume_state(&r, start);
		pass_bounds(&r, &oc, chorus_store_record(r.st, (size_t)start));
	}
	else if (o->resume)
		logf_(&r, 0, "%s: no run to resume yet: starting one", dir);
	if (!r.state)
		r.state = json_object();
	{
		chorus_http_opts ho = o->http;
		ho.stop = (const volatile int *)o->stop;
		r.http = chorus_http_new(&ho);
	}
	if (!r.state || !r.http) {
		rc = CHORUS_ENOMEM;
		goto out;
	}
	res->pages = base_pages = (long)json_integer_value(json_object_get(r.state, "pages"));
	res->posts = base_posts = (long)json_integer_value(json_object_get(r.state, "posts"));
	/* with nothing to resume, this run starts the pass */
	rc = record_run(&r, "start", o->resume && start >= 0, NULL, NULL);
	if (rc)
		goto out;
	if (o->source == CHORUS_SRC_BSKY_SEARCH && !json_is_true(json_object_get(r.state, "done")) &&
	    bsky_session(&r, 0) != 0) {
		end = CHORUS_COLLECT_FAILED;
		goto end;
	}
	while (!json_is_true(json_object_get(r.state, "done"))) {
		/* the --max-* limits count this run's pages and posts */
		if ((o->max_pages && res->pages - base_pages >= o->max_pages) ||
		    (o->max_posts && res->posts - base_posts >= o->max_posts)) {
			end = CHORUS_COLLECT_LIMIT;
			break;
		}
		rc = one_page(&r);
		if (rc < 0)
			goto out;
		if (rc != R_PAGE && rc != R_NOT_MODIFIED) {
			end = rc;
			break;
		}
		rc = 0;
	}
end:
	res->end = end;
	rc = record_run(&r, "end", 0, end_name(end), end == CHORUS_COLLECT_FAILED ? err->text : NULL);
out:
	if (r.access)
		memset(r.access, 0, strlen(r.access));
	if (r.refresh)
		memset(r.refresh, 0, strlen(r.refresh));
	wipe_free(r.access);
	wipe_free(r.refresh);
	json_decref(r.state);
	chorus_http_free(r.http);
	chorus_store_close(r.st);
	return rc;
}
