/*
 * input.c - byte sources (file, standard input, memory) split into lines.
 *
 * Layers, bottom up:
 *   raw      bytes as stored, read in 256 KiB blocks (or the caller's
 *            memory block); every byte is counted and fed to SHA-256 once.
 *   content  the raw bytes themselves, or, when the first two are the gzip
 *            magic 1f 8b, their inflation (zlib, windowBits 15+32), member
 *            after member; anything after a member that is not another
 *            member is an error, and so is an input that ends inside one.
 *   lines    content cut at '\n' into one of two alternating batch buffers.
 *
 * Invariants of a batch buffer being filled: [0, start) holds complete lines
 * already handed out in this batch; [start, len) is the current partial line,
 * at most max_record + 1 bytes (a longer one switches to skipping: its bytes
 * are counted and dropped, never kept), so the buffer, which holds at least
 * max_record + 2 bytes, always has room for more when it holds no complete
 * line.  The partial line left at the end of a batch (the carry) is copied to
 * the start of the other buffer by the next call, which therefore only reads
 * the batch handed out before: that batch may be parsed meanwhile.
 *
 * Cost: one copy of the content into the batch buffer plus one memchr pass;
 * plain files are read straight into the batch buffer after the first block.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "chorus/alloc.h"
#include "input_int.h"

#define RAW_BLOCK ((size_t)256 << 10)
#define MIN_READ ((size_t)64 << 10)

struct batchbuf {
	char *buf;          /* cap bytes */
	chorus_line *lines; /* max_lines slots */
	size_t len, n;
};

struct chorus_input {
	const char *name;
	int fd;       /* -1 for a memory input */
	int close_fd; /* 0 for standard input */
	/* raw: unread bytes are rdata[rpos, rlen) */
	unsigned char *raw; /* RAW_BLOCK bytes; NULL for a memory input */
	const unsigned char *rdata;
	size_t rpos, rlen;
	int raw_eof;
	chorus_sha256 *sha;
	uint64_t bytes;
	/* content */
	int gzip, z_ready, member_end;
	z_stream z;
	/* lines */
	size_t max_record, cap, max_lines, min_room;
	struct batchbuf b[2];
	int cur;
	const char *carry;
	size_t carry_len;
	uint64_t lineno;
	int skipping, skip_cr, eof;
	uint64_t skip_len;
};

/* ---- raw bytes ---------------------------------------------------------- */

static int io_error(const chorus_input *in, chorus_error *err, int e)
{
	chorus_error_set(err, in->name, 0, "%s", strerror(e));
	return CHORUS_EIO;
}

static void account(chorus_input *in, const void *p, size_t n)
{
	chorus_sha256_update(in->sha, p, n);
	in->bytes += n;
}

/* read(2) that retries on EINTR; -1 with errno set on failure. */
static ssize_t read_some(int fd, void *p, size_t n)
{
	ssize_t got;

	if (n > (size_t)SSIZE_MAX)
		n = (size_t)SSIZE_MAX;
	do
		got = read(fd, p, n);
	while (got < 0 && errno == EINTR);
	return got;
}

/* Read more raw bytes behind the unread ones: 1 when some came, 0 at the end
 * of the input, CHORUS_EIO. */
static int raw_more(chorus_input *in, chorus_error *err)
{
	size_t keep = in->rlen - in->rpos;
	ssize_t got;

	assert(keep < RAW_BLOCK);
	if (in->raw_eof)
		return 0;
	memmove(in->raw, in->raw + in->rpos, keep);
	in->rpos = 0;
	in->rlen = keep;
	got = read_some(in->fd, in->raw + keep, RAW_BLOCK - keep);
	if (got < 0)
		return io_error(in, err, errno);
	if (got == 0) {
		in->raw_eof = 1;
		return 0;
	}
	account(in, in->raw + keep, (size_t)got);
	in->rlen += (size_t)got;
	return 1;
}

/* Make at least 2 raw bytes available unless the input ends first. */
static int raw_need2(chorus_input *in, chorus_error *err)
{
	while (in->rlen - in->rpos < 2) {
		int rc = raw_more(in, err);
		if (rc <= 0)
			return rc;
	}
	return 0;
}

static int at_gzip_magic(const chorus_input *in)
{
	return in->rlen - in->rpos >= 2 && in->rdata[in->rpos] == 0x1f &&
	       in->rdata[in->rpos + 1] == 0x8b;
}

/* ---- content: plain ----------------------------------------------------- */

/* Up to room content bytes into dst; *got == 0 at the end. */
static int plain_fill(chorus_input *in, char *dst, size_t room, size_t *got,
		      chorus_error *err)
{
	size_t have = in->rlen - in->rpos;
	ssize_t n;

	if (have > 0) {
		*got = have < room ? have : room;
		memcpy(dst, in->rdata + in->rpos, *got);
		in->rpos += *got;
		return 0;
	}
	*got = 0;
	if (in->raw_eof)
		return 0;
	/* Past the first block a plain file is read straight into place. */
	n = read_some(in->fd, dst, room);
	if (n < 0)
		return io_error(in, err, errno);
	if (n == 0)
		in->raw_eof = 1;
	account(in, dst, (size_t)n);
	*got = (size_t)n;
	return 0;
}

/* ---- content: gzip ------------------------------------------------------ */

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	(void)opaque;
	return chorus_mallocarray(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	chorus_free(p);
}

static int gzip_start(chorus_input *in)
{
	memset(&in->z, 0, sizeof in->z);
	in->z.zalloc = z_alloc;
	in->z.zfree = z_free;
	if (inflateInit2(&in->z, 15 + 32) != Z_OK)
		return CHORUS_ENOMEM;
	in->z_ready = 1;
	in->gzip = 1;
	return 0;
}

static int gzip_error(const chorus_input *in, chorus_error *err, const char *what)
{
	if (in->z.msg)
		chorus_error_set(err, in->name, 0, "%s gzip data (%s)", what, in->z.msg);
	else
		chorus_error_set(err, in->name, 0, "%s gzip data", what);
	return CHORUS_EIO;
}

/* After a member ended: 1 when another member follows, 0 at the end. */
static int next_member(chorus_input *in, chorus_error *err)
{
	int rc = raw_need2(in, err);

	if (rc < 0)
		return rc;
	if (in->rpos == in->rlen)
		return 0;
	if (!at_gzip_magic(in)) {
		chorus_error_set(err, in->name, 0,
				 "corrupt gzip data (trailing bytes after the last member)");
		return CHORUS_EIO;
	}
	inflateReset(&in->z);
	in->member_end = 0;
	return 1;
}

/* One inflate step on the unread raw bytes, reading more first if needed. */
static int inflate_step(chorus_input *in, chorus_error *err)
{
	int rc;
	size_t avail;

	if (in->rpos == in->rlen) {
		rc = raw_more(in, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return gzip_error(in, err, "truncated");
	}
	avail = in->rlen - in->rpos;
	in->z.next_in = (Bytef *)(uintptr_t)(in->rdata + in->rpos);
	in->z.avail_in = avail > UINT_MAX ? UINT_MAX : (uInt)avail;
	rc = inflate(&in->z, Z_NO_FLUSH);
	in->rpos = (size_t)(in->z.next_in - in->rdata);
	if (rc == Z_STREAM_END)
		in->member_end = 1;
	else if (rc == Z_MEM_ERROR)
		return CHORUS_ENOMEM;
	else if (rc != Z_OK)
		/* Z_BUF_ERROR cannot happen with input and output room. */
		return gzip_error(in, err, "corrupt");
	return 0;
}

static int gzip_fill(chorus_input *in, char *dst, size_t room, size_t *got,
		     chorus_error *err)
{
	uInt want = room > UINT_MAX ? UINT_MAX : (uInt)room;
	int rc;

	*got = 0;
	in->z.next_out = (Bytef *)dst;
	in->z.avail_out = want;
	while (in->z.avail_out == want) {
		if (in->member_end) {
			rc = next_member(in, err);
			if (rc <= 0)
				return rc;
		}
		rc = inflate_step(in, err);
		if (rc < 0)
			return rc;
	}
	*got = want - in->z.avail_out;
	return 0;
}

static int content_fill(chorus_input *in, char *dst, size_t room, size_t *got,
			chorus_error *err)
{
	return in->gzip ? gzip_fill(in, dst, room, got, err)
			: plain_fill(in, dst, room, got, err);
}

/* ---- lines -------------------------------------------------------------- */

static void emit(chorus_input *in, struct batchbuf *b, const char *p, size_t len)
{
	assert(b->n < in->max_lines);
	/* A UTF-8 byte order mark (Windows exports) is not part of line 1. */
	if (in->lineno == 0 && p && len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		len -= 3;
	}
	b->lines[b->n].p = p;
	b->lines[b->n].len = len;
	b->lines[b->n].no = ++in->lineno;
	b->n++;
}

/* The line [start, end) of b is complete (end is its '\n' or the input's
 * end); when skipping, it is the tail of a long line. */
static void end_line(chorus_input *in, struct batchbuf *b, size_t start, size_t end)
{
	size_t len = end - start;
	int cr = len > 0 && b->buf[end - 1] == '\r';

	if (in->skipping) {
		uint64_t total = in->skip_len + len;
		if (len == 0)
			cr = in->skip_cr;
		in->skipping = 0;
		in->skip_len = 0;
		emit(in, b, NULL, (size_t)(total - (uint64_t)cr));
		return;
	}
	len -= (size_t)cr;
	emit(in, b, len > in->max_record ? NULL : b->buf + start, len);
}

/* The partial line [start, len) has no '\n' yet: drop it when it is (or is
 * part of) a line too long to keep. */
static void check_partial(chorus_input *in, struct batchbuf *b, size_t start)
{
	size_t part = b->len - start;

	if (!in->skipping && part <= in->max_record + 1)
		return;
	if (part > 0)
		in->skip_cr = b->buf[b->len - 1] == '\r';
	in->skip_len += part;
	in->skipping = 1;
	b->len = start;
}

/* Cut complete lines out of b from scan on; returns the new start. */
static size_t cut_lines(chorus_input *in, struct batchbuf *b, size_t start,
			size_t *scan)
{
	while (*scan < b->len && b->n < in->max_lines) {
		const char *nl = memchr(b->buf + *scan, '\n', b->len - *scan);
		size_t at;

		if (!nl) {
			*scan = b->len;
			break;
		}
		at = (size_t)(nl - b->buf);
		end_line(in, b, start, at);
		start = *scan = at + 1;
	}
	return start;
}

static int fill_batch(chorus_input *in, struct batchbuf *b, chorus_error *err)
{
	size_t start = 0, scan = 0, got;
	int rc;

	for (;;) {
		start = cut_lines(in, b, start, &scan);
		if (b->n == in->max_lines)
			break;
		check_partial(in, b, start);
		scan = b->len;
		if (b->n > 0 && in->cap - b->len < in->min_room)
			break;
		rc = content_fill(in, b->buf + b->len, in->cap - b->len, &got, err);
		if (rc < 0)
			return rc;
		if (got == 0) {
			if (in->skipping || b->len > start)
				end_line(in, b, start, b->len);
			start = b->len;
			in->eof = 1;
			break;
		}
		b->len += got;
	}
	in->carry = b->buf + start;
	in->carry_len = b->len - start;
	return 0;
}

int chorus_input_next(chorus_input *in, chorus_batch *out, chorus_error *err)
{
	struct batchbuf *b = &in->b[in->cur];
	int rc;

	b->n = 0;
	b->len = 0;
	if (in->carry_len > 0) {
		memcpy(b->buf, in->carry, in->carry_len);
		b->len = in->carry_len;
		in->carry_len = 0;
	}
	if (!in->eof || b->len > 0) {
		rc = fill_batch(in, b, err);
		if (rc < 0)
			return rc;
	}
	in->cur ^= 1;
	out->lines = b->lines;
	out->n = b->n;
	return 0;
}

/* ---- opening and closing ------------------------------------------------ */

static int set_limits(chorus_input *in, const chorus_input_limits *lim)
{
	size_t bytes = lim->batch_bytes ? lim->batch_bytes : CHORUS_INPUT_BATCH_BYTES;

	if (lim->max_record == 0 || lim->max_record > CHORUS_INPUT_MAX_RECORD_LIMIT)
		return CHORUS_EUSAGE;
	in->max_record = lim->max_record;
	in->max_lines = lim->batch_lines ? lim->batch_lines : CHORUS_INPUT_BATCH_LINES;
	in->cap = bytes > in->max_record + 2 ? bytes : in->max_record + 2;
	in->min_room = in->cap / 8 < MIN_READ ? in->cap / 8 : MIN_READ;
	if (in->min_room == 0)
		in->min_room = 1;
	return 0;
}

static int alloc_buffers(chorus_input *in)
{
	for (int i = 0; i < 2; i++) {
		in->b[i].buf = chorus_malloc(in->cap);
		in->b[i].lines = chorus_mallocarray(in->max_lines, sizeof(chorus_line));
		if (!in->b[i].buf || !in->b[i].lines)
			return CHORUS_ENOMEM;
	}
	in->sha = chorus_sha256_new();
	return in->sha ? 0 : CHORUS_ENOMEM;
}

static chorus_input *input_new(const char *name, const chorus_input_limits *lim,
			       int *rc)
{
	chorus_input *in = chorus_calloc(1, sizeof *in);

	if (!in) {
		*rc = CHORUS_ENOMEM;
		return NULL;
	}
	in->name = name;
	in->fd = -1;
	*rc = set_limits(in, lim);
	if (*rc == 0)
		*rc = alloc_buffers(in);
	if (*rc != 0) {
		chorus_input_free(in);
		return NULL;
	}
	return in;
}

/* Look at the first bytes and set up inflation for gzip content. */
static int sniff(chorus_input *in, chorus_error *err)
{
	int rc = in->fd >= 0 ? raw_need2(in, err) : 0;

	if (rc < 0)
		return rc;
	return at_gzip_magic(in) ? gzip_start(in) : 0;
}

static int open_fd(chorus_input *in, const char *path, chorus_error *err)
{
	if (strcmp(path, "-") == 0) {
		in->fd = STDIN_FILENO;
		return 0;
	}
	do
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
	while (in->fd < 0 && errno == EINTR);
	if (in->fd < 0)
		return io_error(in, err, errno);
	in->close_fd = 1;
	return 0;
}

int chorus_input_open(chorus_input **out, const char *path,
		      const chorus_input_limits *lim, chorus_error *err)
{
	int rc;
	chorus_input *in = input_new(path, lim, &rc);

	if (!in)
		return rc;
	in->raw = chorus_malloc(RAW_BLOCK);
	rc = in->raw ? open_fd(in, path, err) : CHORUS_ENOMEM;
	if (rc == 0) {
		in->rdata = in->raw;
		rc = sniff(in, err);
	}
	if (rc != 0) {
		chorus_input_free(in);
		return rc;
	}
	*out = in;
	return 0;
}

int chorus_input_open_mem(chorus_input **out, const char *name,
			  const void *data, size_t n,
			  const chorus_input_limits *lim, chorus_error *err)
{
	int rc;
	chorus_input *in = input_new(name, lim, &rc);

	if (!in)
		return rc;
	in->rdata = data;
	in->rlen = n;
	in->raw_eof = 1;
	account(in, data, n);
	rc = sniff(in, err);
	if (rc != 0) {
		chorus_input_free(in);
		return rc;
	}
	*out = in;
	return 0;
}

void chorus_input_free(chorus_input *in)
{
	if (!in)
		return;
	if (in->z_ready)
		inflateEnd(&in->z);
	if (in->close_fd && in->fd >= 0)
		close(in->fd);
	for (int i = 0; i < 2; i++) {
		chorus_free(in->b[i].buf);
		chorus_free(in->b[i].lines);
	}
	chorus_sha256_free(in->sha);
	chorus_free(in->raw);
	chorus_free(in);
}

uint64_t chorus_input_bytes(const chorus_input *in)
{
	return in->bytes;
}

int chorus_input_is_gzip(const chorus_input *in)
{
	return in->gzip;
}

void chorus_input_sha256(chorus_input *in, char out[CHORUS_SHA256_HEX])
{
	chorus_sha256_final_hex(in->sha, out);
}
