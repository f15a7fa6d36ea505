/*
 * jsonl.c - the canonical JSON Lines reader (the one jansson adapter for
 * reading; see chorus/post.h for the record format).
 *
 * Driver: lines come from input.c in bounded batches.  Each batch is parsed
 * in parallel (OpenMP, dynamic chunks of 256 lines) into per-line slots,
 * while one thread reads the next batch; the slots are then merged serially
 * in line order, so posts, errors and counts are identical whatever the
 * thread count.  Each thread copies strings into its own arena, moved into
 * the corpus arena when the read succeeds; error texts go to a per-thread
 * arena emptied after every batch.  Memory is bounded by two batches, their
 * slots and the threads' scratch, plus what the corpus keeps.
 *
 * Records: first the fast scanner (jsonl_fast.c), which reads a valid flat
 * record in one pass without building a document and answers "not sure"
 * for anything else; its fields go through the same checks as jansson's
 * (check_fields), and a record that fails them, or that the scanner is not
 * sure of, is read again by jansson, so every result and message is
 * jansson's (the differential fuzz target fuzz_jsonl_fast holds it to
 * that).  Measured on 1,000,000 synthetic posts (428 MB): read and parse
 * 5.2 s -> 2.0 s on one thread, 2.8 s -> 0.8 s on two.
 * The jansson path: json_loadb per line (JSON_DECODE_ANY so that "42" is reported as
 * "not a JSON object", JSON_REJECT_DUPLICATES so that a record with two ids
 * or texts is refused rather than silently read one way).  Integer ids are
 * kept digit for digit: int64 values are printed back; for a line holding an
 * integer beyond int64 (jansson: "too big integer") every such integer
 * token is replaced, in a same-length copy, by the string
 * "\u0000<its byte offset, zero-padded>", the copy is parsed with
 * JSON_ALLOW_NUL, and a string starting with NUL then names the original
 * digits in the line.  This cannot be forged: a line with a real \u0000
 * escape is refused before the copy is made; columns in error messages stay
 * right because the copy has the same length.
 *
 * Diagnosis of a line jansson refuses: a raw NUL byte, then invalid UTF-8,
 * then jansson's own message.  Messages are one line of valid UTF-8.
 *
 * Cost: one pass per valid line and one arena allocation per post; a
 * jansson parse (about 20 small mallocs) only for lines the scanner leaves,
 * a second one only for lines with huge integers.
 */
#include <assert.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "chorus/alloc.h"
#include "chorus/timeutil.h"
#include "chorus/utf8.h"
#include "corpus_int.h"
#include "import_int.h"
#include "jsonl_int.h"
#include "par_int.h"

_Static_assert(sizeof(json_int_t) == 8, "jansson integers must be int64");

/* Fixed so that jansson's hash order, and so everything, is reproducible. */
#define JSON_SEED 0x63686f72u
#define LOAD_FLAGS (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)
#define MARKER "\"\\u0000" /* opens a big integer's stand-in string */
#define MARKER_LEN 7

/* ---- messages ----------------------------------------------------------- */

__attribute__((format(printf, 2, 3)))
static int fail(char *msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, CHORUS_ERROR_TEXT, fmt, ap);
	va_end(ap);
	chorus_import_sanitise(msg);
	return CHORUS_EINPUT;
}

/* ---- values ------------------------------------------------------------- */

/* Value kinds are those of chorus_jfield (jsonl_int.h). */
struct val {
	int kind;      /* enum chorus_jkind */
	const char *p; /* JV_STRING, JV_BIGINT, and JV_INT once printed */
	size_t len;
	json_int_t i;
	char num[24];
};

/* One record being read. */
struct rec {
	const char *line;
	size_t len;
	int bigints; /* parsed from the stand-in copy */
	char *msg;
};

static const char *const key_names[JK_COUNT] = {
	"id", "author", "text", "created_at", "platform", "url", "lang", "repost_of",
	"reply_to", "author_created_at", "author_handle", "server_time", "source",
	"source_line", "raw_sha256"
};

static const char *kind_name(int k)
{
	static const char *const names[] = {
		"missing", "null", "string", "integer", "integer", "real",
		"boolean", "array", "object"
	};
	return names[k];
}

/* A stand-in string "\0<offset>": point v at the digits in the line. */
static void bigint_digits(const struct rec *r, struct val *v)
{
	size_t off = 0, end;

	for (size_t k = 1; k < v->len; k++)
		off = off * 10 + (size_t)(v->p[k] - '0');
	assert(off < r->len);
	end = off + (r->line[off] == '-');
	while (end < r->len && r->line[end] >= '0' && r->line[end] <= '9')
		end++;
	v->kind = JV_BIGINT;
	v->p = r->line + off;
	v->len = end - off;
}

static void classify(const struct rec *r, const json_t *j, struct val *v)
{
	v->p = NULL;
	v->len = 0;
	if (!j) {
		v->kind = JV_ABSENT;
		return;
	}
	switch (json_typeof(j)) {
	case JSON_STRING:
		v->kind = JV_STRING;
		v->p = json_string_value(j);
		v->len = json_string_length(j);
		if (r->bigints && v->len > 0 && v->p[0] == '\0')
			bigint_digits(r, v);
		break;
	case JSON_INTEGER:
		v->kind = JV_INT;
		v->i = json_integer_value(j);
		break;
	case JSON_REAL: v->kind = JV_REAL; break;
	case JSON_TRUE:
	case JSON_FALSE: v->kind = JV_BOOL; break;
	case JSON_NULL: v->kind = JV_NULL; break;
	case JSON_ARRAY: v->kind = JV_ARRAY; break;
	default: v->kind = JV_OBJECT; break;
	}
}

static void from_fast(const chorus_jfield *jf, struct val *v)
{
	v->kind = jf->kind;
	v->p = jf->p;
	v->len = jf->len;
	v->i = jf->i;
}

static int wrong_type(const struct rec *r, int key, int k, const char *expected)
{
	return fail(r->msg, "field \"%s\" has the wrong type (%s; expected %s)",
		    key_names[key], kind_name(k), expected);
}

/* An id-like value (string or integer of any size) as text in v. */
static int id_text(const struct rec *r, int key, struct val *v)
{
	if (v->kind == JV_INT) {
		int n = snprintf(v->num, sizeof v->num, "%" JSON_INTEGER_FORMAT, v->i);
		v->p = v->num;
		v->len = (size_t)n;
		v->kind = JV_STRING;
	}
	if (v->kind != JV_STRING && v->kind != JV_BIGINT)
		return wrong_type(r, key, v->kind, "string or integer");
	return 0;
}

/* Required id or author: present, string or integer, not empty. */
static int need_id(const struct rec *r, int key, struct val *v)
{
	int rc;

	if (v->kind == JV_ABSENT)
		return fail(r->msg, "missing field \"%s\"", key_names[key]);
	rc = id_text(r, key, v);
	if (rc == 0 && v->len == 0)
		return fail(r->msg, "field \"%s\" is empty", key_names[key]);
	return rc;
}

/* Optional string-or-integer field; null, missing or "" leave it absent. */
static int opt_id(const struct rec *r, int key, struct val *v)
{
	int rc;

	if (v->kind == JV_ABSENT || v->kind == JV_NULL) {
		v->kind = JV_ABSENT;
		return 0;
	}
	rc = id_text(r, key, v);
	if (rc == 0 && v->len == 0)
		v->kind = JV_ABSENT;
	return rc;
}

static int need_text(const struct rec *r, const struct val *v)
{
	if (v->kind == JV_ABSENT)
		return fail(r->msg, "missing field \"text\"");
	if (v->kind != JV_STRING)
		return wrong_type(r, JK_TEXT, v->kind, "string");
	return 0;
}

/* A time: RFC 3339 string or integer epoch seconds, as UTC ns. */
static int get_time(const struct rec *r, int key, const struct val *v, int required,
		    int64_t *ns)
{
	*ns = CHORUS_TIME_NONE;
	if (v->kind == JV_ABSENT && required)
		return fail(r->msg, "missing field \"%s\"", key_names[key]);
	if (v->kind == JV_ABSENT || (v->kind == JV_NULL && !required))
		return 0;
	if (v->kind == JV_STRING) {
		if (chorus_time_parse_rfc3339(v->p, v->len, ns) != 0)
			return fail(r->msg, "field \"%s\" is not a valid RFC 3339 time",
				    key_names[key]);
		return 0;
	}
	if (v->kind == JV_BIGINT || (v->kind == JV_INT &&
	    (v->i > INT64_MAX / CHORUS_NS_PER_SEC || v->i < INT64_MIN / CHORUS_NS_PER_SEC)))
		return fail(r->msg, "field \"%s\" is out of range", key_names[key]);
	if (v->kind != JV_INT)
		return wrong_type(r, key, v->kind, "string or integer");
	*ns = v->i * CHORUS_NS_PER_SEC;
	return 0;
}

/* ---- one record --------------------------------------------------------- */

/* The stored fields: the JK_ values (times converted), in JK_ order. */
struct fields {
	struct val v[JK_COUNT];
	int64_t created_at, author_created_at, server_time;
};

/* Check the values in f->v (in the order of the messages' priority) and
 * turn them into what is stored. */
static int check_fields(const struct rec *r, struct fields *f)
{
	int rc = need_id(r, JK_ID, &f->v[JK_ID]);

	if (rc == 0)
		rc = need_id(r, JK_AUTHOR, &f->v[JK_AUTHOR]);
	if (rc == 0)
		rc = need_text(r, &f->v[JK_TEXT]);
	if (rc == 0)
		rc = get_time(r, JK_CREATED_AT, &f->v[JK_CREATED_AT], 1, &f->created_at);
	for (int k = JK_PLATFORM; rc == 0 && k <= JK_REPLY_TO; k++)
		rc = opt_id(r, k, &f->v[k]);
	if (rc == 0)
		rc = get_time(r, JK_AUTHOR_CREATED_AT, &f->v[JK_AUTHOR_CREATED_AT], 0,
			      &f->author_created_at);
	if (rc == 0)
		rc = get_time(r, JK_SERVER_TIME, &f->v[JK_SERVER_TIME], 0, &f->server_time);
	for (int k = JK_AUTHOR_HANDLE; rc == 0 && k <= JK_RAW_SHA256; k++)
		if (k != JK_SERVER_TIME)
			rc = opt_id(r, k, &f->v[k]);
	/* stored as times, not text */
	f->v[JK_CREATED_AT].kind = JV_ABSENT;
	f->v[JK_AUTHOR_CREATED_AT].kind = JV_ABSENT;
	f->v[JK_SERVER_TIME].kind = JV_ABSENT;
	return rc;
}

static void get_fields(const struct rec *r, const json_t *obj, struct fields *f)
{
	for (int k = 0; k < JK_COUNT; k++)
		classify(r, json_object_get(obj, key_names[k]), &f->v[k]);
}

static int has_value(const struct val *v)
{
	return v->kind == JV_STRING || v->kind == JV_BIGINT;
}

static int has_extra(const struct fields *f)
{
	for (int k = JK_PLATFORM; k < JK_COUNT; k++)
		if (has_value(&f->v[k]))
			return 1;
	return f->author_created_at != CHORUS_TIME_NONE || f->server_time != CHORUS_TIME_NONE;
}

/* Copy v to *at (NUL-terminated) and point s at it; advance *at. */
static void put(chorus_str *s, const struct val *v, char **at)
{
	if (!has_value(v)) {
		s->p = NULL;
		s->len = 0;
		return;
	}
	memcpy(*at, v->p, v->len);
	(*at)[v->len] = '\0';
	s->p = *at;
	s->len = (uint32_t)v->len;
	*at += v->len + 1;
}

static void put_extra(chorus_post_extra *x, const struct fields *f, char **at)
{
	put(&x->platform, &f->v[JK_PLATFORM], at);
	put(&x->url, &f->v[JK_URL], at);
	put(&x->lang, &f->v[JK_LANG], at);
	put(&x->repost_of, &f->v[JK_REPOST_OF], at);
	put(&x->reply_to, &f->v[JK_REPLY_TO], at);
	x->author_created_at = f->author_created_at;
	put(&x->author_handle, &f->v[JK_AUTHOR_HANDLE], at);
	x->server_time = f->server_time;
	put(&x->source, &f->v[JK_SOURCE], at);
	put(&x->source_line, &f->v[JK_SOURCE_LINE], at);
	put(&x->raw_sha256, &f->v[JK_RAW_SHA256], at);
}

/* Store the fields with one arena allocation: the extra block, then text. */
static int store(const struct fields *f, chorus_arena *a, chorus_post *post)
{
	const int extra = has_extra(f);
	size_t size = extra ? sizeof(chorus_post_extra) : 0;
	char *mem, *at;

	for (int k = 0; k < JK_COUNT; k++)
		if (has_value(&f->v[k]))
			size += f->v[k].len + 1; /* each <= a line: no overflow */
	mem = chorus_arena_alloc(a, size);
	if (!mem)
		return CHORUS_ENOMEM;
	at = mem + (extra ? sizeof(chorus_post_extra) : 0);
	memset(post, 0, sizeof *post);
	put(&post->id, &f->v[JK_ID], &at);
	put(&post->author, &f->v[JK_AUTHOR], &at);
	put(&post->text, &f->v[JK_TEXT], &at);
	post->created_at = f->created_at;
	if (extra) {
		put_extra((chorus_post_extra *)(void *)mem, f, &at);
		post->extra = (const chorus_post_extra *)(void *)mem;
	}
	if (has_value(&f->v[JK_REPOST_OF]))
		post->flags |= CHORUS_POST_REPOST;
	return 0;
}

/* ---- integers too big for int64 ----------------------------------------- */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Past the string whose body starts at i; SIZE_MAX at a \u0000 escape. */
static size_t skip_string(const char *s, size_t len, size_t i, size_t *nul_at)
{
	while (i < len && s[i] != '"') {
		if (s[i] != '\\') {
			i++;
			continue;
		}
		if (i + 5 < len && s[i + 1] == 'u' && memcmp(s + i + 2, "0000", 4) == 0) {
			*nul_at = i;
			return SIZE_MAX;
		}
		i += 2;
	}
	return i < len ? i + 1 : len;
}

static int beyond_int64(const char *d, size_t nd, int negative)
{
	if (nd != 19)
		return nd > 19;
	return memcmp(d, negative ? "9223372036854775808" : "9223372036854775807", 19) > 0;
}

/* Overwrite s[i, j) (a JSON integer of >= 19 bytes) with its stand-in. */
static void stand_in(char *s, size_t i, size_t j)
{
	size_t off = i;

	memcpy(s + i, MARKER, MARKER_LEN);
	s[j - 1] = '"';
	for (size_t k = j - 1; k > i + MARKER_LEN; k--) {
		s[k - 1] = (char)('0' + off % 10);
		off /= 10;
	}
	assert(off == 0);
}

/* The number token at i: replaced when it is an integer past int64. */
static size_t number(char *s, size_t len, size_t i)
{
	const int negative = s[i] == '-';
	size_t d0 = i + (size_t)negative, j = d0;

	while (j < len && is_digit(s[j]))
		j++;
	if (j < len && (s[j] == '.' || s[j] == 'e' || s[j] == 'E')) {
		/* A real: skip all of it so its digits are not taken for a token. */
		while (j < len && (is_digit(s[j]) || strchr(".eE+-", s[j])))
			j++;
		return j;
	}
	if (j == d0 || (j - d0 > 1 && s[d0] == '0'))
		return j > i ? j : i + 1; /* not an integer jansson accepts */
	if (beyond_int64(s + d0, j - d0, negative))
		stand_in(s, i, j);
	return j;
}

/* 1 and the escape's offset in *at when a string in s holds \u0000. */
static int find_nul_escape(const char *s, size_t len, size_t *at)
{
	size_t i = 0;

	while (i < len) {
		if (s[i] != '"') {
			i++;
			continue;
		}
		i = skip_string(s, len, i + 1, at);
		if (i == SIZE_MAX)
			return 1;
	}
	return 0;
}

/* Replace the big integers in s (a copy of a line without \u0000). */
static void replace_bigints(char *s, size_t len)
{
	size_t i = 0, unused = 0;

	while (i < len) {
		if (s[i] == '"') {
			i = skip_string(s, len, i + 1, &unused);
		} else if (s[i] == '-' || is_digit(s[i])) {
			i = number(s, len, i);
		} else {
			i++;
		}
	}
}

/* ---- loading ------------------------------------------------------------ */

/* The 1-based column (in characters, as jansson counts) of byte off. */
static size_t column_of(const char *line, size_t off)
{
	size_t col = 1;

	for (size_t i = 0; i < off; i++)
		col += ((unsigned char)line[i] & 0xc0) != 0x80;
	return col;
}

static int nul_escape_error(const struct rec *r, size_t at)
{
	return fail(r->msg, "escaped NUL character (\\u0000) in a string (column %zu)",
		    column_of(r->line, at));
}

/* jansson fails some allocations without a message: no text means that. */
static int out_of_memory(const json_error_t *je)
{
	return je->text[0] == '\0' || json_error_code(je) == json_error_out_of_memory;
}

static void error_init(json_error_t *je)
{
	je->text[0] = '\0';
	je->text[JSON_ERROR_TEXT_LENGTH - 1] = (char)json_error_unknown;
}

static int load_error(const struct rec *r, const json_error_t *je)
{
	const char *nul = memchr(r->line, '\0', r->len);
	size_t bad;

	if (out_of_memory(je))
		return CHORUS_ENOMEM;
	if (nul)
		return fail(r->msg, "NUL byte at column %zu",
			    column_of(r->line, (size_t)(nul - r->line)));
	if (!chorus_utf8_valid(r->line, r->len, &bad))
		return fail(r->msg, "invalid UTF-8 at byte %zu", bad + 1);
	if (json_error_code(je) == json_error_null_character &&
	    find_nul_escape(r->line, r->len, &bad))
		return nul_escape_error(r, bad);
	if (je->column > 0)
		return fail(r->msg, "invalid JSON: %s (column %d)", je->text, je->column);
	return fail(r->msg, "invalid JSON: %s", je->text);
}

/* A failed second parse: a stand-in where no number may be (an object key,
 * after the value) must not show in the message. */
static int bigint_load_error(const struct rec *r, const json_error_t *je)
{
	if (out_of_memory(je))
		return CHORUS_ENOMEM;
	if (json_error_code(je) == json_error_null_byte_in_key ||
	    strstr(je->text, "\\u0000"))
		return fail(r->msg, "invalid JSON: unexpected number (column %d)", je->column);
	return load_error(r, je);
}

/* Second parse of a line holding integers too big for jansson. */
static json_t *load_bigints(struct rec *r, chorus_jsonl_ws *ws, json_error_t *je,
			    int *rc)
{
	size_t nul_at = 0;
	json_t *root;

	if (find_nul_escape(r->line, r->len, &nul_at)) {
		*rc = nul_escape_error(r, nul_at);
		return NULL;
	}
	chorus_buf_reset(&ws->scratch);
	*rc = chorus_buf_append(&ws->scratch, r->line, r->len);
	if (*rc != 0)
		return NULL;
	replace_bigints(ws->scratch.data, r->len);
	error_init(je);
	root = json_loadb(ws->scratch.data, r->len, LOAD_FLAGS | JSON_ALLOW_NUL, je);
	if (!root)
		*rc = bigint_load_error(r, je);
	r->bigints = 1;
	return root;
}

static json_t *load(struct rec *r, chorus_jsonl_ws *ws, int *rc)
{
	json_error_t je;
	json_t *root;

	error_init(&je);
	root = json_loadb(r->line, r->len, LOAD_FLAGS, &je);
	if (root)
		return root;
	if (json_error_code(&je) == json_error_numeric_overflow &&
	    !memchr(r->line, '\0', r->len))
		return load_bigints(r, ws, &je, rc);
	*rc = load_error(r, &je);
	return NULL;
}

int chorus_jsonl_parse_record_slow(const char *p, size_t len, chorus_jsonl_ws *ws,
				   chorus_arena *strings, chorus_post *post,
				   char msg[CHORUS_ERROR_TEXT])
{
	struct rec r = { p, len, 0, msg };
	struct fields f;
	int rc = 0;
	json_t *root = load(&r, ws, &rc);

	if (!root)
		return rc;
	if (json_is_object(root)) {
		get_fields(&r, root, &f);
		rc = check_fields(&r, &f);
	} else {
		rc = fail(msg, "not a JSON object");
	}
	if (rc == 0)
		rc = store(&f, strings, post);
	json_decref(root);
	return rc;
}

int chorus_jsonl_parse_record(const char *p, size_t len, chorus_jsonl_ws *ws,
			      chorus_arena *strings, chorus_post *post,
			      char msg[CHORUS_ERROR_TEXT])
{
	struct rec r = { p, len, 0, msg };
	chorus_jfield jf[JK_COUNT];
	struct fields f;

	/* The fast path answers for valid records only; a record that fails a
	 * check is read again by jansson so that every message is the same. */
	chorus_buf_reset(&ws->scratch);
	if (chorus_buf_reserve(&ws->scratch, len) == 0 &&
	    chorus_jsonl_fast_scan(p, len, ws->scratch.data, jf)) {
		char quiet[CHORUS_ERROR_TEXT];
		r.msg = quiet;
		for (int k = 0; k < JK_COUNT; k++)
			from_fast(&jf[k], &f.v[k]);
		if (check_fields(&r, &f) == 0)
			return store(&f, strings, post);
	}
	return chorus_jsonl_parse_record_slow(p, len, ws, strings, post, msg);
}

int chorus_jsonl_blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

void chorus_jsonl_ws_init(chorus_jsonl_ws *ws)
{
	chorus_buf_init(&ws->scratch, CHORUS_INPUT_MAX_RECORD_LIMIT);
}

void chorus_jsonl_ws_dispose(chorus_jsonl_ws *ws)
{
	chorus_buf_dispose(&ws->scratch);
}

/* ---- the parallel driver ------------------------------------------------ */

/* SLOT_MANY: a line of another format, nmore posts (maybe 0) in more. */
enum { SLOT_POST = 0, SLOT_BLANK = 1, SLOT_BAD = 2, SLOT_MANY = 3 }; /* or a negative code */

struct slot {
	chorus_post post;
	chorus_post *more; /* SLOT_MANY: in the worker's msgs arena */
	size_t nmore;
	const char *msg;   /* SLOT_BAD: in the worker's msgs arena */
	int status;
};

struct worker {
	chorus_arena strings; /* moved to the corpus on success */
	chorus_arena msgs;    /* emptied after every batch */
	chorus_jsonl_ws ws;
	char pad[64];         /* keeps threads' workers off one cache line */
};

struct reader {
	chorus_corpus *c;
	const chorus_read_opts *opts;
	chorus_error *err;
	chorus_input *in;
	chorus_input_stats *st;
	uint32_t input;
	int format;        /* enum chorus_format, never AUTO once reading */
	size_t max_record;
	int nt;
	struct worker *w;
	struct slot *slots;
};

/* Parse one line into its slot (what every thread runs). */
static void parse_line(const struct reader *rd, const chorus_line *l, struct worker *w,
		       struct slot *s)
{
	char msg[CHORUS_ERROR_TEXT];
	int rc;

	if (!l->p) {
		rc = fail(msg, "record too long (%zu bytes > %zu limit)", l->len, rd->max_record);
	} else if (chorus_jsonl_blank(l->p, l->len)) {
		s->status = SLOT_BLANK;
		return;
	} else if (rd->format == CHORUS_FORMAT_JSONL) {
		rc = chorus_jsonl_parse_record(l->p, l->len, &w->ws, &w->strings,
					       &s->post, msg);
	} else {
		rc = chorus_twitter_parse_line(rd->format, l->p, l->len, rd->st->path, l->no,
					       &w->strings, &w->msgs, &s->more, &s->nmore, msg);
		if (rc == 0)
			rc = SLOT_MANY;
	}
	if (rc == CHORUS_EINPUT) {
		s->msg = chorus_arena_strndup(&w->msgs, msg, strlen(msg));
		rc = s->msg ? SLOT_BAD : CHORUS_ENOMEM;
	}
	s->status = rc;
}

/* A bad record: to on_error, or, under strict, the error of the read. */
static int report(struct reader *rd, uint64_t line, const char *msg)
{
	chorus_error e;

	rd->st->skipped++;
	chorus_error_set(&e, rd->st->path, line, "%s", msg);
	if (rd->opts->strict) {
		*rd->err = e;
		return CHORUS_EINPUT;
	}
	if (rd->opts->on_error)
		rd->opts->on_error(rd->opts->ud, &e);
	return 0;
}

static int doc_bad(void *ud, uint64_t line, const char *msg)
{
	return report(ud, line, msg);
}

static int merge_slot(struct reader *rd, const chorus_line *l, struct slot *s)
{
	switch (s->status) {
	case SLOT_POST:
		s->post.line = l->no;
		s->post.input = rd->input;
		chorus_corpus_push(rd->c, &s->post);
		rd->st->records++;
		rd->st->reposts += (s->post.flags & CHORUS_POST_REPOST) != 0;
		return 0;
	case SLOT_MANY: {
		int rc = chorus_corpus_reserve(rd->c, s->nmore, rd->err);
		for (size_t k = 0; rc == 0 && k < s->nmore; k++) {
			s->more[k].line = l->no;
			s->more[k].input = rd->input;
			chorus_corpus_push(rd->c, &s->more[k]);
			rd->st->records++;
			rd->st->reposts += (s->more[k].flags & CHORUS_POST_REPOST) != 0;
		}
		return rc;
	}
	case SLOT_BLANK:
		rd->st->blank++;
		return 0;
	case SLOT_BAD:
		return report(rd, l->no, s->msg);
	default:
		return s->status;
	}
}

/* Merge a parsed batch into the corpus, in line order. */
static int merge(struct reader *rd, const chorus_batch *b)
{
	int rc = chorus_corpus_reserve(rd->c, b->n, rd->err);

	for (size_t i = 0; rc == 0 && i < b->n; i++) {
		rd->st->lines++;
		rc = merge_slot(rd, &b->lines[i], &rd->slots[i]);
	}
	for (int t = 0; t < rd->nt; t++)
		chorus_arena_dispose(&rd->w[t].msgs);
	if (rc == 0 && rd->opts->on_progress)
		rd->opts->on_progress(rd->opts->ud, rd->st->path, chorus_input_bytes(rd->in));
	return rc;
}

/* Parse cur in parallel while one thread reads next, then merge cur. */
static int step(struct reader *rd, const chorus_batch *cur, chorus_batch *next)
{
	const size_t n = cur->n;
	int rrc = 0, rc;
	chorus_error rerr;

	chorus_error_clear(&rerr);
#pragma omp parallel num_threads(rd->nt) default(none) shared(rd, cur, next, rrc, rerr, n)
	{
#pragma omp single nowait
		rrc = chorus_input_next(rd->in, next, &rerr);
#pragma omp for schedule(dynamic, 256) nowait
		for (size_t i = 0; i < n; i++)
			parse_line(rd, &cur->lines[i], &rd->w[chorus_par_thread_id()],
				   &rd->slots[i]);
	}
	rc = merge(rd, cur);
	if (rc == 0 && rrc != 0) {
		*rd->err = rerr;
		rc = rrc;
	}
	return rc;
}

static int read_all(struct reader *rd)
{
	chorus_batch b[2];
	int k = 0;
	int rc = chorus_input_next(rd->in, &b[0], rd->err);

	rd->st->format_auto = rd->format == CHORUS_FORMAT_AUTO;
	if (rc == 0 && rd->format == CHORUS_FORMAT_AUTO)
		rd->format = chorus_detect_format(b[0].lines, b[0].n);
	rd->st->format = chorus_format_name(rd->format);
	if (rc == 0 && (chorus_format_is_doc(rd->format) ||
			(rd->format == CHORUS_FORMAT_TWITTER_V1 &&
			 chorus_starts_array(b[0].lines, b[0].n)))) {
		chorus_doc_sink sink = { rd->c, rd->input, rd->st, rd->in, &rd->w[0].strings,
					 rd->max_record, rd->err, doc_bad, rd };
		return chorus_doc_read(&sink, rd->format, &b[0]);
	}
	if (rc == 0 && rd->format >= CHORUS_FORMAT_CSV) {
		chorus_doc_sink sink = { rd->c, rd->input, rd->st, rd->in, &rd->w[0].strings,
					 rd->max_record, rd->err, doc_bad, rd };
		return chorus_csv_read(&sink, rd->format, rd->opts->csv_map, &b[0]);
	}
	while (rc == 0 && b[k].n > 0) {
		rc = step(rd, &b[k], &b[k ^ 1]);
		k ^= 1;
	}
	return rc;
}

static int workers_new(struct reader *rd, size_t batch_lines)
{
	rd->w = chorus_calloc((size_t)rd->nt, sizeof *rd->w);
	rd->slots = chorus_mallocarray(batch_lines, sizeof *rd->slots);
	if (!rd->w || !rd->slots)
		return CHORUS_ENOMEM;
	for (int t = 0; t < rd->nt; t++) {
		chorus_arena_init(&rd->w[t].strings);
		chorus_arena_init(&rd->w[t].msgs);
		chorus_jsonl_ws_init(&rd->w[t].ws);
	}
	return 0;
}

/* Free the workers; keep their strings in the corpus when keep is set. */
static void workers_free(struct reader *rd, int keep)
{
	for (int t = 0; rd->w && t < rd->nt; t++) {
		if (keep)
			chorus_arena_adopt(chorus_corpus_arena(rd->c), &rd->w[t].strings);
		chorus_arena_dispose(&rd->w[t].strings);
		chorus_arena_dispose(&rd->w[t].msgs);
		chorus_jsonl_ws_dispose(&rd->w[t].ws);
	}
	chorus_free(rd->w);
	chorus_free(rd->slots);
}

/* Errors name the input by the stats' copy of its name, which outlives it. */
static int open_input(struct reader *rd, const void *mem, size_t n,
		      const chorus_input_limits *lim)
{
	if (!mem)
		return chorus_input_open(&rd->in, rd->st->path, lim, rd->err);
	return chorus_input_open_mem(&rd->in, rd->st->path, mem, n, lim, rd->err);
}

static int read_source(struct reader *rd, const char *path, const void *mem,
		       size_t n, const chorus_input_limits *lim)
{
	int rc = chorus_corpus_add_input(rd->c, path, &rd->input, rd->err);

	if (rc != 0)
		return rc;
	rd->st = chorus_corpus_input_stats(rd->c, rd->input);
	rc = open_input(rd, mem, n, lim);
	if (rc == 0)
		rc = workers_new(rd, lim->batch_lines ? lim->batch_lines
						      : CHORUS_INPUT_BATCH_LINES);
	if (rc == 0)
		rc = read_all(rd);
	if (rc == 0) {
		rd->st->bytes = chorus_input_bytes(rd->in);
		chorus_input_sha256(rd->in, rd->st->sha256);
	}
	return rc;
}

static int read_jsonl(chorus_corpus *c, const char *path, const void *mem,
		      size_t n, const chorus_read_opts *opts,
		      const chorus_input_limits *lim, int format, chorus_error *err)
{
	static const chorus_read_opts defaults;
	chorus_input_limits l = lim ? *lim : (chorus_input_limits){ 0, 0, 0 };
	struct reader rd = { .c = c, .opts = opts ? opts : &defaults, .err = err,
			     .format = format };
	const size_t nposts = chorus_corpus_count(c);
	const size_t ninputs = chorus_corpus_input_count(c);
	int rc;

	l.max_record = rd.opts->max_record ? rd.opts->max_record : CHORUS_MAX_RECORD;
	if (l.max_record > CHORUS_INPUT_MAX_RECORD_LIMIT) {
		chorus_error_set(err, path, 0, "max_record is over the limit of %zu bytes",
				 (size_t)CHORUS_INPUT_MAX_RECORD_LIMIT);
		return CHORUS_EUSAGE;
	}
	rd.max_record = l.max_record;
	rd.nt = chorus_par_threads(rd.opts->threads);
	/* jansson's hash seed must be set before any thread parses. */
	json_object_seed(JSON_SEED);
	rc = read_source(&rd, path, mem, n, &l);
	workers_free(&rd, rc == 0);
	chorus_input_free(rd.in);
	if (rc == CHORUS_ENOMEM)
		chorus_error_set(err, path, 0, "out of memory");
	if (rc != 0)
		chorus_corpus_rollback(c, nposts, ninputs);
	return rc;
}

int chorus_corpus_read_jsonl(chorus_corpus *c, const char *path,
			     const chorus_read_opts *opts, chorus_error *err)
{
	return read_jsonl(c, path, NULL, 0, opts, NULL, CHORUS_FORMAT_JSONL, err);
}

int chorus_corpus_read(chorus_corpus *c, const char *path, const chorus_read_opts *opts,
		       chorus_error *err)
{
	const int format = opts ? opts->format : CHORUS_FORMAT_AUTO;

	if (format < 0 || format >= CHORUS_FORMAT_COUNT) {
		chorus_error_set(err, path, 0, "unknown input format %d", format);
		return CHORUS_EUSAGE;
	}
	return read_jsonl(c, path, NULL, 0, opts, NULL, format, err);
}

int chorus_corpus_read_jsonl_mem(chorus_corpus *c, const char *name,
				 const void *data, size_t n,
				 const chorus_read_opts *opts,
				 const chorus_input_limits *lim, chorus_error *err)
{
	static const char empty;

	return read_jsonl(c, name, data ? data : &empty, n, opts, lim,
			  opts && opts->format ? opts->format : CHORUS_FORMAT_JSONL, err);
}
