/*
 * collect.h - `chorus collect`: page through one source of posts and keep
 * every response in an evidence store (store.h).
 *
 * Sources (the spec string, also the store's identity):
 *   mastodon:tag:NAME       GET /api/v1/timelines/tag/NAME
 *   mastodon:public         GET /api/v1/timelines/public
 *   mastodon:local          GET /api/v1/timelines/public?local=true
 *   mastodon:account:ACCT   GET /api/v1/accounts/lookup, then .../statuses
 *   mastodon:search:QUERY   GET /api/v2/search?type=statuses (needs a token)
 *   bluesky:search:QUERY    GET app.bsky.feed.searchPosts (needs a session)
 *   bluesky:author:ACTOR    GET app.bsky.feed.getAuthorFeed
 *   feed:URL                RSS or Atom, conditional GET
 *   telegram:CHANNEL        GET /s/CHANNEL, then ?before=ID
 * Paging runs from the newest post back to --since (or the end); the state
 * after each page is kept in the page's journal record and in the
 * checkpoint, so --resume goes on from the last page kept.
 */
#ifndef CHORUS_COLLECT_H
#define CHORUS_COLLECT_H

#include <stdint.h>

#include "chorus/error.h"
#include "http.h"

enum chorus_collect_source {
	CHORUS_SRC_MASTODON_TAG,
	CHORUS_SRC_MASTODON_PUBLIC,
	CHORUS_SRC_MASTODON_LOCAL,
	CHORUS_SRC_MASTODON_ACCOUNT,
	CHORUS_SRC_MASTODON_SEARCH,
	CHORUS_SRC_BSKY_SEARCH,
	CHORUS_SRC_BSKY_AUTHOR,
	CHORUS_SRC_FEED,
	CHORUS_SRC_TELEGRAM
};

/* How a run ended (the exit statuses are the CLI's). */
enum chorus_collect_end {
	CHORUS_COLLECT_COMPLETE = 0,  /* the source has no older page in range */
	CHORUS_COLLECT_LIMIT,         /* --max-pages / --max-posts reached */
	CHORUS_COLLECT_MAX_WAIT,      /* a pause longer than --max-wait: checkpointed */
	CHORUS_COLLECT_INTERRUPTED,   /* SIGINT / SIGTERM: checkpointed */
	CHORUS_COLLECT_FAILED         /* gave up (err says why); checkpointed */
};

typedef struct chorus_collect_opts {
	int source;               /* enum chorus_collect_source */
	const char *arg;          /* tag, account, query, URL or channel */
	const char *spec;         /* the spec as given ("mastodon:tag:NAME") */
	const char *base;         /* instance / service / t.me base URL */
	const char *token;        /* Mastodon bearer token (secret) or NULL */
	const char *bsky_handle;  /* Bluesky login identifier */
	const char *bsky_password;/* Bluesky app password (secret) or NULL */
	int64_t since_ns, until_ns;  /* 0 = unbounded */
	long max_pages, max_posts;   /* 0 = no limit */
	long page_size;           /* 0 = the source's maximum */
	long max_wait_s;          /* longest single pause (default 900) */
	long backoff_cap_s;       /* longest back-off step (default 300) */
	int retries;              /* attempts per page beyond the first (default 5) */
	long delay_ms;            /* pause between requests (politeness) */
	int resume;
	chorus_http_opts http;
	/* Log lines (no newline); level 0 = info, 1 = warning.  Never given a
	 * secret. */
	void (*log)(void *ud, int level, const char *msg);
	/* Progress: pages and posts so far, seconds of the current wait. */
	void (*progress)(void *ud, long pages, long posts, long waiting_s, const char *why);
	void *ud;
	volatile int *stop;       /* set by a signal handler: stop at the next step */
} chorus_collect_opts;

typedef struct chorus_collect_result {
	int end;                  /* enum chorus_collect_end */
	long pages, posts, responses, retries, waits;
	long waited_s;
} chorus_collect_result;

void chorus_collect_opts_default(chorus_collect_opts *o);

/* Parse a source spec into o->source, o->arg, o->spec; -1 with why[256]. */
int chorus_collect_parse_spec(chorus_collect_opts *o, const char *spec, char *why);

/* The default base URL of a source (https://bsky.social, https://t.me),
 * or NULL when the user must give one (Mastodon instance; feeds). */
const char *chorus_collect_default_base(int source);

/* Run one collection into the store folder dir.  0 (see res->end for how
 * it ended) or a code with err set (usage, store damage, I/O). */
int chorus_collect_run(const chorus_collect_opts *o, const char *dir,
		       chorus_collect_result *res, chorus_error *err);

/* What the collector reads from a 200 response of a source (for tests and
 * fuzzing; the account source reads its lookup; the server is taken to be
 * https://m.example): posts, their time span,
 * whether it is the last page, the paging state after it (owned: decref
 * it), or why it is not a page. */
typedef struct chorus_collect_page {
	long posts;
	int64_t oldest_ns, newest_ns;
	int done;
	const char *bad;     /* static text, or NULL */
	struct json_t *next;
} chorus_collect_page;

/* 0, -1 when the body is not a page (out->bad says why), or CHORUS_ENOMEM. */
int chorus_collect_page_info(int source, const char *body, size_t len, const char *link,
			     int64_t since_ns, chorus_collect_page *out);

#endif
