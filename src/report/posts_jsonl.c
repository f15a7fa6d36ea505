/*
 * posts_jsonl.c - a corpus written back as canonical JSON Lines (what
 * `chorus import` writes and `chorus scan` reads), evidence fields included.
 *
 * One post per line, in corpus order, keys in a fixed order; optional keys
 * only when set; times as RFC 3339 UTC.  Posts read from a canonical file
 * without evidence fields get "source" and "source_line" from where they
 * were read, so a converted file always says where each post came from.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "chorus/buf.h"
#include "chorus/escape.h"
#include "chorus/report.h"
#include "chorus/timeutil.h"

static int key_str(chorus_buf *b, const char *key, const char *v, size_t len)
{
	int rc = chorus_buf_printf(b, ",\"%s\":", key);

	return rc ? rc : chorus_escape_json(b, v, len);
}

static int opt_str(chorus_buf *b, const char *key, const chorus_str *s)
{
	return s->p ? key_str(b, key, s->p, s->len) : 0;
}

static int opt_time(chorus_buf *b, const char *key, int64_t ns)
{
	char t[CHORUS_TIME_STRLEN];

	if (ns == CHORUS_TIME_NONE)
		return 0;
	chorus_time_format(ns, t);
	return chorus_buf_printf(b, ",\"%s\":\"%s\"", key, t);
}

static int put_post(chorus_buf *b, const chorus_corpus *c, const chorus_post *p)
{
	const chorus_post_extra *x = p->extra;
	char t[CHORUS_TIME_STRLEN];
	int rc = chorus_buf_puts(b, "{\"id\":");

	rc = rc ? rc : chorus_escape_json(b, p->id.p, p->id.len);
	rc = rc ? rc : key_str(b, "author", p->author.p, p->author.len);
	rc = rc ? rc : key_str(b, "text", p->text.p, p->text.len);
	chorus_time_format(p->created_at, t);
	rc = rc ? rc : chorus_buf_printf(b, ",\"created_at\":\"%s\"", t);
	if (x) {
		rc = rc ? rc : opt_str(b, "platform", &x->platform);
		rc = rc ? rc : opt_str(b, "url", &x->url);
		rc = rc ? rc : opt_str(b, "lang", &x->lang);
		rc = rc ? rc : opt_str(b, "repost_of", &x->repost_of);
		rc = rc ? rc : opt_str(b, "reply_to", &x->reply_to);
		rc = rc ? rc : opt_time(b, "author_created_at", x->author_created_at);
		rc = rc ? rc : opt_str(b, "author_handle", &x->author_handle);
		rc = rc ? rc : opt_time(b, "server_time", x->server_time);
	}
	if (x && x->source.p) {
		rc = rc ? rc : opt_str(b, "source", &x->source);
		rc = rc ? rc : opt_str(b, "source_line", &x->source_line);
	} else {
		const char *src = chorus_corpus_input(c, p->input)->path;
		rc = rc ? rc : key_str(b, "source", src, strlen(src));
		rc = rc ? rc : chorus_buf_printf(b, ",\"source_line\":\"%" PRIu64 "\"", p->line);
	}
	if (x)
		rc = rc ? rc : opt_str(b, "raw_sha256", &x->raw_sha256);
	return rc ? rc : chorus_buf_puts(b, "}\n");
}

int chorus_write_posts_jsonl(FILE *f, const chorus_corpus *c, chorus_error *err)
{
	const chorus_post *posts = chorus_corpus_posts(c);
	chorus_buf b;
	int rc = 0;

	chorus_buf_init(&b, (size_t)64 << 20);
	for (size_t i = 0; rc == 0 && i < chorus_corpus_count(c); i++) {
		rc = put_post(&b, c, &posts[i]);
		if (rc == 0 && (b.len >= (1u << 20) || i + 1 == chorus_corpus_count(c))) {
			if (fwrite(b.data, 1, b.len, f) != b.len)
				rc = CHORUS_EIO;
			chorus_buf_reset(&b);
		}
	}
	chorus_buf_dispose(&b);
	if (rc == 0 && fflush(f) != 0)
		rc = CHORUS_EIO;
	if (rc)
		chorus_error_set(err, "", 0, "%s", rc == CHORUS_EIO ? "write failed" : "out of memory");
	return rc;
}
