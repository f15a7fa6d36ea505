/*
 * import_web.h - what the collectors need to know of a fetched RSS / Atom
 * feed or Telegram channel preview page (t.me/s/NAME) before they store
 * it, and the RFC 822 date parser the feed reader uses (HTTP dates are
 * its IMF-fixdate subset).  The readers themselves are reached through
 * chorus_corpus_read (CHORUS_FORMAT_FEED, CHORUS_FORMAT_TELEGRAM_WEB).
 *
 * The page and the feed are parsed by libxml2 (import_web.c), the feed
 * without entity substitution or any external loading; neither function
 * keeps anything from the bytes once it returns.  Both are re-entrant:
 * call xmlInitParser, or either function once, before threads use them.
 */
#ifndef CHORUS_IMPORT_WEB_H
#define CHORUS_IMPORT_WEB_H

#include <stddef.h>
#include <stdint.h>

typedef struct chorus_tgweb_info {
	size_t messages;              /* message blocks on the page */
	uint64_t min_id, max_id;      /* of their numeric IDs; 0 when none */
	int64_t oldest_ns, newest_ns; /* their times (UTC ns); 0 when none */
	uint64_t before;              /* data-before of a.tme_messages_more (older
					 page), 0 when none */
	char channel[128];            /* the CHANNEL of the data-post values
					 (the first block's), "" when none */
} chorus_tgweb_info;

/*
 * Look at a Telegram channel preview page: a message block is an element
 * whose class list holds "tgme_widget_message" with data-post="CHANNEL/ID"
 * (blocks whose data-post is not of that form are not counted); its time
 * is the datetime of the <time> in its a.tgme_widget_message_date.
 * 0 with *info filled, or -1 (info untouched) when the bytes are not a
 * channel preview page: no message blocks and no a.tme_messages_more link,
 * not HTML, longer than INT_MAX, or libxml2 out of memory.
 */
int chorus_tgweb_page_info(const char *html, size_t len, chorus_tgweb_info *info);

typedef struct chorus_feed_info {
	size_t items;    /* item (RSS) or entry (Atom) elements */
	int kind;        /* 0 unknown, 1 RSS 2.0, 2 RSS 1.0, 3 Atom */
	char title[256]; /* the feed's title as text, cut at a character
			    boundary; "" when none */
} chorus_feed_info;

/*
 * Look at a feed: 0 with *info filled (kind 1, 2 or 3), or -1 (info
 * untouched) when the bytes are not a well-formed XML document whose root
 * is <rss>, <rdf:RDF> or an Atom <feed>, are longer than INT_MAX, or
 * libxml2 ran out of memory.  (The name differs from the struct's: C
 * gives a typedef and a function one name space.)
 */
int chorus_feed_doc_info(const char *xml, size_t len, chorus_feed_info *info);

/*
 * An RFC 822 / 1123 / 5322 date ("Tue, 28 Apr 2020 09:14:05 +0300") as UTC
 * ns: the day name optional, month names in English (any case, full or
 * cut), two-digit years (00-49: 20xx, 50-99: 19xx) and three-digit years
 * (+1900), seconds optional; the zone is +HHMM / -HHMM (also +HH:MM), UT,
 * UTC, GMT, Z, the North American EST EDT CST CDT MST MDT PST PDT, or a
 * one-letter military zone, which RFC 5322 section 4.3 says to read as
 * -0000 (UTC: RFC 822 gave them the wrong sign); a trailing "(comment)"
 * is allowed.  A date without a zone is refused.  0, or -1.
 */
int chorus_rfc822_time(const char *s, size_t len, int64_t *ns);

#endif
