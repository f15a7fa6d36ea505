/*
 * import_web.c - RSS / Atom feeds and Telegram channel preview pages
 * (t.me/s/NAME): the one file that includes libxml2.
 *
 * A document is read whole, at most max_record bytes (a longer one is one
 * bad record, read to its end for the input's hash but not parsed), and
 * parsed into a tree:
 *   feeds  by the XML parser, safely: no network (NONET), entities never
 *          substituted (no NOENT) and no external subset or entity ever
 *          loaded (no DTDLOAD, DTDATTR, DTDVALID), no HUGE (libxml2's
 *          depth, text-size and entity-amplification limits stay on).  The
 *          context's options are cleared before ours are set, so that the
 *          process-wide defaults (xmlSubstituteEntitiesDefault,
 *          xmlLoadExtDtdDefaultValue, validation) cannot turn substitution
 *          or loading back on.  An entity reference left in the tree is
 *          written as "&name;", never expanded.  A document that is not
 *          well-formed is one bad record (libxml2's reason and line).
 *   pages  by the HTML parser (NONET, RECOVER, read as UTF-8), found by the
 *          class tokens of the elements; no regular expressions.
 * Every walk is iterative: nothing recurses on the input's depth.
 *
 * Feeds (one post per item / entry):
 *   field       RSS 2.0 (and 0.9x)    RSS 1.0 (RDF)        Atom 1.0
 *   id          guid, else link       rdf:about, else link id, else link
 *   url         link, else a          link                 link rel=alternate,
 *               permalink guid                             else the first
 *   author      dc:creator, else      dc:creator           author/name, else
 *               the author's "(Name)"                      the feed's
 *               ... else the feed's site (its link), else the feed's title
 *   handle      the feed's title (the outlet's name)
 *   text        title "\n" body: content:encoded, else    content, else
 *               description; both HTML (decoded once,      summary; by type
 *               tags stripped)                             (text/html/xhtml)
 *   created_at  pubDate (RFC 822; RFC 3339 accepted),      published, else
 *               else dc:date (W3C-DTF)                     updated
 *   platform    "feed"
 * An id that is not an absolute URI (a guid "12345") is made the feed's
 * own, "SITE#12345" (SITE its link, else its title), so that two outlets'
 * numbering cannot collide in deduplication.  An item without a usable
 * time, an id or an author is a bad record; one without any text is not a
 * post (ignored).  The feed's language is not taken (outlets mix them).
 *
 * Telegram pages (one post per element of class "tgme_widget_message" with
 * data-post="CHANNEL/ID"; inside it, by class):
 *   id          data-post as given ("CHANNEL/ID", the t.me link's path)
 *   author      CHANNEL;  handle: the text of .tgme_widget_message_owner_name
 *   text        .tgme_widget_message_text: <br> and block ends as line
 *               breaks, links by their text, emoji images by their <b>
 *               character, entities decoded
 *   created_at  <time datetime> in .tgme_widget_message_date (RFC 3339)
 *   url         the href of .tgme_widget_message_date
 *   repost_of   .tgme_widget_message_forwarded_from_name: its t.me href's
 *               path "OTHER/55", or its text when the source is hidden
 *   reply_to    the t.me href's path of .tgme_widget_message_reply
 *   platform    "telegram"
 * A block without text (a photo) or of class service_message is not a
 * post (ignored); one without a valid time is a bad record.  A page the
 * parser stopped reading (nested past libxml2's 256 levels) is refused as
 * one bad record: a message read up to there could be cut.
 *
 * Evidence: the line of the item's or block's start tag (xmlGetLineNo) and,
 * since libxml2 keeps no byte offsets, the SHA-256 of libxml2's
 * serialisation of the node (xmlNodeDumpOutput, htmlNodeDumpFormatOutput;
 * unformatted): stable for one libxml2 version, while the input's own
 * SHA-256 covers its bytes as stored.
 * Cost: one parse; walks linear in the tree; one serialisation per post.
 * Memory: the document, its tree (a few times its size) and one post's
 * strings.  Single-threaded per document.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>

#include "chorus/sha256.h"
#include "chorus/timeutil.h"
#include "chorus/utf8.h"
#include "import_int.h"
#include "import_web.h"

#define XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
		  XML_PARSE_BIG_LINES)
#define HTML_OPTS (HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | \
		   HTML_PARSE_RECOVER)
_Static_assert((XML_OPTS & (XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_DTDATTR |
			    XML_PARSE_DTDVALID | XML_PARSE_HUGE | XML_PARSE_XINCLUDE)) == 0,
	       "feeds are parsed without entity substitution or external loading");

#define NS_RSS1 "http://purl.org/rss/1.0/"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"

enum { KIND_RSS2 = 1, KIND_RSS1 = 2, KIND_ATOM = 3 };
enum { T_PLAIN, T_HTML, T_RICH, T_NONE }; /* how an element's text is read */

typedef struct web {
	chorus_doc_sink *k;
	xmlDoc *doc;
	chorus_arena doc_strings;  /* the feed's title, site, author */
	chorus_arena item_strings; /* one post's; emptied after each */
	chorus_buf tmp, tmp2;      /* text being gathered */
	chorus_sha256 *sha;
} web;

/* ---- libxml2: parsing ---------------------------------------------------- */

static int space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* The parser's first error (its later ones follow from it). */
typedef struct first_error {
	xmlParserCtxt *doc; /* the document's context */
	int code, line;
	char text[160];
} first_error;

/* ud is the context that failed: the document's, or one libxml2 made for
 * an entity's text (it inherits _private), whose lines are the entity's. */
static void on_xml_error(void *ud, xmlError *e)
{
	const xmlParserCtxt *ctxt = ud;
	first_error *f = ctxt ? ctxt->_private : NULL;

	if (!f || f->code || !e || e->level != XML_ERR_FATAL)
		return; /* warnings and namespace errors leave the document well-formed */
	f->code = e->code ? e->code : -1;
	f->line = e->line;
	if ((ctxt != f->doc || ctxt->inputNr > 1) && f->doc->inputNr > 0)
		f->line = f->doc->inputTab[0]->line;
	snprintf(f->text, sizeof f->text, "%s", e->message ? e->message : "no document");
}

/* 0 with *out, CHORUS_EINPUT with msg and *line, or CHORUS_ENOMEM. */
static int parse_xml(const char *p, size_t n, xmlDoc **out, char *msg, uint64_t *line)
{
	first_error first = { NULL, 0, 0, "no document" };
	xmlParserCtxt *ctxt;
	int rc = 0;

	if (n > INT_MAX) {
		snprintf(msg, CHORUS_ERROR_TEXT, "document over %d bytes", INT_MAX);
		*line = 1;
		return CHORUS_EINPUT;
	}
	xmlInitParser();
	ctxt = xmlCreateMemoryParserCtxt(p, (int)n);
	if (!ctxt)
		return CHORUS_ENOMEM;
	/* The context starts from the process-wide defaults: clear them. */
	ctxt->options = 0;
	ctxt->replaceEntities = 0;
	ctxt->loadsubset = 0;
	ctxt->validate = 0;
	xmlCtxtUseOptions(ctxt, XML_OPTS);
	/* Errors come here (never to a process-wide handler); the SAX2
	 * handlers need userData to stay the context. */
	first.doc = ctxt;
	ctxt->_private = &first;
	ctxt->sax->serror = on_xml_error;
	xmlParseDocument(ctxt);
	if (ctxt->wellFormed && ctxt->myDoc) {
		*out = ctxt->myDoc;
	} else if (first.code == XML_ERR_NO_MEMORY) {
		rc = CHORUS_ENOMEM;
	} else {
		size_t l;
		snprintf(msg, CHORUS_ERROR_TEXT, "not well-formed XML: %s", first.text);
		l = strlen(msg);
		while (l > 0 && space(msg[l - 1]))
			msg[--l] = '\0'; /* libxml2 ends its messages with a newline */
		*line = first.line > 0 ? (uint64_t)first.line : 1;
		rc = CHORUS_EINPUT;
	}
	if (rc && ctxt->myDoc)
		xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	xmlFreeParserCtxt(ctxt);
	return rc;
}

/* 0 with *out; CHORUS_EINPUT with msg and *line when there is no document
 * or the parser stopped before its end (nested deeper than libxml2's 256
 * levels: what it read of a message might be cut); CHORUS_ENOMEM. */
static int parse_html(const char *p, size_t n, xmlDoc **out, char *msg, uint64_t *line)
{
	htmlParserCtxt *ctxt;
	xmlDoc *doc = NULL;
	int rc = 0;

	*line = 1;
	snprintf(msg, CHORUS_ERROR_TEXT, "not HTML (no document)");
	if (n > INT_MAX || n == 0)
		return CHORUS_EINPUT;
	xmlInitParser();
	ctxt = htmlNewParserCtxt();
	if (!ctxt)
		return CHORUS_ENOMEM;
	doc = htmlCtxtReadMemory(ctxt, p, (int)n, NULL, "UTF-8", HTML_OPTS);
	if (!doc || (ctxt->instate == XML_PARSER_EOF && ctxt->disableSAX)) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		size_t l;
		rc = e && e->code == XML_ERR_NO_MEMORY ? CHORUS_ENOMEM : CHORUS_EINPUT;
		if (doc && e && e->message) {
			snprintf(msg, CHORUS_ERROR_TEXT, "page not read to its end: %s", e->message);
			l = strlen(msg);
			while (l > 0 && space(msg[l - 1]))
				msg[--l] = '\0';
			*line = e->line > 0 ? (uint64_t)e->line : 1;
		}
		if (doc)
			xmlFreeDoc(doc);
		doc = NULL;
	}
	htmlFreeParserCtxt(ctxt);
	*out = doc;
	return rc;
}

/* ---- libxml2: the tree --------------------------------------------------- */

/* The node after n in document order within top's subtree (descending into
 * n's children when down), or NULL at the end. */
static xmlNode *next_node(xmlNode *n, const xmlNode *top, int down)
{
	if (down && n->children)
		return n->children;
	while (n != top && !n->next)
		n = n->parent;
	return n == top ? NULL : n->next;
}

static int name_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* An element named name in the namespace ns (NULL: none). */
static int el_ns(const xmlNode *n, const char *ns, const char *name)
{
	if (!name_is(n, name))
		return 0;
	if (!ns)
		return n->ns == NULL;
	return n->ns && n->ns->href && !strcmp((const char *)n->ns->href, ns);
}

/* The value of attribute name (in namespace ns, NULL: none) when it is
 * plain text ("" when empty); NULL when absent or holding an entity
 * reference, which is never expanded. */
static const char *attr_ns(const xmlNode *n, const char *ns, const char *name)
{
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		if (strcmp((const char *)a->name, name) != 0 ||
		    (ns ? !a->ns || !a->ns->href || strcmp((const char *)a->ns->href, ns)
			: a->ns != NULL))
			continue;
		if (!a->children)
			return "";
		if (a->children->type == XML_TEXT_NODE && !a->children->next)
			return a->children->content ? (const char *)a->children->content : "";
		return NULL;
	}
	return NULL;
}

static const char *attr(const xmlNode *n, const char *name)
{
	return attr_ns(n, NULL, name);
}

/* Is token one of the space-separated words of n's class attribute? */
static int has_class(const xmlNode *n, const char *token)
{
	const char *c = n->type == XML_ELEMENT_NODE ? attr(n, "class") : NULL;
	const size_t tl = strlen(token);

	while (c && *c) {
		size_t l;
		c += strspn(c, " \t\n\r\f");
		l = strcspn(c, " \t\n\r\f");
		if (l == tl && !memcmp(c, token, tl))
			return 1;
		c += l;
	}
	return 0;
}

/* Append the text of top's descendants: text and CDATA as they are, an
 * entity reference as "&name;" (its children are the entity's: never
 * entered). */
static int xml_text(chorus_buf *b, xmlNode *top)
{
	int rc = 0;

	for (xmlNode *n = top->children; n && rc == 0;
	     n = next_node(n, top, n->type == XML_ELEMENT_NODE)) {
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content)
			rc = chorus_buf_puts(b, (const char *)n->content);
		else if (n->type == XML_ENTITY_REF_NODE)
			rc = chorus_buf_printf(b, "&%s;", (const char *)n->name);
	}
	return rc;
}

static int is_block(const xmlNode *n)
{
	static const char *const blocks[] = { "p", "div", "blockquote", "pre", "li", "ul", "ol",
					      "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table" };

	for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
		if (name_is(n, blocks[i]))
			return 1;
	return 0;
}

/* A line break unless the text is empty or ends with one. */
static int line_break(chorus_buf *b)
{
	return b->len == 0 || b->data[b->len - 1] == '\n' ? 0 : chorus_buf_putc(b, '\n');
}

/* Append the text of top's descendants as a reader sees it: <br> and the
 * edges of block elements as line breaks, script and style left out. */
static int rich_text(chorus_buf *b, xmlNode *top)
{
	xmlNode *n = top->children;
	int rc = 0;

	while (n && rc == 0) {
		int down = 0;
		if (name_is(n, "br"))
			rc = chorus_buf_putc(b, '\n');
		else if (n->type == XML_ELEMENT_NODE && !name_is(n, "script") && !name_is(n, "style")) {
			rc = is_block(n) ? line_break(b) : 0;
			down = n->children != NULL;
		} else if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content)
			rc = chorus_buf_puts(b, (const char *)n->content);
		else if (n->type == XML_ENTITY_REF_NODE)
			rc = chorus_buf_printf(b, "&%s;", (const char *)n->name);
		if (down) {
			n = n->children;
			continue;
		}
		/* leave n, then every ancestor whose last child it was */
		for (;;) {
			if (is_block(n) && rc == 0)
				rc = line_break(b);
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (n == top) {
				n = NULL;
				break;
			}
		}
	}
	return rc;
}

/* The first child element of n (NULL: none) named name in namespace ns. */
static xmlNode *child(const xmlNode *n, const char *ns, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (el_ns(c, ns, name))
			return c;
	return NULL;
}

static int sha_write(void *ctx, const char *p, int n)
{
	chorus_sha256_update(ctx, p, (size_t)n);
	return n;
}

/* The SHA-256 of libxml2's serialisation of n. */
static int node_sha(web *w, xmlNode *n, int html, char out[CHORUS_SHA256_HEX])
{
	xmlOutputBuffer *o = xmlOutputBufferCreateIO(sha_write, NULL, w->sha, NULL);
	int rc;

	if (!o)
		return CHORUS_ENOMEM;
	if (html)
		htmlNodeDumpFormatOutput(o, w->doc, n, NULL, 0);
	else
		xmlNodeDumpOutput(o, w->doc, n, 0, 0, NULL);
	rc = xmlOutputBufferClose(o);
	chorus_sha256_final_hex(w->sha, out); /* also resets it after a failure */
	return rc < 0 ? CHORUS_ENOMEM : 0;
}

static uint64_t line_of(const xmlNode *n)
{
	const long l = xmlGetLineNo(n);

	return l > 0 ? (uint64_t)l : 1;
}

/* ---- text and fields ----------------------------------------------------- */

/* n's text read as mode, without surrounding white space, copied to a;
 * NULL when n is NULL or the text is empty (or on an error, in *rc). */
static char *gather(web *w, chorus_arena *a, xmlNode *n, int mode, int *rc)
{
	chorus_buf *t = &w->tmp;
	size_t s = 0, e;
	char *out;
	int r;

	if (!n || mode == T_NONE || *rc)
		return NULL;
	chorus_buf_reset(t);
	if (mode == T_RICH) {
		r = rich_text(t, n);
	} else if (mode == T_PLAIN) {
		r = xml_text(t, n);
	} else {
		chorus_buf_reset(&w->tmp2);
		r = xml_text(&w->tmp2, n);
		if (r == 0 && w->tmp2.len)
			r = chorus_html_text(t, w->tmp2.data, w->tmp2.len);
	}
	if (r) {
		*rc = r;
		return NULL;
	}
	e = t->len;
	while (s < e && space(t->data[s]))
		s++;
	while (e > s && space(t->data[e - 1]))
		e--;
	if (s == e)
		return NULL;
	out = chorus_arena_strndup(a, t->data + s, e - s);
	if (!out)
		*rc = CHORUS_ENOMEM;
	return out;
}

/* A bad record: counted and reported; non-zero stops the read. */
static int bad(web *w, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(web *w, uint64_t line, const char *fmt, ...)
{
	char msg[CHORUS_ERROR_TEXT];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	chorus_import_sanitise(msg);
	return w->k->bad(w->k->ud, line, msg);
}

static int valid(const char *s)
{
	return !s || chorus_utf8_valid(s, strlen(s), NULL);
}

/* Check, hash and append a post read from node n. */
static int emit(web *w, xmlNode *n, int html, const chorus_doc_fields *f)
{
	char sha[CHORUS_SHA256_HEX];
	int rc;

	if (!valid(f->id) || !valid(f->author) || !valid(f->text) || !valid(f->handle) ||
	    !valid(f->url) || !valid(f->repost_of) || !valid(f->reply_to))
		return bad(w, line_of(n), "invalid UTF-8 in the %s", html ? "message" : "item");
	rc = node_sha(w, n, html, sha);
	return rc ? rc : chorus_doc_push(w->k, f, line_of(n), sha);
}

/* ---- dates --------------------------------------------------------------- */

static size_t digits(const char *s, size_t n, size_t i, size_t max, long *v)
{
	size_t k = 0;

	*v = 0;
	while (i + k < n && k < max && s[i + k] >= '0' && s[i + k] <= '9')
		*v = *v * 10 + (s[i + k++] - '0');
	return k;
}

/* All of s as a decimal number of 1 to 19 digits; 0, or -1. */
static int parse_u64(const char *s, uint64_t *v)
{
	const size_t n = s ? strlen(s) : 0;
	uint64_t r = 0;

	if (n == 0 || n > 19)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		r = r * 10 + (uint64_t)(s[i] - '0');
	}
	*v = r;
	return 0;
}

static size_t letters(const char *s, size_t n, size_t i)
{
	size_t k = 0;

	while (i + k < n && (((s[i + k] | 0x20) >= 'a' && (s[i + k] | 0x20) <= 'z')))
		k++;
	return k;
}

static size_t skip_space(const char *s, size_t n, size_t i)
{
	while (i < n && space(s[i]))
		i++;
	return i;
}

static int word_is(const char *s, size_t l, const char *w)
{
	if (l != strlen(w))
		return 0;
	for (size_t i = 0; i < l; i++)
		if ((s[i] | 0x20) != w[i])
			return 0;
	return 1;
}

/* A zone at s[i..n) in minutes east of UTC; its length, 0 when none. */
static size_t zone(const char *s, size_t n, size_t i, long *minutes)
{
	static const struct { const char *name; long hours; } names[] = {
		{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 }, { "est", -5 }, { "edt", -4 },
		{ "cst", -6 }, { "cdt", -5 }, { "mst", -7 }, { "mdt", -6 }, { "pst", -8 },
		{ "pdt", -7 }
	};
	size_t l = letters(s, n, i);
	long hh, mm;

	if (i < n && (s[i] == '+' || s[i] == '-')) {
		size_t at = i + 1, colon;
		if (digits(s, n, at, 2, &hh) != 2)
			return 0;
		colon = at + 2 < n && s[at + 2] == ':';
		if (digits(s, n, at + 2 + colon, 2, &mm) != 2 || hh > 23 || mm > 59)
			return 0;
		*minutes = (s[i] == '-' ? -1 : 1) * (hh * 60 + mm);
		return 5 + colon;
	}
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		if (word_is(s + i, l, names[k].name)) {
			*minutes = names[k].hours * 60;
			return l;
		}
	if (l == 1 && (s[i] | 0x20) != 'j') { /* military: read as -0000 */
		*minutes = 0;
		return 1;
	}
	return 0;
}

static int month_of(const char *s, size_t l)
{
	static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun",
					      "jul", "aug", "sep", "oct", "nov", "dec" };

	if (l < 3)
		return 0;
	for (int m = 0; m < 12; m++)
		if (word_is(s, 3, months[m]))
			return m + 1;
	return 0;
}

static int days_in(long y, long m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return days[m - 1] + (m == 2 && leap);
}

int chorus_rfc822_time(const char *s, size_t n, int64_t *ns)
{
	long day, mon, year, hh, mm, ss = 0, off = 0;
	size_t i = skip_space(s, n, 0), l, yd, zl;
	int64_t secs;

	l = letters(s, n, i);
	if (l > 0) { /* the day of the week, not checked */
		i = skip_space(s, n, i + l);
		i = skip_space(s, n, i + (i < n && s[i] == ','));
	}
	l = digits(s, n, i, 2, &day);
	if (l == 0)
		return -1;
	i = skip_space(s, n, i + l);
	l = letters(s, n, i);
	mon = month_of(s + i, l);
	if (!mon)
		return -1;
	i += l;
	i = skip_space(s, n, i + (i < n && s[i] == '.'));
	yd = digits(s, n, i, 4, &year);
	if (yd < 2)
		return -1;
	year += yd == 2 ? (year < 50 ? 2000 : 1900) : yd == 3 ? 1900 : 0;
	i = skip_space(s, n, i + yd);
	l = digits(s, n, i, 2, &hh);
	if (l == 0)
		return -1;
	i += l;
	if (i >= n || s[i] != ':' || digits(s, n, i + 1, 2, &mm) != 2)
		return -1;
	i += 3;
	if (i < n && s[i] == ':') {
		if (digits(s, n, i + 1, 2, &ss) != 2)
			return -1;
		i += 3;
	}
	i = skip_space(s, n, i);
	zl = zone(s, n, i, &off);
	if (zl == 0)
		return -1;
	i = skip_space(s, n, i + zl);
	if (i < n && s[i] == '(') {
		const char *close = memchr(s + i, ')', n - i);
		if (!close)
			return -1;
		i = skip_space(s, n, (size_t)(close - s) + 1);
	}
	if (i != n || day < 1 || day > days_in(year, mon) || hh > 23 || mm > 59 || ss > 60)
		return -1;
	secs = chorus_days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 + hh * 3600 +
	       mm * 60 + ss - off * 60;
	if (secs > INT64_MAX / CHORUS_NS_PER_SEC || secs < INT64_MIN / CHORUS_NS_PER_SEC)
		return -1;
	*ns = secs * CHORUS_NS_PER_SEC;
	return 0;
}

/* W3C-DTF (dc:date): RFC 3339, or a date alone (midnight UTC), or minutes
 * without seconds ("2020-04-28T09:14+06:00").  0, or -1. */
static int w3cdtf(const char *s, int64_t *ns)
{
	const size_t n = strlen(s);
	char b[64];

	if (chorus_time_parse_rfc3339(s, n, ns) == 0)
		return 0;
	if (n == 10) {
		snprintf(b, sizeof b, "%sT00:00:00Z", s);
		return chorus_time_parse_rfc3339(b, strlen(b), ns);
	}
	if (n > 16 && n < 40 && s[13] == ':' && s[16] != ':') {
		snprintf(b, sizeof b, "%.16s:00%s", s, s + 16);
		return chorus_time_parse_rfc3339(b, strlen(b), ns);
	}
	return -1;
}

/* ---- feeds --------------------------------------------------------------- */

typedef struct feed {
	int kind;
	const char *ns;          /* the format's own namespace (NULL: RSS 2.0's none) */
	xmlNode *root, *channel; /* channel: the feed's own data (Atom: the root) */
} feed;

static int feed_of(xmlDoc *doc, feed *f)
{
	xmlNode *r = xmlDocGetRootElement(doc);

	memset(f, 0, sizeof *f);
	f->root = r;
	if (!r)
		return -1;
	if (el_ns(r, NULL, "rss")) {
		f->kind = KIND_RSS2;
		f->channel = child(r, NULL, "channel");
	} else if (el_ns(r, NS_RDF, "RDF")) {
		f->kind = KIND_RSS1;
		f->ns = NS_RSS1;
		f->channel = child(r, NS_RSS1, "channel");
	} else if (el_ns(r, NS_ATOM, "feed")) {
		f->kind = KIND_ATOM;
		f->ns = NS_ATOM;
		f->channel = r;
	}
	return f->kind ? 0 : -1;
}

/* A child element of the format's own (in its namespace, or in none: a
 * common slip of RSS 1.0 and Atom feeds). */
static xmlNode *own(const feed *f, const xmlNode *n, const char *name)
{
	xmlNode *c = child(n, f->ns, name);

	return c || !f->ns ? c : child(n, NULL, name);
}

/* The next item / entry after prev (NULL: the first). */
static xmlNode *next_item(const feed *f, xmlNode *prev)
{
	const char *name = f->kind == KIND_ATOM ? "entry" : "item";
	xmlNode *n = prev ? prev->next
		     : f->kind == KIND_RSS2 ? (f->channel ? f->channel->children : NULL)
		     : f->root->children;

	for (; n; n = n->next)
		if (el_ns(n, f->ns, name) || (f->ns && el_ns(n, NULL, name)))
			return n;
	return NULL;
}

/* How an Atom text construct is read, from its type. */
static int atom_mode(const xmlNode *n)
{
	const char *t = n ? attr(n, "type") : NULL;

	if (!n || attr(n, "src"))
		return T_NONE; /* content elsewhere */
	if (!t || !strcmp(t, "text") || !strcmp(t, "text/plain"))
		return T_PLAIN;
	if (!strcmp(t, "html") || !strcmp(t, "text/html"))
		return T_HTML;
	if (!strcmp(t, "xhtml") || strstr(t, "xml"))
		return T_RICH;
	return strncmp(t, "text/", 5) ? T_NONE /* base64 media */ : T_PLAIN;
}

/* Atom: the href of the rel="alternate" link (no rel means alternate),
 * else of the first link. */
static const char *atom_link(const xmlNode *n)
{
	const char *first = NULL;

	for (const xmlNode *c = n->children; c; c = c->next) {
		const char *href = el_ns(c, NS_ATOM, "link") || el_ns(c, NULL, "link")
				   ? attr(c, "href") : NULL;
		const char *rel = href ? attr(c, "rel") : NULL;
		if (!href || !href[0])
			continue;
		if (!rel || !strcmp(rel, "alternate"))
			return href;
		if (!first)
			first = href;
	}
	return first;
}

typedef struct feed_meta {
	const char *title, *site, *author;
} feed_meta;

static int feed_meta_read(web *w, const feed *f, feed_meta *m)
{
	chorus_arena *a = &w->doc_strings;
	xmlNode *t = own(f, f->channel, "title");
	int rc = 0;

	memset(m, 0, sizeof m[0]);
	if (!f->channel)
		return 0;
	if (f->kind == KIND_ATOM) {
		m->title = gather(w, a, t, atom_mode(t), &rc);
		m->site = atom_link(f->channel);
		m->author = gather(w, a, own(f, own(f, f->channel, "author"), "name"), T_PLAIN,
				   &rc);
	} else {
		m->title = gather(w, a, t, T_HTML, &rc);
		m->site = gather(w, a, own(f, f->channel, "link"), T_PLAIN, &rc);
	}
	return rc;
}

/* Is s an absolute URI (scheme ":")? */
static int absolute_uri(const char *s)
{
	size_t i = 0;

	if (!((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		return 0;
	while (((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
	       s[i] == '+' || s[i] == '-' || s[i] == '.')
		i++;
	return s[i] == ':';
}

/* RSS 2.0 author: "address (Name)" gives Name, else the whole. */
static const char *rss_author(web *w, const char *s, int *rc)
{
	const char *open = s ? strchr(s, '(') : NULL;
	const char *close = open ? strrchr(open, ')') : NULL;
	const char *name;

	if (!close || close == open + 1)
		return s;
	name = chorus_arena_strndup(&w->item_strings, open + 1, (size_t)(close - open) - 1);
	if (!name)
		*rc = CHORUS_ENOMEM;
	return name;
}

typedef struct item {
	chorus_doc_fields f;
	const char *title, *body;
	const char *id_from;                /* the element the id should come from */
	int time;                           /* 0 read, 1 none, -1 none that parses */
	const char *time_name, *time_value; /* then: the first found */
} item;

/* The time of item n from the first of names[] (NULL-terminated; "dc:"
 * is Dublin Core) that holds one; sets it->time. */
static void item_time(web *w, xmlNode *n, const feed *f, const char *const *names, item *it,
		      int *rc)
{
	it->time = 1;
	for (size_t k = 0; names[k]; k++) {
		const int dc = !strncmp(names[k], "dc:", 3);
		xmlNode *e = dc ? child(n, NS_DC, names[k] + 3) : own(f, n, names[k]);
		const char *v = gather(w, &w->item_strings, e, T_PLAIN, rc);
		if (!v)
			continue;
		if (it->time == 1) {
			it->time = -1;
			it->time_name = names[k];
			it->time_value = v;
		}
		if ((!strcmp(names[k], "pubDate") &&
		     chorus_rfc822_time(v, strlen(v), &it->f.created_at) == 0) ||
		    w3cdtf(v, &it->f.created_at) == 0) {
			it->time = 0;
			return;
		}
	}
}

static void rss_item(web *w, xmlNode *n, const feed *f, item *it, int *rc)
{
	static const char *const times[] = { "pubDate", "dc:date", NULL };
	chorus_arena *a = &w->item_strings;
	xmlNode *guid = f->kind == KIND_RSS2 ? child(n, NULL, "guid") : NULL;
	const char *perma = guid ? attr(guid, "isPermaLink") : NULL;
	const char *about = attr_ns(n, NS_RDF, "about");

	it->f.url = gather(w, a, own(f, n, "link"), T_PLAIN, rc);
	it->f.id = gather(w, a, guid, T_PLAIN, rc);
	it->id_from = "guid";
	if (f->kind == KIND_RSS1) {
		it->f.id = about && about[0] ? about : NULL;
		it->id_from = "rdf:about";
	}
	if (!it->f.url && it->f.id && (!perma || strcmp(perma, "false")) &&
	    (!strncmp(it->f.id, "http://", 7) || !strncmp(it->f.id, "https://", 8)))
		it->f.url = it->f.id;
	it->f.author = gather(w, a, child(n, NS_DC, "creator"), T_PLAIN, rc);
	if (!it->f.author && f->kind == KIND_RSS2)
		it->f.author = rss_author(w, gather(w, a, child(n, NULL, "author"), T_PLAIN, rc), rc);
	it->title = gather(w, a, own(f, n, "title"), T_HTML, rc);
	it->body = gather(w, a, child(n, NS_CONTENT, "encoded"), T_HTML, rc);
	if (!it->body)
		it->body = gather(w, a, own(f, n, "description"), T_HTML, rc);
	item_time(w, n, f, times, it, rc);
}

static void atom_entry(web *w, xmlNode *n, const feed *f, item *it, int *rc)
{
	static const char *const times[] = { "published", "updated", "dc:date", NULL };
	chorus_arena *a = &w->item_strings;
	xmlNode *t = own(f, n, "title"), *body = own(f, n, "content");

	it->f.id = gather(w, a, own(f, n, "id"), T_PLAIN, rc);
	it->id_from = "id";
	it->f.url = atom_link(n);
	it->f.author = gather(w, a, own(f, own(f, n, "author"), "name"), T_PLAIN, rc);
	it->title = gather(w, a, t, atom_mode(t), rc);
	it->body = gather(w, a, body, atom_mode(body), rc);
	if (!it->body) {
		body = own(f, n, "summary");
		it->body = gather(w, a, body, atom_mode(body), rc);
	}
	item_time(w, n, f, times, it, rc);
}

/* a sep b in the item's strings (errors in *rc). */
static const char *join(web *w, const char *a, char sep, const char *b, int *rc)
{
	const size_t al = strlen(a), bl = strlen(b);
	char *s = chorus_arena_alloc(&w->item_strings, al + bl + 2);

	if (!s) {
		*rc = CHORUS_ENOMEM;
		return NULL;
	}
	memcpy(s, a, al);
	s[al] = sep;
	memcpy(s + al + 1, b, bl + 1);
	return s;
}

/* title "\n" body, either alone, or NULL when there is neither. */
static const char *item_text(web *w, const char *title, const char *body, size_t *len,
			     int *rc)
{
	const char *s = !title ? body : !body ? title : join(w, title, '\n', body, rc);

	*len = s ? strlen(s) : 0;
	return s;
}

/* "SITE#id" for an id that is not an absolute URI. */
static const char *own_id(web *w, const char *id, const feed_meta *m, int *rc)
{
	const char *site = m->site ? m->site : m->title;

	return !id || absolute_uri(id) || !site ? id : join(w, site, '#', id, rc);
}

/* A bad record when the item has no id, time or author: 1 (*rc: what the
 * sink said), else 0. */
static int feed_bad(web *w, uint64_t line, const feed *f, const item *it, int *rc)
{
	if (!it->f.id)
		*rc = bad(w, line, "%s without an id (%s) or a link",
			  f->kind == KIND_ATOM ? "entry" : "item", it->id_from);
	else if (it->time < 0)
		*rc = bad(w, line, "post %.200s: time is not %s (%s \"%.60s\")", it->f.id,
			  !strcmp(it->time_name, "pubDate") ? "RFC 822"
			  : f->kind == KIND_ATOM ? "RFC 3339" : "W3C-DTF",
			  it->time_name, it->time_value);
	else if (it->time > 0)
		*rc = bad(w, line, "post %.200s: no time (%s)", it->f.id,
			  f->kind == KIND_ATOM ? "no published or updated" : "no pubDate or dc:date");
	else if (!it->f.author)
		*rc = bad(w, line, "post %.200s: no author, and the feed has no link or title",
			  it->f.id);
	else
		return 0;
	return 1;
}

static int feed_item(web *w, xmlNode *n, const feed *f, const feed_meta *m)
{
	const uint64_t line = line_of(n);
	item it;
	int rc = 0;

	memset(&it, 0, sizeof it);
	it.f.server_time = CHORUS_TIME_NONE;
	it.f.platform = "feed";
	it.f.handle = m->title;
	if (f->kind == KIND_ATOM)
		atom_entry(w, n, f, &it, &rc);
	else
		rss_item(w, n, f, &it, &rc);
	if (rc == 0) {
		it.f.id = own_id(w, it.f.id ? it.f.id : it.f.url, m, &rc);
		it.f.text = item_text(w, it.title, it.body, &it.f.text_len, &rc);
	}
	if (!it.f.author)
		it.f.author = f->kind == KIND_ATOM && m->author ? m->author
			      : m->site ? m->site : m->title;
	if (rc == CHORUS_ELIMIT) /* only the text buffers have caps here */
		return bad(w, line, "text longer than the %zu-byte limit", w->k->max_record);
	if (rc)
		return rc;
	if (feed_bad(w, line, f, &it, &rc))
		return rc;
	if (!it.f.text) {
		w->k->st->ignored++;
		return 0;
	}
	return emit(w, n, 0, &it.f);
}

static int feed_read(web *w, const char *p, size_t n)
{
	char msg[CHORUS_ERROR_TEXT];
	uint64_t line = 1;
	feed_meta m;
	feed f;
	int rc = parse_xml(p, n, &w->doc, msg, &line);

	if (rc == CHORUS_EINPUT)
		return bad(w, line, "%s", msg);
	if (rc)
		return rc;
	if (feed_of(w->doc, &f) != 0)
		return bad(w, line_of(f.root ? f.root : (xmlNode *)w->doc),
			   "not an RSS or Atom document (root element <%.60s>)",
			   f.root ? (const char *)f.root->name : "");
	rc = feed_meta_read(w, &f, &m);
	for (xmlNode *it = next_item(&f, NULL); it && rc == 0; it = next_item(&f, it)) {
		rc = feed_item(w, it, &f, &m);
		chorus_arena_dispose(&w->item_strings);
		chorus_arena_init(&w->item_strings);
	}
	return rc;
}

/* ---- Telegram preview pages ---------------------------------------------- */

typedef struct tg_msg {
	xmlNode *block, *owner, *fwd, *reply, *text, *date, *time;
	char channel[128];
	uint64_t id;
} tg_msg;

/* "CHANNEL/ID" into m; -1 when data-post is not of that form. */
static int tg_post(const char *post, tg_msg *m)
{
	const char *slash = post ? strrchr(post, '/') : NULL;
	const size_t cl = slash ? (size_t)(slash - post) : 0;

	if (cl == 0 || cl >= sizeof m->channel || parse_u64(slash + 1, &m->id) != 0)
		return -1;
	memcpy(m->channel, post, cl);
	m->channel[cl] = '\0';
	return 0;
}

/* Find the parts of the message block m->block. */
static void tg_parts(tg_msg *m)
{
	xmlNode *b = m->block, *n = b->children;

	while (n) {
		int down = n->type == XML_ELEMENT_NODE;
		if (n->type != XML_ELEMENT_NODE) {
			/* text: nothing to find */
		} else if (has_class(n, "tgme_widget_message") && attr(n, "data-post")) {
			down = 0; /* another block: not this one's */
		} else if (has_class(n, "tgme_widget_message_reply")) {
			m->reply = m->reply ? m->reply : n;
			down = 0; /* holds the quoted message's author and text */
		} else if (has_class(n, "tgme_widget_message_text")) {
			m->text = m->text ? m->text : n;
			down = 0;
		} else if (has_class(n, "tgme_widget_message_forwarded_from_name")) {
			m->fwd = m->fwd ? m->fwd : n;
			down = 0;
		} else if (has_class(n, "tgme_widget_message_owner_name")) {
			m->owner = m->owner ? m->owner : n;
			down = 0;
		} else if (has_class(n, "tgme_widget_message_date")) {
			m->date = m->date ? m->date : n;
		} else if (name_is(n, "time") && attr(n, "datetime") && !m->time) {
			m->time = n; /* the first, unless the date link has one */
		}
		n = next_node(n, b, down);
	}
	for (n = m->date ? m->date->children : NULL; n; n = next_node(n, m->date, 1))
		if (name_is(n, "time") && attr(n, "datetime")) {
			m->time = n;
			break;
		}
}

/* The next message block after prev in document order (NULL: from the
 * root); *more is set when a.tme_messages_more links are passed. */
static xmlNode *tg_next(xmlDoc *doc, xmlNode *prev, uint64_t *before, int *more)
{
	xmlNode *root = (xmlNode *)doc;
	xmlNode *n = prev ? next_node(prev, root, 0) : root->children;

	while (n) {
		if (has_class(n, "tme_messages_more")) {
			uint64_t id;
			*more = 1;
			if (!*before && parse_u64(attr(n, "data-before"), &id) == 0)
				*before = id;
		}
		if (has_class(n, "tgme_widget_message") && attr(n, "data-post"))
			return n;
		n = next_node(n, root, n->type == XML_ELEMENT_NODE);
	}
	return NULL;
}

/* "OTHER/55" from a t.me link (https://t.me/OTHER/55?single), as a slice
 * of href; the whole href when it is not one. */
static const char *tme_path(const char *href, size_t *len)
{
	static const char *const prefixes[] = { "https://t.me/", "http://t.me/", "//t.me/",
						"https://telegram.me/", "http://telegram.me/" };
	const char *p = href;

	for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++)
		if (!strncmp(href, prefixes[k], strlen(prefixes[k]))) {
			p = href + strlen(prefixes[k]);
			if (!strncmp(p, "s/", 2))
				p += 2;
			*len = strcspn(p, "?#");
			while (*len > 0 && p[*len - 1] == '/')
				(*len)--;
			if (*len > 0)
				return p;
		}
	*len = strlen(href);
	return href;
}

/* The reference a link names, in the item's strings; NULL without one. */
static const char *tme_ref(web *w, const char *href, int *rc)
{
	size_t len;
	const char *p, *ref;

	if (!href || !href[0] || *rc)
		return NULL;
	p = tme_path(href, &len);
	ref = chorus_arena_strndup(&w->item_strings, p, len);
	if (!ref)
		*rc = CHORUS_ENOMEM;
	return ref;
}

static int tg_message(web *w, xmlNode *block)
{
	chorus_arena *a = &w->item_strings;
	const char *post = attr(block, "data-post"), *when;
	const uint64_t line = line_of(block);
	chorus_doc_fields f;
	tg_msg m;
	int rc = 0;

	memset(&m, 0, sizeof m);
	memset(&f, 0, sizeof f);
	m.block = block;
	if (tg_post(post, &m) != 0)
		return bad(w, line, "message block whose data-post is not CHANNEL/ID (\"%.100s\")",
			   post);
	if (has_class(block, "service_message")) {
		w->k->st->ignored++;
		return 0;
	}
	tg_parts(&m);
	f.id = post;
	f.author = m.channel;
	f.platform = "telegram";
	f.server_time = CHORUS_TIME_NONE;
	f.handle = gather(w, a, m.owner, T_PLAIN, &rc);
	f.text = gather(w, a, m.text, T_RICH, &rc);
	f.url = m.date ? attr(m.date, "href") : NULL;
	f.reply_to = m.reply ? tme_ref(w, attr(m.reply, "href"), &rc) : NULL;
	if (m.fwd) { /* a hidden source has no link: its name, else "unknown" */
		f.repost_of = tme_ref(w, attr(m.fwd, "href"), &rc);
		if (!f.repost_of)
			f.repost_of = gather(w, a, m.fwd, T_PLAIN, &rc);
		if (!f.repost_of)
			f.repost_of = "unknown";
	}
	if (rc == CHORUS_ELIMIT)
		return bad(w, line, "message %.200s: text longer than the %zu-byte limit", post,
			   w->k->max_record);
	if (rc)
		return rc;
	if (!f.text) {
		w->k->st->ignored++;
		return 0;
	}
	f.text_len = strlen(f.text);
	when = m.time ? attr(m.time, "datetime") : NULL;
	if (!when)
		return bad(w, line, "message %.200s: no time (<time datetime> in "
			   "a.tgme_widget_message_date)", post);
	if (chorus_time_parse_rfc3339(when, strlen(when), &f.created_at) != 0)
		return bad(w, line, "message %.200s: time is not RFC 3339 (\"%.60s\")", post, when);
	return emit(w, block, 1, &f);
}

/* Is the page a channel's, even without messages (its history section,
 * its header, or a link to more)? */
static int tg_page(xmlDoc *doc)
{
	xmlNode *root = (xmlNode *)doc;

	for (xmlNode *n = root->children; n; n = next_node(n, root, n->type == XML_ELEMENT_NODE))
		if (has_class(n, "tgme_channel_history") || has_class(n, "tgme_channel_info") ||
		    has_class(n, "tme_messages_more"))
			return 1;
	return 0;
}

static int tg_read(web *w, const char *p, size_t n)
{
	char msg[CHORUS_ERROR_TEXT];
	uint64_t before = 0, line;
	int rc = parse_html(p, n, &w->doc, msg, &line), more = 0;
	xmlNode *b;

	if (rc == CHORUS_EINPUT)
		return bad(w, line, "%s", msg);
	if (rc)
		return rc;
	b = tg_next(w->doc, NULL, &before, &more);
	if (!b && !tg_page(w->doc))
		return bad(w, 1, "not a Telegram channel preview page (no message blocks)");
	for (; b && rc == 0; b = tg_next(w->doc, b, &before, &more)) {
		rc = tg_message(w, b);
		chorus_arena_dispose(&w->item_strings);
		chorus_arena_init(&w->item_strings);
	}
	return rc;
}

/* ---- the reader ---------------------------------------------------------- */

/* The whole input in doc, lines joined by '\n'.  A document over the cap
 * is read to its end but not kept: *over gets the line where it passed. */
static int slurp(chorus_doc_sink *k, const chorus_batch *first, chorus_buf *doc,
		 uint64_t *over)
{
	chorus_batch b = *first;
	int rc = 0;

	while (rc == 0 && b.n > 0) {
		for (size_t i = 0; rc == 0 && i < b.n; i++) {
			const chorus_line *l = &b.lines[i];
			int r;
			k->st->lines++;
			if (*over)
				continue;
			r = !l->p ? CHORUS_ELIMIT : chorus_buf_append(doc, l->p, l->len);
			r = r ? r : chorus_buf_putc(doc, '\n');
			if (r == CHORUS_ELIMIT) {
				*over = l->no;
				chorus_buf_dispose(doc);
			} else {
				rc = r;
			}
		}
		if (rc == 0)
			rc = chorus_input_next(k->in, &b, k->err);
	}
	return rc;
}

int chorus_web_read(chorus_doc_sink *k, int format, const chorus_batch *first)
{
	web w = { .k = k };
	chorus_buf doc;
	uint64_t over = 0;
	int rc;

	chorus_buf_init(&doc, k->max_record + 1); /* + the '\n' after a last line */
	chorus_buf_init(&w.tmp, k->max_record + 64);
	chorus_buf_init(&w.tmp2, k->max_record + 64);
	chorus_arena_init(&w.doc_strings);
	chorus_arena_init(&w.item_strings);
	w.sha = chorus_sha256_new();
	rc = w.sha ? slurp(k, first, &doc, &over) : CHORUS_ENOMEM;
	if (rc == 0 && over)
		rc = bad(&w, over, "%s larger than the %zu-byte limit: not read (raise --max-record)",
			 format == CHORUS_FORMAT_FEED ? "feed" : "page", k->max_record);
	else if (rc == 0 && doc.len > 0 && format == CHORUS_FORMAT_FEED)
		rc = feed_read(&w, doc.data, doc.len);
	else if (rc == 0 && doc.len > 0)
		rc = tg_read(&w, doc.data, doc.len);
	if (w.doc)
		xmlFreeDoc(w.doc);
	chorus_sha256_free(w.sha);
	chorus_arena_dispose(&w.item_strings);
	chorus_arena_dispose(&w.doc_strings);
	chorus_buf_dispose(&w.tmp2);
	chorus_buf_dispose(&w.tmp);
	chorus_buf_dispose(&doc);
	return rc;
}

/* ---- for the collectors -------------------------------------------------- */

/* Copy s into out[cap], cut at a character boundary. */
static void copy_cut(char *out, size_t cap, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, s ? s : "", n);
	out[n] = '\0';
}

int chorus_feed_doc_info(const char *xml, size_t len, chorus_feed_info *info)
{
	char msg[CHORUS_ERROR_TEXT];
	uint64_t line;
	chorus_feed_info r;
	web w = { 0 };
	feed f;
	feed_meta m;
	int rc = parse_xml(xml, len, &w.doc, msg, &line);

	if (rc)
		return -1;
	memset(&r, 0, sizeof r);
	chorus_buf_init(&w.tmp, len + 64);
	chorus_buf_init(&w.tmp2, len + 64);
	chorus_arena_init(&w.doc_strings);
	chorus_arena_init(&w.item_strings);
	rc = feed_of(w.doc, &f);
	if (rc == 0)
		rc = feed_meta_read(&w, &f, &m) ? -1 : 0;
	if (rc == 0) {
		r.kind = f.kind;
		copy_cut(r.title, sizeof r.title, m.title);
		for (xmlNode *it = next_item(&f, NULL); it; it = next_item(&f, it))
			r.items++;
		*info = r;
	}
	xmlFreeDoc(w.doc);
	chorus_arena_dispose(&w.doc_strings);
	chorus_arena_dispose(&w.item_strings);
	chorus_buf_dispose(&w.tmp2);
	chorus_buf_dispose(&w.tmp);
	return rc;
}

int chorus_tgweb_page_info(const char *html, size_t len, chorus_tgweb_info *info)
{
	char msg[CHORUS_ERROR_TEXT];
	chorus_tgweb_info r;
	uint64_t line;
	xmlDoc *doc;
	int more = 0;

	if (parse_html(html, len, &doc, msg, &line) != 0)
		return -1;
	memset(&r, 0, sizeof r);
	for (xmlNode *b = tg_next(doc, NULL, &r.before, &more); b;
	     b = tg_next(doc, b, &r.before, &more)) {
		tg_msg m;
		const char *when;
		int64_t t;
		memset(&m, 0, sizeof m);
		m.block = b;
		if (tg_post(attr(b, "data-post"), &m) != 0)
			continue;
		if (r.messages++ == 0) {
			copy_cut(r.channel, sizeof r.channel, m.channel);
			r.min_id = r.max_id = m.id;
		}
		r.min_id = m.id < r.min_id ? m.id : r.min_id;
		r.max_id = m.id > r.max_id ? m.id : r.max_id;
		tg_parts(&m);
		when = m.time ? attr(m.time, "datetime") : NULL;
		if (!when || chorus_time_parse_rfc3339(when, strlen(when), &t) != 0)
			continue;
		r.oldest_ns = !r.oldest_ns || t < r.oldest_ns ? t : r.oldest_ns;
		r.newest_ns = !r.newest_ns || t > r.newest_ns ? t : r.newest_ns;
	}
	xmlFreeDoc(doc);
	if (r.messages == 0 && !more)
		return -1;
	*info = r;
	return 0;
}
