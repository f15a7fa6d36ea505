/*
 * test_import_web.c - RSS / Atom feeds and Telegram preview pages: the
 * RFC 822 dates, the field mapping, the parser's safety (external entities,
 * entity expansion, process-wide libxml2 defaults), the document cap, bad
 * records, detection, and the collectors' page / feed summaries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "chorus/buf.h"
#include "chorus/post.h"
#include "chorus/timeutil.h"
#include "import_int.h"
#include "import_web.h"
#include "jsonl_int.h"

/* libxml2's process-wide defaults (libxml/globals.h, parser.h), declared
 * here because only the reader itself includes libxml2. */
int xmlSubstituteEntitiesDefault(int val);
int *__xmlLoadExtDtdDefaultValue(void);
int *__xmlDoValidityCheckingDefaultValue(void);

#define MARKER "CHORUS-UNIT-XXE-4d1e"

static char fixtures[4096];

static const char *fixture(const char *name)
{
	static char path[4200];

	snprintf(path, sizeof path, "%s/%s", fixtures, name);
	return path;
}

static int64_t utc(int y, unsigned mo, unsigned d, int h, int mi, int s)
{
	return (chorus_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) *
	       CHORUS_NS_PER_SEC;
}

/* ---- reading ------------------------------------------------------------- */

typedef struct errs {
	int n;
	char first[CHORUS_ERROR_TEXT];
	uint64_t line;
} errs;

static void on_error(void *ud, const chorus_error *e)
{
	errs *x = ud;

	if (x->n++ == 0) {
		snprintf(x->first, sizeof x->first, "%s", e->text);
		x->line = e->line;
	}
}

/* (From memory the format must be named: 0 means canonical JSON Lines.) */
static chorus_corpus *read_mem(const char *text, size_t n, int format, size_t max_record,
			       int strict, errs *x, int *rc)
{
	const chorus_input_limits lim = { max_record, 4096, 3 };
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts o;
	chorus_error err;

	memset(&o, 0, sizeof o);
	memset(x, 0, sizeof *x);
	o.format = format;
	o.max_record = max_record;
	o.strict = strict;
	o.threads = 1;
	o.on_error = on_error;
	o.ud = x;
	*rc = chorus_corpus_read_jsonl_mem(c, "mem", text, n, &o, &lim, &err);
	if (*rc && strict) {
		snprintf(x->first, sizeof x->first, "%s", err.text);
		x->line = err.line;
	}
	return c;
}

static chorus_corpus *read_path(const char *path, int format, errs *x, int *rc)
{
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts o;
	chorus_error err;

	memset(&o, 0, sizeof o);
	memset(x, 0, sizeof *x);
	o.format = format;
	o.on_error = on_error;
	o.ud = x;
	*rc = chorus_corpus_read(c, path, &o, &err);
	return c;
}

static const chorus_post *post(const chorus_corpus *c, size_t i)
{
	return i < chorus_corpus_count(c) ? &chorus_corpus_posts(c)[i] : NULL;
}

/* Does any string of any post hold needle? */
static int corpus_holds(const chorus_corpus *c, const char *needle)
{
	for (size_t i = 0; i < chorus_corpus_count(c); i++) {
		const chorus_post *p = post(c, i);
		const chorus_post_extra *x = p->extra;
		const char *s[] = { p->id.p, p->author.p, p->text.p, x ? x->author_handle.p : NULL,
				    x ? x->url.p : NULL, x ? x->repost_of.p : NULL };
		for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
			if (s[k] && strstr(s[k], needle))
				return 1;
	}
	return 0;
}

/* ---- RFC 822 ------------------------------------------------------------- */

static void test_rfc822(void)
{
	const int64_t t = utc(2020, 4, 28, 9, 14, 5);
	int64_t ns = 0;

#define OK(s, want) do { ns = 0; CHECK_INT(chorus_rfc822_time(s, strlen(s), &ns), 0); \
		CHECK_INT(ns, want); } while (0)
#define BAD(s) CHECK_INT(chorus_rfc822_time(s, strlen(s), &ns), -1)
	OK("Tue, 28 Apr 2020 09:14:05 +0000", t);
	OK("Tue, 28 Apr 2020 15:14:05 +0600", t);
	OK("Tue, 28 Apr 2020 15:14:05 +06:00", t);
	OK("Tue, 28 Apr 2020 07:44:05 -0130", t);
	OK("  28 Apr 2020 09:14:05 GMT  ", t);
	OK("Tue 28 Apr 2020 09:14:05 UT", t);
	OK("Tue, 28 Apr 2020 09:14:05 UTC", t);
	OK("Tue, 28 Apr 2020 09:14:05 Z", t);
	OK("Tue, 28 Apr 2020 05:14:05 EDT", t);
	OK("Tue, 28 Apr 2020 04:14:05 EST", t);
	OK("Tue, 28 Apr 2020 04:14:05 cdt", t);
	OK("Tue, 28 Apr 2020 02:14:05 PDT", t);
	OK("Tue, 28 Apr 2020 01:14:05 PST", t);
	OK("Tue, 28 Apr 2020 03:14:05 MDT", t);
	OK("Tue, 28 Apr 2020 09:14:05 A", t);  /* military zones read as -0000 */
	OK("Tue, 28 Apr 2020 09:14:05 y", t);
	OK("Tue, 28 Apr 20 09:14:05 GMT", t);  /* two-digit years */
	OK("Tue, 28 Apr 120 09:14:05 GMT", t); /* three-digit: + 1900 */
	OK("Wed, 28 Apr 99 09:14:05 GMT", utc(1999, 4, 28, 9, 14, 5));
	OK("28 April 2020 09:14:05 +0000", t);
	OK("28 apr. 2020 09:14:05 +0000", t);
	OK("Tue, 28 Apr 2020 09:14 +0000", t - 5 * CHORUS_NS_PER_SEC);
	OK("Tue, 28 Apr 2020 9:14:05 +0000", t);
	OK("Tue, 28 Apr 2020 09:14:05 +0000 (UTC)", t);
	OK("Tue, 8 Apr 2020 09:14:05 +0000", utc(2020, 4, 8, 9, 14, 5));
	OK("Sat, 29 Feb 2020 00:00:00 +0000", utc(2020, 2, 29, 0, 0, 0));
	BAD("Tue, 28 Apr 2020 09:14:05");       /* no zone */
	BAD("Tue, 28 Apr 2020 09:14:05 J");     /* J is no zone */
	BAD("Tue, 28 Apr 2020 09:14:05 MSK");   /* not an RFC 822 name */
	BAD("Tue, 31 Apr 2020 09:14:05 +0000"); /* no 31 April */
	BAD("Fri, 29 Feb 2019 09:14:05 +0000");
	BAD("Tue, 28 Apr 2020 24:14:05 +0000");
	BAD("Tue, 28 Apr 2020 09:60:05 +0000");
	BAD("Tue, 28 Apr 2020 09:14:05 +2400");
	BAD("Tue, 28 Foo 2020 09:14:05 +0000");
	BAD("Tue, 28 Apr 2020 09:14:05 +0000 trailing");
	BAD("Tue, 28 Apr 2020 09:14:05 +0000 (unclosed");
	BAD("2020-04-28T09:14:05Z");
	BAD("Tue, 28 Apr 9999 09:14:05 +0000"); /* past 2261 */
	BAD("");
	BAD("вчера");
#undef OK
#undef BAD
}

/* ---- HTML text ------------------------------------------------------------ */

static void html_is(const char *h, const char *want)
{
	chorus_buf b;

	chorus_buf_init(&b, 1 << 16);
	CHECK_INT(chorus_html_text(&b, h, strlen(h)), 0);
	chorus_buf_putc(&b, '\0');
	CHECK_STR(b.data, want);
	chorus_buf_dispose(&b);
}

static void test_html_text(void)
{
	html_is("<p>a &amp; b</p><p>c<BR>d<br/>e</p>", "a & b\nc\nd\ne");
	html_is("&laquo;x&raquo; &mdash; &#171;y&#187; &#x1F525; &hellip;",
		"\xC2\xABx\xC2\xBB \xE2\x80\x94 \xC2\xABy\xC2\xBB \xF0\x9F\x94\xA5 \xE2\x80\xA6");
	html_is("a&unknown;b &#xD800; &#0; &; & x", "a&unknown;b &#xD800; &#0; &; & x");
	html_is("a<script>if (x > 1) y = '</p>';</script>b", "ab");
	html_is("a<SCRIPT type=x>1</Script >b<style>p{}</style>c", "abc");
	html_is("a<!-- c > d -->b<!-- open", "ab");
	html_is("<bread>x</bread><pre>y</pre>", "xy");
	html_is("x &lt;y&gt;", "x <y>");
	html_is("unterminated <b", "unterminated ");
	html_is("&#1179;&#1201;", "\xD2\x9B\xD2\xB1"); /* Kazakh құ */
}

/* ---- feeds ---------------------------------------------------------------- */

static void test_rss2(void)
{
	errs x;
	int rc;
	chorus_corpus *c = read_path(fixture("feed-rss2.xml"), CHORUS_FORMAT_AUTO, &x, &rc);
	const chorus_input_stats *st = chorus_corpus_input(c, 0);
	const chorus_post *p;

	CHECK_INT(rc, 0);
	CHECK_STR(st->format, "feed");
	CHECK_INT(st->format_auto, 1);
	CHECK_INT(chorus_corpus_count(c), 5);
	CHECK_INT(st->skipped, 2);
	CHECK_INT(st->ignored, 1);
	CHECK_INT(x.line, 33);
	CHECK(strstr(x.first, "time is not RFC 822") != NULL);
	p = post(c, 0);
	if (p) {
		CHECK_STR(p->id.p, "https://news.example.kz/2020/04/28/bureau-grants");
		CHECK_STR(p->author.p, "Айгерим Сапарова");
		CHECK_STR(p->text.p, "Бюро по правам человека снова получает \"гранты\"\n"
			  "Так называемое «бюро» и его директор снова получают гранты из-за "
			  "рубежа\xC2\xA0— пишут читатели.\nПозор! 🔥");
		CHECK_INT(p->created_at, utc(2020, 4, 28, 9, 14, 5));
		CHECK_STR(p->extra->platform.p, "feed");
		CHECK_STR(p->extra->author_handle.p, "Новости Степи & Мира");
		CHECK_STR(p->extra->url.p, "https://news.example.kz/2020/04/28/bureau-grants");
		CHECK_STR(p->extra->source_line.p, "9");
		CHECK_INT(p->extra->raw_sha256.len, 64);
	}
	p = post(c, 1); /* a guid that is not a URI, the author's name, GMT, two digits */
	if (p) {
		CHECK_STR(p->id.p, "https://news.example.kz/#100502");
		CHECK_STR(p->author.p, "Редакция");
		CHECK_STR(p->text.p, "Кто платит бюро?\nДиректор бюро\xC2\xA0опять\nполучает деньги "
			  "«из-за рубежа».");
		CHECK_INT(p->created_at, utc(2020, 4, 28, 10, 0, 0));
	}
	p = post(c, 2); /* content:encoded preferred; EDT */
	if (p) {
		CHECK_STR(p->text.p, "Бюро тағы да грант алды\nАдам құқықтары жөніндегі бюро тағы да "
			  "шетелден грант алды.\nОқырмандар наразы.");
		CHECK_INT(p->created_at, utc(2020, 4, 29, 3, 0, 0));
		CHECK_STR(p->id.p, "https://news.example.kz/kz/2020/04/29/grant");
	}
	p = post(c, 3); /* no author: the feed's site */
	if (p)
		CHECK_STR(p->author.p, "https://news.example.kz/");
	p = post(c, 4); /* the same guid again: kept by the reader, dropped by dedup */
	if (p)
		CHECK_STR(p->id.p, "https://news.example.kz/2020/04/28/bureau-grants");
	CHECK_INT(chorus_corpus_dedup(c, 0), 1);
	chorus_corpus_free(c);
}

static void test_atom_rdf(void)
{
	errs x;
	int rc;
	chorus_corpus *c = read_path(fixture("feed-atom.xml"), CHORUS_FORMAT_AUTO, &x, &rc);
	const chorus_post *p;

	CHECK_INT(rc, 0);
	CHECK_INT(chorus_corpus_count(c), 3);
	CHECK_INT(chorus_corpus_input(c, 0)->skipped, 1);
	p = post(c, 0);
	if (p) {
		CHECK_STR(p->id.p, "tag:blog.example.org,2020:/bureau");
		CHECK_STR(p->author.p, "Иван Петров");
		CHECK_STR(p->extra->url.p, "https://blog.example.org/2020/04/28/bureau");
		CHECK_STR(p->text.p, "Бюро & гранты: снова\nТак называемое бюро и его директор снова "
			  "получают гранты из-за рубежа.\nПозор!");
		CHECK_INT(p->created_at, utc(2020, 4, 28, 9, 14, 5)); /* published, not updated */
		CHECK_STR(p->extra->author_handle.p, "Blog — Степной вестник");
	}
	p = post(c, 1); /* xhtml: text nodes are final; the feed's author; updated */
	if (p) {
		CHECK_STR(p->text.p, "A <plain> title\nFirst paragraph with a link & x<y.\nSecond\n"
			  "line 🔥");
		CHECK_STR(p->author.p, "Редакция вестника");
		CHECK_INT(p->created_at, utc(2020, 4, 28, 10, 0, 0));
	}
	p = post(c, 2); /* minutes without seconds; only a related link */
	if (p) {
		CHECK_INT(p->created_at, utc(2020, 4, 28, 3, 14, 0));
		CHECK_STR(p->extra->url.p, "https://other.example.org/x");
	}
	chorus_corpus_free(c);

	c = read_path(fixture("feed-rdf.xml"), CHORUS_FORMAT_FEED, &x, &rc);
	CHECK_INT(rc, 0);
	CHECK_INT(chorus_corpus_count(c), 2);
	CHECK_INT(chorus_corpus_input(c, 0)->format_auto, 0);
	p = post(c, 0);
	if (p) {
		CHECK_STR(p->id.p, "https://rdf.example.ru/news/1");
		CHECK_STR(p->extra->url.p, "https://rdf.example.ru/news/1?utm=rss");
		CHECK_STR(p->author.p, "Пётр Сидоров");
		CHECK_INT(p->created_at, utc(2020, 4, 28, 9, 14, 5));
	}
	p = post(c, 1);
	if (p)
		CHECK_INT(p->created_at, utc(2020, 4, 29, 0, 0, 0)); /* a date alone */
	chorus_corpus_free(c);
}

/* ---- safety --------------------------------------------------------------- */

/* A feed whose entities name a file holding MARKER; it must never be read. */
static char *xxe_feed(const char *secret)
{
	static const char fmt[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE rss [\n"
		"<!ENTITY xxe SYSTEM \"file://%s\">\n"
		"<!ENTITY plain SYSTEM \"%s\">\n"
		"<!ENTITY %% pe SYSTEM \"%s\">\n"
		"%%pe;\n"
		"]>\n"
		"<rss version=\"2.0\"><channel><title>T &xxe;</title><link>https://x.example/</link>\n"
		"<item><title>A &xxe; &plain;</title><guid>https://x.example/1</guid>\n"
		"<pubDate>Tue, 28 Apr 2020 09:14:05 GMT</pubDate>\n"
		"<description>&lt;b&gt;B&lt;/b&gt; &xxe;</description></item></channel></rss>\n";
	const size_t n = sizeof fmt + 3 * strlen(secret);
	char *s = malloc(n);

	if (s)
		snprintf(s, n, fmt, secret, secret, secret);
	return s;
}

static void xxe_read(const char *feed, const char *what)
{
	errs x;
	int rc;
	chorus_corpus *c = read_mem(feed, strlen(feed), CHORUS_FORMAT_FEED, 1 << 20, 0, &x, &rc);
	chorus_feed_info fi;

	CHECK_INT(rc, 0);
	CHECK_INT(chorus_corpus_count(c), 1);
	if (corpus_holds(c, MARKER))
		fprintf(stderr, "the external entity was read (%s)\n", what);
	CHECK(!corpus_holds(c, MARKER));
	if (post(c, 0))
		CHECK_STR(post(c, 0)->text.p, "A &xxe; &plain;\nB &xxe;");
	CHECK_INT(chorus_feed_doc_info(feed, strlen(feed), &fi), 0);
	CHECK_STR(fi.title, "T &xxe;");
	chorus_corpus_free(c);
}

static void test_xxe(void)
{
	const char *dir = getenv("CHORUS_TEST_DIR");
	char secret[4096];
	FILE *f;
	char *feed;

	snprintf(secret, sizeof secret, "%s/xxe-secret.txt", dir ? dir : "/tmp");
	f = fopen(secret, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fprintf(f, "%s\n", MARKER);
	fclose(f);
	feed = xxe_feed(secret);
	CHECK(feed != NULL);
	if (!feed)
		return;
	xxe_read(feed, "defaults");
	/* Process-wide defaults that would substitute entities and load the
	 * external subset must not reach the reader's parser. */
	xmlSubstituteEntitiesDefault(1);
	*__xmlLoadExtDtdDefaultValue() = 2 | 4; /* XML_DETECT_IDS | XML_COMPLETE_ATTRS */
	*__xmlDoValidityCheckingDefaultValue() = 1;
	xxe_read(feed, "process-wide defaults set");
	xmlSubstituteEntitiesDefault(0);
	*__xmlLoadExtDtdDefaultValue() = 0;
	*__xmlDoValidityCheckingDefaultValue() = 0;
	free(feed);
	remove(secret);
}

static void test_laughs(void)
{
	size_t n;
	char *text = check_slurp(fixture("feed-laughs.xml"), &n);
	chorus_buf b;
	errs x;
	int rc;
	chorus_corpus *c;
	chorus_feed_info fi;

	CHECK(text != NULL);
	if (!text)
		return;
	c = read_mem(text, n, CHORUS_FORMAT_FEED, 1 << 20, 0, &x, &rc);
	CHECK_INT(rc, 0);
	CHECK_INT(chorus_corpus_count(c), 0);
	CHECK_INT(chorus_corpus_input(c, 0)->skipped, 1);
	CHECK(strstr(x.first, "not well-formed XML") != NULL);
	CHECK_INT(chorus_feed_doc_info(text, n, &fi), -1);
	chorus_corpus_free(c);
	free(text);

	/* One large entity referenced many times (quadratic blow-up): the
	 * references stay references. */
	chorus_buf_init(&b, 1 << 22);
	chorus_buf_puts(&b, "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY big \"");
	for (int i = 0; i < 20000; i++)
		chorus_buf_puts(&b, "xxxxx");
	chorus_buf_puts(&b, "\">]><rss><channel><title>t</title><item><guid>https://q/1</guid>"
			"<pubDate>28 Apr 2020 09:14 GMT</pubDate><title>");
	for (int i = 0; i < 5000; i++)
		chorus_buf_puts(&b, "&big;");
	chorus_buf_puts(&b, "</title></item></channel></rss>");
	c = read_mem(b.data, b.len, CHORUS_FORMAT_FEED, 1 << 20, 0, &x, &rc);
	CHECK_INT(rc, 0);
	CHECK_INT(chorus_corpus_count(c), 1);
	if (post(c, 0))
		CHECK_INT(post(c, 0)->text.len, 5000 * 5);
	chorus_corpus_free(c);
	chorus_buf_dispose(&b);
}

static void test_feed_bad(void)
{
	static const char broken[] = "<?xml version=\"1.0\"?>\n<rss><channel>\n<item></channel>\n";
	static const char html[] = "<?xml version=\"1.0\"?>\n<html><body><rss/></body></html>\n";
	static const char noid[] = "<rss><channel><item><title>x</title>"
				   "<pubDate>28 Apr 2020 09:14 GMT</pubDate></item></channel></rss>";
	static const char strict[] = "<rss><channel><link>https://s/</link>\n"
				     "<item><guid>https://s/1</guid><title>x</title></item>\n"
				     "<item><guid>https://s/2</guid><title>y</title>"
				     "<pubDate>28 Apr 2020 09:14 GMT</pubDate></item>"
				     "</channel></rss>";
	chorus_buf big;
	errs x;
	int rc;
	chorus_corpus *c;

	c = read_mem(broken, strlen(broken), CHORUS_FORMAT_FEED, 1 << 20, 0, &x, &rc);
	CHECK_INT(rc, 0);
	CHECK_INT(chorus_corpus_input(c, 0)->skipped, 1);
	CHECK(!strncmp(x.first, "not well-formed XML: ", 21));
	CHECK_INT(x.line, 3);
	chorus_corpus_free(c);

	c = read_mem(html, strlen(html), CHORUS_FORMAT_FEED, 1 << 20, 0, &x, &rc);
	CHECK_STR(x.first, "not an RSS or Atom document (root element <html>)");
	CHECK_INT(x.line, 2);
	chorus_corpus_free(c);

	c = read_mem(noid, strlen(noid), CHORUS_FORMAT_FEED, 1 << 20, 0, &x, &rc);
	CHECK_STR(x.first, "item without an id (guid) or a link");
	chorus_corpus_free(c);

	c = read_mem(strict, strlen(strict), CHORUS_FORMAT_FEED, 1 << 20, 1, &x, &rc);
	CHECK_INT(rc, CHORUS_EINPUT);
	CHECK_INT(x.line, 2);
	CHECK_INT(chorus_corpus_count(c), 0);
	chorus_corpus_free(c);

	/* A document over max_record: one bad record, every line still read. */
	chorus_buf_init(&big, 1 << 20);
	chorus_buf_puts(&big, "<rss><channel>\n");
	for (int i = 0; i < 200; i++)
		chorus_buf_puts(&big, "<item><guid>https://b/1</guid></item>\n");
	chorus_buf_puts(&big, "</channel></rss>\n");
	c = read_mem(big.data, big.len, CHORUS_FORMAT_FEED, 4096, 0, &x, &rc);
	CHECK_INT(rc, 0);
	CHECK_INT(x.n, 1);
	CHECK(strstr(x.first, "larger than the 4096-byte limit") != NULL);
	CHECK_INT(chorus_corpus_input(c, 0)->lines, 202);
	CHECK_INT(chorus_corpus_input(c, 0)->skipped, 1);
	chorus_corpus_free(c);
	chorus_buf_dispose(&big);

	c = read_mem("", 0, CHORUS_FORMAT_FEED, 1 << 20, 0, &x, &rc);
	CHECK_INT(rc, 0);
	CHECK_INT(x.n, 0);
	chorus_corpus_free(c);
}

static void test_feed_info(void)
{
	static const char *const files[] = { "feed-rss2.xml", "feed-rdf.xml", "feed-atom.xml" };
	static const int kinds[] = { 1, 2, 3 };
	static const size_t items[] = { 8, 2, 4 };
	static const char *const titles[] = { "Новости Степи & Мира", "Вестник RDF",
					      "Blog — Степной вестник" };
	chorus_feed_info fi;
	chorus_buf b;

	for (size_t k = 0; k < 3; k++) {
		size_t n;
		char *text = check_slurp(fixture(files[k]), &n);
		memset(&fi, 0, sizeof fi);
		CHECK(text != NULL);
		CHECK_INT(chorus_feed_doc_info(text ? text : "", text ? n : 0, &fi), 0);
		CHECK_INT(fi.kind, kinds[k]);
		CHECK_INT(fi.items, items[k]);
		CHECK_STR(fi.title, titles[k]);
		free(text);
	}
	fi.kind = 9;
	CHECK_INT(chorus_feed_doc_info("<html/>", 7, &fi), -1);
	CHECK_INT(chorus_feed_doc_info("<rss>", 5, &fi), -1);
	CHECK_INT(chorus_feed_doc_info("", 0, &fi), -1);
	CHECK_INT(fi.kind, 9); /* untouched on failure */
	/* A long title is cut at a character boundary. */
	chorus_buf_init(&b, 1 << 16);
	chorus_buf_puts(&b, "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>");
	for (int i = 0; i < 200; i++)
		chorus_buf_puts(&b, "ж");
	chorus_buf_puts(&b, "</title></feed>");
	CHECK_INT(chorus_feed_doc_info(b.data, b.len, &fi), 0);
	CHECK_INT(strlen(fi.title), 254);
	CHECK_INT(fi.items, 0);
	chorus_buf_dispose(&b);
}

/* ---- Telegram pages ------------------------------------------------------- */

static void test_tgweb(void)
{
	errs x;
	int rc;
	chorus_corpus *c = read_path(fixture("tgweb-page.html"), CHORUS_FORMAT_AUTO, &x, &rc);
	const chorus_input_stats *st = chorus_corpus_input(c, 0);
	const chorus_post *p;

	CHECK_INT(rc, 0);
	CHECK_STR(st->format, "telegram-web");
	CHECK_INT(chorus_corpus_count(c), 4);
	CHECK_INT(st->ignored, 2); /* a photo alone, a service message */
	CHECK_INT(st->skipped, 1);
	CHECK_INT(st->reposts, 2);
	CHECK_INT(x.line, 69);
	CHECK(strstr(x.first, "message bureau_watch/107: no time") != NULL);
	p = post(c, 0);
	if (p) {
		CHECK_STR(p->id.p, "bureau_watch/101");
		CHECK_STR(p->author.p, "bureau_watch");
		CHECK_STR(p->text.p, "Так называемое \"бюро\" снова получает гранты 🔥\n"
			  "Подробнее: example.kz/news & делайте выводы!");
		CHECK_INT(p->created_at, utc(2020, 4, 28, 9, 14, 5));
		CHECK_STR(p->extra->platform.p, "telegram");
		CHECK_STR(p->extra->author_handle.p, "Бюро Watch");
		CHECK_STR(p->extra->url.p, "https://t.me/bureau_watch/101");
		CHECK_STR(p->extra->source_line.p, "19");
		CHECK(p->extra->repost_of.p == NULL);
	}
	p = post(c, 1);
	if (p) {
		CHECK_STR(p->extra->repost_of.p, "other_news/55");
		CHECK(p->flags & CHORUS_POST_REPOST);
	}
	p = post(c, 2); /* a reply: the quoted message is not this one's text */
	if (p) {
		CHECK_STR(p->extra->reply_to.p, "bureau_watch/101");
		CHECK_STR(p->text.p, "The so-called bureau & its director get grants from abroad "
			  "again\n\nShame!");
		CHECK_INT(p->created_at, utc(2020, 4, 28, 9, 30, 0));
	}
	p = post(c, 3); /* a hidden forward source: its name */
	if (p) {
		CHECK_STR(p->extra->repost_of.p, "Скрытый автор");
		CHECK_STR(p->text.p, "Переслано из скрытого источника: бюро опять на гранты живёт 😡");
	}
	chorus_corpus_free(c);

	c = read_path(fixture("tgweb-empty.html"), CHORUS_FORMAT_AUTO, &x, &rc);
	CHECK_INT(rc, 0);
	CHECK_STR(chorus_corpus_input(c, 0)->format, "telegram-web");
	CHECK_INT(chorus_corpus_count(c), 0);
	CHECK_INT(x.n, 0);
	chorus_corpus_free(c);
}

static void test_tgweb_bad(void)
{
	static const char json[] = "{\"id\": 1}\n";
	static const char post_bad[] =
		"<div class=\"tgme_widget_message\" data-post=\"chan/12x\"><div "
		"class=\"tgme_widget_message_text\">t</div></div>"
		"<div class=\"x tgme_widget_message\" data-post=\"chan/13\"><div "
		"class=\"tgme_widget_message_text\">t</div><a class=\"tgme_widget_message_date\" "
		"href=\"https://t.me/chan/13\"><time datetime=\"yesterday\"></time></a></div>"
		"<div class=\"tgme_widget_message_wrap\" data-post=\"chan/14\">not a block</div>";
	errs x;
	int rc;
	chorus_corpus *c = read_mem(json, strlen(json), CHORUS_FORMAT_TELEGRAM_WEB, 1 << 20, 0,
				    &x, &rc);

	CHECK_INT(rc, 0);
	CHECK_STR(x.first, "not a Telegram channel preview page (no message blocks)");
	chorus_corpus_free(c);
	c = read_mem(post_bad, strlen(post_bad), CHORUS_FORMAT_TELEGRAM_WEB, 1 << 20, 0, &x, &rc);
	CHECK_INT(rc, 0);
	CHECK_INT(x.n, 2);
	CHECK_STR(x.first, "message block whose data-post is not CHANNEL/ID (\"chan/12x\")");
	CHECK_INT(chorus_corpus_count(c), 0);
	chorus_corpus_free(c);
}

/* Nested past libxml2's 256 levels, the parser stops: what it read of a
 * message could be cut, so the page is refused, and nothing recurses. */
static void test_tgweb_deep(void)
{
	chorus_buf b;
	chorus_tgweb_info ti;
	errs x;
	int rc;
	chorus_corpus *c;

	chorus_buf_init(&b, 1 << 22);
	chorus_buf_puts(&b, "<html><body><div class=\"tgme_widget_message\" data-post=\"c/1\">"
			"<div class=\"tgme_widget_message_text\">");
	for (int i = 0; i < 100000; i++)
		chorus_buf_puts(&b, "<b>");
	chorus_buf_puts(&b, "deep</div><time datetime=\"2020-04-28T09:14:05Z\"></time></div>");
	c = read_mem(b.data, b.len, CHORUS_FORMAT_TELEGRAM_WEB, 1 << 22, 0, &x, &rc);
	CHECK_INT(rc, 0);
	CHECK_INT(chorus_corpus_count(c), 0);
	CHECK_INT(x.n, 1);
	CHECK(!strncmp(x.first, "page not read to its end: ", 26));
	CHECK_INT(chorus_tgweb_page_info(b.data, b.len, &ti), -1);
	chorus_corpus_free(c);
	chorus_buf_dispose(&b);
}

static void test_tgweb_info(void)
{
	size_t n;
	char *text = check_slurp(fixture("tgweb-page.html"), &n);
	chorus_tgweb_info ti;

	CHECK(text != NULL);
	if (!text)
		return;
	memset(&ti, 0, sizeof ti);
	CHECK_INT(chorus_tgweb_page_info(text, n, &ti), 0);
	CHECK_INT(ti.messages, 7);
	CHECK_INT(ti.min_id, 101);
	CHECK_INT(ti.max_id, 107);
	CHECK_INT(ti.oldest_ns, utc(2020, 4, 28, 9, 14, 5));
	CHECK_INT(ti.newest_ns, utc(2020, 4, 28, 10, 10, 0));
	CHECK_INT(ti.before, 101);
	CHECK_STR(ti.channel, "bureau_watch");
	free(text);

	text = check_slurp(fixture("tgweb-empty.html"), &n);
	ti.messages = 99;
	CHECK_INT(chorus_tgweb_page_info(text ? text : "", text ? n : 0, &ti), -1);
	CHECK_INT(ti.messages, 99);
	free(text);
	CHECK_INT(chorus_tgweb_page_info("", 0, &ti), -1);
	CHECK_INT(chorus_tgweb_page_info("{\"a\":1}", 7, &ti), -1);
	/* a page past the oldest message: no blocks, but a link to more */
	CHECK_INT(chorus_tgweb_page_info("<html><body><a class=\"tme_messages_more\" "
					 "data-after=\"5\"></a></body></html>", 74, &ti), 0);
	CHECK_INT(ti.messages, 0);
	CHECK_INT(ti.before, 0);
	CHECK_STR(ti.channel, "");
}

/* ---- detection and names --------------------------------------------------- */

static int detect(const char *a, const char *b, const char *c)
{
	chorus_line l[3] = { { a, strlen(a), 1 }, { b, strlen(b), 2 }, { c, strlen(c), 3 } };

	return chorus_detect_format(l, 3);
}

static void test_detect(void)
{
	CHECK_INT(detect("<?xml version=\"1.0\"?>", "<rss version=\"2.0\">", ""), CHORUS_FORMAT_FEED);
	CHECK_INT(detect("", "  <rdf:RDF xmlns:rdf=\"x\">", ""), CHORUS_FORMAT_FEED);
	CHECK_INT(detect("<feed xmlns=\"http://www.w3.org/2005/Atom\">", "", ""),
		  CHORUS_FORMAT_FEED);
	CHECK_INT(detect("<feed xmlns=\"urn:other\">", "", ""), CHORUS_FORMAT_JSONL);
	CHECK_INT(detect("<!DOCTYPE html>", "<html>", "<link href=\"https://t.me/s/x\">"),
		  CHORUS_FORMAT_TELEGRAM_WEB);
	CHECK_INT(detect("<div class=\"tgme_widget_message\">", "", ""),
		  CHORUS_FORMAT_TELEGRAM_WEB);
	CHECK_INT(detect("<html>", "<body>news</body>", ""), CHORUS_FORMAT_JSONL);
	/* a JSON post that quotes markup is still JSON */
	CHECK_INT(detect("{\"id\":\"1\",\"author\":\"a\",\"text\":\"<rss> tgme_widget_message\"}", "",
			 ""), CHORUS_FORMAT_JSONL);
	CHECK_STR(chorus_format_name(CHORUS_FORMAT_FEED), "feed");
	CHECK_STR(chorus_format_name(CHORUS_FORMAT_TELEGRAM_WEB), "telegram-web");
	CHECK_INT(chorus_format_from_name("telegram-web"), CHORUS_FORMAT_TELEGRAM_WEB);
	CHECK_INT(chorus_format_from_name("feed"), CHORUS_FORMAT_FEED);
}

int main(void)
{
	const char *models = getenv("CHORUS_MODELS");

	snprintf(fixtures, sizeof fixtures, "%s/../tests/fixtures/import",
		 models ? models : "models");
	test_rfc822();
	test_html_text();
	test_rss2();
	test_atom_rdf();
	test_xxe();
	test_laughs();
	test_feed_bad();
	test_feed_info();
	test_tgweb();
	test_tgweb_bad();
	test_tgweb_deep();
	test_tgweb_info();
	test_detect();
	return check_done();
}
