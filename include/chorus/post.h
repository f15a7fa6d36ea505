/*
 * chorus/post.h - the post model and the corpus that owns posts.
 *
 * A corpus holds every post read from its inputs, in input order, with all
 * strings in one arena (freeing the corpus frees them all).  Strings are
 * NUL-terminated UTF-8 slices; an absent optional field has p == NULL.
 * The raw text is kept exactly as read (after JSON unescaping): matching
 * works on a normalised copy made later and never changes it.
 */
#ifndef CHORUS_POST_H
#define CHORUS_POST_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/error.h"

#define CHORUS_TIME_NONE INT64_MIN

typedef struct chorus_str {
	const char *p; /* NUL-terminated, NULL when absent */
	uint32_t len;
} chorus_str;

/* Optional fields, allocated only for posts that carry one of them.  The
 * evidence fields come from importers (chorus import) and are kept when a
 * converted file is read again. */
typedef struct chorus_post_extra {
	chorus_str platform, url, lang, repost_of, reply_to;
	int64_t author_created_at; /* UTC ns or CHORUS_TIME_NONE */
	chorus_str author_handle;  /* screen name / username, when known */
	int64_t server_time;       /* time the platform observed, or NONE */
	chorus_str source;         /* archive file the post came from */
	chorus_str source_line;    /* its line there (decimal) */
	chorus_str raw_sha256;     /* SHA-256 (hex) of the raw record as read */
} chorus_post_extra;

enum chorus_post_flag {
	CHORUS_POST_REPOST = 1u << 0 /* repost_of is set: a native repost */
};

typedef struct chorus_post {
	chorus_str id;     /* platform id as text; integers kept digit for digit */
	chorus_str author; /* author id as text */
	chorus_str text;   /* raw text, untouched */
	int64_t created_at;              /* UTC ns */
	const chorus_post_extra *extra;  /* NULL when no optional field is set */
	uint64_t line;                   /* 1-based line in its input */
	uint32_t input;                  /* index into the corpus inputs */
	uint32_t flags;                  /* enum chorus_post_flag */
} chorus_post;

/* What was read from one input file. */
typedef struct chorus_input_stats {
	const char *path;      /* as given ("-" for standard input) */
	char sha256[65];       /* of the bytes as stored (compressed if .gz) */
	uint64_t bytes;        /* bytes as stored */
	uint64_t lines;        /* lines seen */
	uint64_t records;      /* posts kept */
	uint64_t skipped;      /* bad records skipped */
	uint64_t reposts;      /* kept posts that are native reposts */
	uint64_t blank;        /* blank lines (not records, not errors) */
	uint64_t duplicates;   /* records whose id was already read: dropped */
	uint64_t ignored;      /* records that are not posts (Telegram service
				  messages): neither kept nor errors */
	uint64_t outside;      /* posts outside the time range their evidence
				  store was collected for: dropped */
	const char *format;    /* name of the format read (chorus_format_name) */
	int format_auto;       /* 1: the format was detected from the content */
} chorus_input_stats;

typedef struct chorus_corpus chorus_corpus;

/* Reading options; zero-initialise, then set what you need. */
typedef struct chorus_read_opts {
	int strict;          /* stop at the first bad record (CHORUS_EINPUT) */
	size_t max_record;   /* longest line accepted; 0 = CHORUS_MAX_RECORD */
	int threads;         /* parse threads; 0 = OpenMP default */
	/* Called once per skipped record, in input order, from the calling
	 * thread.  err->source, err->line and err->text are filled. */
	void (*on_error)(void *ud, const chorus_error *err);
	/* Input format (enum chorus_format); 0 = detect from the content. */
	int format;
	/* CHORUS_FORMAT_CSV: "id=COL,author=COL,text=COL,created_at=COL[,...]" */
	const char *csv_map;
	/* Called now and then with bytes read so far from the current input. */
	void (*on_progress)(void *ud, const char *path, uint64_t bytes);
	void *ud;
} chorus_read_opts;

#define CHORUS_MAX_RECORD ((size_t)1 << 20) /* 1 MiB per JSON line */

chorus_corpus *chorus_corpus_new(void);
void chorus_corpus_free(chorus_corpus *c); /* NULL-safe */

/*
 * Read canonical JSON Lines from path ("-" = standard input; gzip detected by
 * content) and append the posts.  Each line is one object:
 *   id, author: string or integer (kept exactly); text: string;
 *   created_at: RFC 3339 string or integer epoch seconds;
 *   optional platform, url, lang, repost_of, reply_to (string or integer,
 *   null = absent), author_created_at (as created_at).
 * Unknown fields are ignored; an optional field that is "" counts as absent.
 * A bad record (invalid JSON or UTF-8, NUL byte, missing or wrongly typed
 * field, line longer than max_record) is reported through opts->on_error,
 * counted in the input's skipped count and skipped; under opts->strict the
 * read stops and returns CHORUS_EINPUT with err set.  Blank lines are counted
 * and are neither records nor errors.  opts may be NULL (defaults).
 * Returns CHORUS_OK, CHORUS_EINPUT (strict), CHORUS_EIO (cannot open or read,
 * truncated or corrupt gzip: err names the file), CHORUS_ENOMEM, CHORUS_ELIMIT
 * (more than 2^32 - 2 posts) or CHORUS_EUSAGE (max_record over 256 MiB).
 * On failure the corpus is left as it was before the call.  Not thread-safe
 * for one corpus; uses opts->threads threads internally.
 */
int chorus_corpus_read_jsonl(chorus_corpus *c, const char *path,
			     const chorus_read_opts *opts, chorus_error *err);

/*
 * Input formats.  Detection (CHORUS_FORMAT_AUTO) looks at the start of the
 * input: markup (the first character '<') is a feed ("<rss", "<rdf:RDF",
 * or "<feed" with the Atom namespace) or a Telegram preview page
 * ("tgme_widget_message", or "<html" with a t.me address); a Telegram export ("messages" with "date_unixtime" or "from_id"),
 * Bluesky ("at://" URIs with "indexedAt"), Mastodon ("account" with "acct"
 * and "content"); else the first JSON object among the first lines:
 * "id_str" and "user" make Twitter API v1.1; "data" with "includes" or
 * "meta", or "author_id", make Twitter API v2 / twarc2; a first line that
 * is a CSV header names a CSV archive ("tweetid" and "tweet_text": Twitter
 * IO; "external_author_id" and "publish_date": IRA; "message_id" first:
 * the toolkit's); anything else is canonical JSON Lines.
 */
enum chorus_format {
	CHORUS_FORMAT_AUTO = 0,
	CHORUS_FORMAT_JSONL,      /* canonical (chorus/post.h) */
	CHORUS_FORMAT_TWITTER_V1, /* API v1.1, one tweet per line (twarc 1) */
	CHORUS_FORMAT_TWITTER_V2, /* API v2 / twarc2: response pages or flat tweets */
	CHORUS_FORMAT_TELEGRAM,   /* Telegram Desktop export (result.json) */
	CHORUS_FORMAT_MASTODON,   /* Mastodon statuses: API arrays or one per line */
	CHORUS_FORMAT_BLUESKY,    /* Bluesky post views and feed responses */
	CHORUS_FORMAT_CSV,        /* any CSV with a header, through csv_map */
	CHORUS_FORMAT_TWITTER_IO, /* Twitter Information Operations archive CSV */
	CHORUS_FORMAT_IRA,        /* FiveThirtyEight/Clemson IRA tweets CSV */
	CHORUS_FORMAT_CNT,        /* coordination-network-toolkit 8-column CSV */
	CHORUS_FORMAT_FEED,       /* RSS 2.0, RSS 1.0 (RDF) or Atom 1.0 feed */
	CHORUS_FORMAT_TELEGRAM_WEB, /* Telegram channel preview page (t.me/s/NAME) */
	CHORUS_FORMAT_COUNT
};

/* "jsonl", "twitter-v1.1", "twitter-v2", "telegram", "mastodon", "bluesky",
 * "csv", "twitter-io", "ira", "cnt", "feed", "telegram-web" ("auto" for
 * AUTO); NULL if out of range. */
const char *chorus_format_name(int format);
/* The format named name, or -1. */
int chorus_format_from_name(const char *name);

/*
 * Read path in the format opts->format (detected when 0) and append the
 * posts, as chorus_corpus_read_jsonl does for canonical input (which is
 * this call with CHORUS_FORMAT_JSONL).  The input's stats name the format.
 */
int chorus_corpus_read(chorus_corpus *c, const char *path, const chorus_read_opts *opts,
		       chorus_error *err);

/*
 * Drop every post whose (platform, id) was already seen earlier in the
 * corpus (the first copy stays), counting the drops in the stats of the
 * input the dropped copy came from.  Returns the number dropped, or -1 when
 * out of memory (the corpus is then unchanged).  threads (0 = all cores)
 * share the hashing; the result never depends on it.
 */
long chorus_corpus_dedup(chorus_corpus *c, int threads);

/* Drop the posts from index `from` on whose created_at is outside
 * [since, until) (0 = unbounded on that side), counted in their input's
 * `outside` (and taken off its records and reposts); the rest keep their
 * order.  Returns how many were dropped. */
size_t chorus_corpus_keep_range(chorus_corpus *c, size_t from, int64_t since, int64_t until);

/*
 * Build a corpus from posts kept elsewhere (the workspace).  Register an
 * input with the given stats (path and format copied; *index gets its
 * number), then append copies of posts whose input field names an input
 * registered so; every string and the extra block are copied into the
 * corpus arena, and flags are set from repost_of.  Input stats are left
 * as given.  CHORUS_ENOMEM, or CHORUS_ELIMIT with err set at the caps.
 */
int chorus_corpus_append_input(chorus_corpus *c, const chorus_input_stats *st, uint32_t *index,
			       chorus_error *err);
int chorus_corpus_append(chorus_corpus *c, const chorus_post *p, chorus_error *err);

size_t chorus_corpus_count(const chorus_corpus *c);
/* Borrowed pointer to the posts array (count elements, input order). */
const chorus_post *chorus_corpus_posts(const chorus_corpus *c);
size_t chorus_corpus_input_count(const chorus_corpus *c);
const chorus_input_stats *chorus_corpus_input(const chorus_corpus *c, size_t i);
/* Give post i a new text (a copy of text[0..len)).  Only for shareable
 * outputs made after a scan (chorus_redact): the scan matched the text as
 * read.  CHORUS_EUSAGE (no such post) or CHORUS_ENOMEM. */
int chorus_corpus_replace_text(chorus_corpus *c, size_t i, const char *text, size_t len);

#endif
