/*
 * http.c - the collectors' HTTP client over the libcurl easy interface (the
 * only file that includes curl.h), and the pure helpers around it: URL
 * redaction and the scheme rule, Retry-After and HTTP dates, Link headers.
 *
 * A request is a loop over hops.  Each hop's URL is parsed once by curl's
 * own URL parser and that parsed handle is what is fetched (CURLOPT_CURLU),
 * so the URL that was checked is the URL that is requested.  Before a hop:
 * the scheme rule (chorus_url_allowed), the loop list (a URL seen twice),
 * the hop limit and the cross-host rule.  Then one transfer with libcurl's
 * own redirect following off; a 301/302/303/307/308 carrying a Location
 * gives the next hop (resolved against the current URL), anything else is
 * the answer.  Headers and body are collected per hop, so the response
 * holds the last hop's.
 *
 * Invariants: no secret header value and no secret query value is written
 * to r->error, r->url or r->location; a body never holds more than
 * max_body bytes.  Memory per request: the body (at most max_body + 1
 * bytes), the collected header values (libcurl caps a header at 100 KiB)
 * and one URL per hop (at most max_redirects + 1).
 */
#include <arpa/inet.h>
#include <assert.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "chorus/alloc.h"
#include "chorus/buf.h"
#include "chorus/error.h"
#include "chorus/timeutil.h"
#include "http.h"

#define MiB ((size_t)1024 * 1024)
#define ERR_URL_MAX 160 /* longest URL quoted in an error, so the reason fits */

struct chorus_http {
	CURL *curl;
	chorus_http_opts o;
	char *ca_bundle;
	char *user_agent;
};

/* ---- small ASCII helpers (locale-independent) ---------------------------- */

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int is_ows(int c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* s[0..n) equals the NUL-terminated lit, ignoring ASCII case. */
static int ieqn(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lit[i] == '\0' || lower((unsigned char)s[i]) != lower((unsigned char)lit[i]))
			return 0;
	return lit[n] == '\0';
}

static int ieq(const char *a, const char *b)
{
	return ieqn(a, strlen(a), b);
}

static char *dupn(const char *s, size_t n)
{
	char *d = chorus_malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static int hexval(int c)
{
	if (is_digit(c))
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* ---- URL redaction -------------------------------------------------------- */

/* Query (and fragment) parameter names whose values are credentials. */
static const char *const secret_names[] = {
	"access_token", "token", "password", "api_key", "key", "secret", "sig", "signature",
	"auth", "code", "refresh_token", "id_token", "client_secret", "apikey", "passwd",
	"oauth_token", "oauth_signature", NULL
};

/* Whether the (percent-encoded) parameter name s[0..n) is a secret name. */
static int secret_param(const char *s, size_t n)
{
	char name[32];
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			c = hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]);
			i += 2;
		}
		if (k + 1 >= sizeof name)
			return 0; /* longer than any secret name */
		name[k++] = (char)c;
	}
	for (i = 0; secret_names[i]; i++)
		if (ieqn(name, k, secret_names[i]))
			return 1;
	return 0;
}

/* Append the parameters s[0..n) ("a=1&b=2", ';' also separates), each
 * secret value replaced by REDACTED. */
static int redact_params(chorus_buf *b, const char *s, size_t n)
{
	const char *end = s + n;

	while (s < end) {
		const char *amp = s, *eq;
		int rc;

		while (amp < end && *amp != '&' && *amp != ';')
			amp++;
		eq = memchr(s, '=', (size_t)(amp - s));
		if (eq && secret_param(s, (size_t)(eq - s))) {
			rc = chorus_buf_append(b, s, (size_t)(eq - s) + 1);
			if (!rc)
				rc = chorus_buf_puts(b, "REDACTED");
		} else {
			rc = chorus_buf_append(b, s, (size_t)(amp - s));
		}
		if (!rc && amp < end)
			rc = chorus_buf_putc(b, *amp);
		if (rc)
			return rc;
		s = amp < end ? amp + 1 : end;
	}
	return 0;
}

/* Length of "scheme://" at the start of url, or 0. */
static size_t scheme_len(const char *url)
{
	size_t i = 0;

	if (lower((unsigned char)url[0]) < 'a' || lower((unsigned char)url[0]) > 'z')
		return 0;
	while ((lower((unsigned char)url[i]) >= 'a' && lower((unsigned char)url[i]) <= 'z') ||
	       is_digit((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.')
		i++;
	return strncmp(url + i, "://", 3) == 0 ? i + 3 : 0;
}

/* Append the authority url[0..) up to the path, without any userinfo;
 * returns the characters consumed. */
static size_t copy_authority(chorus_buf *b, const char *url, int *rc)
{
	size_t n = strcspn(url, "/?#");
	const char *at = NULL;

	for (size_t i = 0; i < n; i++)
		if (url[i] == '@')
			at = url + i;
	if (at)
		*rc = chorus_buf_append(b, at + 1, (size_t)(url + n - at - 1));
	else
		*rc = chorus_buf_append(b, url, n);
	return n;
}

char *chorus_url_redact(const char *url)
{
	size_t len = strlen(url), n;
	const char *p = url;
	chorus_buf b;
	int rc = 0;

	if (len > SIZE_MAX / 16)
		return NULL;
	/* Each parameter grows by at most strlen("REDACTED"). */
	chorus_buf_init(&b, len * 9 + 16);
	n = scheme_len(p);
	if (n == 0 && p[0] == '/' && p[1] == '/')
		n = 2;
	if (n) {
		rc = chorus_buf_append(&b, p, n);
		p += n;
		if (!rc)
			p += copy_authority(&b, p, &rc);
	}
	n = strcspn(p, "?#");
	if (!rc)
		rc = chorus_buf_append(&b, p, n);
	p += n;
	while (!rc && (*p == '?' || *p == '#')) {
		/* The fragment too: OAuth's implicit flow puts tokens there. */
		n = *p == '?' ? strcspn(p + 1, "#") : strlen(p + 1);
		rc = chorus_buf_putc(&b, *p);
		if (!rc)
			rc = redact_params(&b, p + 1, n);
		p += n + 1;
	}
	if (!rc)
		rc = chorus_buf_reserve(&b, 0);
	if (rc) {
		chorus_buf_dispose(&b);
		return NULL;
	}
	return b.data;
}

/* ---- the scheme rule ------------------------------------------------------ */

/* "localhost", 127.0.0.0/8 or ::1 (or ::ffff:127.x.y.z), as curl's URL
 * parser gives the host (IPv6 in brackets). */
static int is_loopback(const char *host)
{
	size_t n = strlen(host);
	struct in_addr a4;
	struct in6_addr a6;
	char inner[64];

	if (ieq(host, "localhost"))
		return 1;
	if (n > 2 && n - 2 < sizeof inner && host[0] == '[' && host[n - 1] == ']') {
		memcpy(inner, host + 1, n - 2);
		inner[n - 2] = '\0';
		if (inet_pton(AF_INET6, inner, &a6) != 1)
			return 0;
		return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	}
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return 0;
}

static void set_why(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_why(char *why, const char *fmt, ...)
{
	va_list ap;

	if (!why)
		return;
	va_start(ap, fmt);
	vsnprintf(why, 256, fmt, ap);
	va_end(ap);
}

/* The scheme rule on a parsed URL. */
static int allowed_u(CURLU *u, int allow_http, char *why)
{
	char *scheme = NULL, *host = NULL;
	int rc = -1;

	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		set_why(why, "not an absolute URL");
	} else if (!ieq(scheme, "https") && !ieq(scheme, "http")) {
		set_why(why, "scheme %.32s is refused (https only)", scheme);
	} else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0]) {
		set_why(why, "no host");
	} else if (ieq(scheme, "https") || allow_http || is_loopback(host)) {
		rc = 0;
	} else {
		set_why(why, "plain http to %.100s is refused (https only; http only to loopback)",
			host);
	}
	curl_free(scheme);
	curl_free(host);
	return rc;
}

/* A curl URL handle for url, or NULL when it does not parse (why set). */
static CURLU *parse_url(const char *url, char *why)
{
	CURLU *u = curl_url();

	if (!u) {
		set_why(why, "out of memory");
		return NULL;
	}
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
		curl_url_cleanup(u);
		set_why(why, "not a valid absolute URL");
		return NULL;
	}
	return u;
}

int chorus_url_allowed(const char *url, int allow_http, char *why)
{
	CURLU *u = parse_url(url, why);
	int rc;

	if (!u)
		return -1;
	rc = allowed_u(u, allow_http, why);
	curl_url_cleanup(u);
	return rc;
}

/* ---- HTTP dates and Retry-After ------------------------------------------- */

static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};
static const char *const day_names[] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
};

/* Take exactly lit (any case) at *p. */
static int take(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strlen(*p) < n || !ieqn(*p, n, lit))
		return -1;
	*p += n;
	return 0;
}

/* Take min..max digits at *p into *out. */
static int take_num(const char **p, int min, int max, int *out)
{
	int n = 0, v = 0;

	while (n < max && is_digit((unsigned char)(*p)[n]))
		v = v * 10 + ((*p)[n++] - '0');
	if (n < min)
		return -1;
	*p += n;
	*out = v;
	return 0;
}

/* A day name at *p: 3 letters (short) or the full name; 0..6 or -1. */
static int take_day(const char **p, int full)
{
	for (int i = 0; i < 7; i++) {
		char shortname[4];
		memcpy(shortname, day_names[i], 3);
		shortname[3] = '\0';
		if (take(p, full ? day_names[i] : shortname) == 0)
			return i;
	}
	return -1;
}

static int take_month(const char **p)
{
	for (int i = 0; i < 12; i++)
		if (take(p, month_names[i]) == 0)
			return i + 1;
	return -1;
}

/* "HH:MM:SS" as seconds of the day, or -1. */
static long take_clock(const char **p)
{
	int h, m, s;

	if (take_num(p, 2, 2, &h) || take(p, ":") || take_num(p, 2, 2, &m) || take(p, ":") ||
	    take_num(p, 2, 2, &s) || h > 23 || m > 59 || s > 60)
		return -1;
	return h * 3600L + m * 60L + s;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : d[m - 1];
}

static long long epoch_of(int y, int m, int d, long clock)
{
	if (y < 1970 || y > 9999 || m < 1 || d < 1 || d > days_in_month(y, m) || clock < 0)
		return -1;
	return (long long)chorus_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + clock;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" (after the day name and comma). */
static long long imf_fixdate(const char *p)
{
	int d, m, y;
	long t;

	if (take(&p, " ") || take_num(&p, 1, 2, &d) || take(&p, " ") || (m = take_month(&p)) < 0 ||
	    take(&p, " ") || take_num(&p, 4, 4, &y) || take(&p, " ") || (t = take_clock(&p)) < 0 ||
	    take(&p, " ") || (take(&p, "GMT") && take(&p, "UTC")))
		return -1;
	while (is_ows(*p))
		p++;
	return *p ? -1 : epoch_of(y, m, d, t);
}

/* "Sunday, 06-Nov-94 08:49:37 GMT" (after the day name and comma); two-
 * digit years below 70 are 20xx, the others 19xx. */
static long long rfc850_date(const char *p)
{
	int d, m, y;
	long t;

	if (take(&p, " ") || take_num(&p, 2, 2, &d) || take(&p, "-") || (m = take_month(&p)) < 0 ||
	    take(&p, "-") || take_num(&p, 2, 2, &y) || take(&p, " ") || (t = take_clock(&p)) < 0 ||
	    take(&p, " ") || take(&p, "GMT"))
		return -1;
	while (is_ows(*p))
		p++;
	return *p ? -1 : epoch_of(y < 70 ? 2000 + y : 1900 + y, m, d, t);
}

/* "Sun Nov  6 08:49:37 1994" (after the day name). */
static long long asctime_date(const char *p)
{
	int d, m, y;
	long t;

	if (take(&p, " ") || (m = take_month(&p)) < 0 || take(&p, " "))
		return -1;
	if (*p == ' ')
		p++;
	if (take_num(&p, 1, 2, &d) || take(&p, " ") || (t = take_clock(&p)) < 0 || take(&p, " ") ||
	    take_num(&p, 4, 4, &y))
		return -1;
	while (is_ows(*p))
		p++;
	return *p ? -1 : epoch_of(y, m, d, t);
}

long long chorus_http_date(const char *v)
{
	const char *p = v;

	while (is_ows(*p))
		p++;
	if (take_day(&p, 1) >= 0)
		return take(&p, ",") ? -1 : rfc850_date(p);
	if (take_day(&p, 0) < 0)
		return -1;
	if (*p == ',')
		return imf_fixdate(p + 1);
	return asctime_date(p);
}

long chorus_retry_after_secs(const char *v, long long now_epoch)
{
	const char *p = v;
	long long at;
	long secs = 0;

	if (!p)
		return -1; /* no Retry-After header */

	while (is_ows(*p))
		p++;
	if (is_digit((unsigned char)*p)) {
		for (; is_digit((unsigned char)*p); p++)
			secs = secs > (LONG_MAX - 9) / 10 ? LONG_MAX : secs * 10 + (*p - '0');
		while (is_ows(*p))
			p++;
		return *p ? -1 : secs;
	}
	at = chorus_http_date(p);
	if (at < 0)
		return -1;
	if (at <= now_epoch)
		return 0;
	return at - now_epoch > LONG_MAX ? LONG_MAX : (long)(at - now_epoch);
}

/* ---- Link header (RFC 8288) ----------------------------------------------- */

/* Whether the relation list v[0..n) (space separated, quoted-pairs when
 * quoted) holds "next", any case. */
static int rel_has_next(const char *v, size_t n, int quoted)
{
	static const char want[] = "next";
	size_t i, k = 0;
	int ok = 1;

	for (i = 0; i <= n; i++) {
		int c = i < n ? (unsigned char)v[i] : ' ';
		if (quoted && c == '\\' && i + 1 < n)
			c = (unsigned char)v[++i];
		else if (is_ows(c)) {
			if (ok && k == 4)
				return 1;
			ok = 1;
			k = 0;
			continue;
		}
		if (ok && k < 4 && lower(c) == want[k])
			k++;
		else
			ok = 0;
	}
	return 0;
}

/* Skip a parameter value at *p (quoted string or token); its extent goes
 * to *v, *n, *quoted. */
static void take_param_value(const char **p, const char **v, size_t *n, int *quoted)
{
	const char *s = *p;

	*quoted = *s == '"';
	if (*quoted) {
		s++;
		*v = s;
		while (*s && *s != '"')
			s += s[0] == '\\' && s[1] ? 2 : 1;
		*n = (size_t)(s - *v);
		*p = *s ? s + 1 : s;
		return;
	}
	*v = s;
	while (*s && *s != ';' && *s != ',' && !is_ows(*s))
		s++;
	*n = (size_t)(s - *v);
	*p = s;
}

/* The parameters after one "<uri>"; 1 when the first rel holds next. */
static int link_params_next(const char **pp)
{
	const char *p = *pp;
	int seen_rel = 0, next = 0;

	for (;;) {
		const char *name, *v = NULL;
		size_t nlen, vlen = 0;
		int quoted = 0;

		while (is_ows(*p))
			p++;
		if (*p != ';')
			break;
		p++;
		while (is_ows(*p))
			p++;
		name = p;
		while (*p && *p != '=' && *p != ';' && *p != ',' && !is_ows(*p))
			p++;
		nlen = (size_t)(p - name);
		while (is_ows(*p))
			p++;
		if (*p == '=') {
			p++;
			while (is_ows(*p))
				p++;
			take_param_value(&p, &v, &vlen, &quoted);
		}
		/* RFC 8288 3.3: only the first rel parameter counts. */
		if (ieqn(name, nlen, "rel") && !seen_rel) {
			seen_rel = 1;
			next = v && rel_has_next(v, vlen, quoted);
		}
	}
	*pp = p;
	return next;
}

/* Move *p past the next comma outside a quoted string (or to the end). */
static void skip_to_comma(const char **pp)
{
	const char *p = *pp;
	int q = 0;

	while (*p && (q || *p != ',')) {
		if (q && p[0] == '\\' && p[1])
			p++;
		else if (*p == '"')
			q = !q;
		p++;
	}
	*pp = *p ? p + 1 : p;
}

char *chorus_link_next(const char *link)
{
	const char *p = link;

	if (!p)
		return NULL; /* no Link header: no next page */
	while (*p) {
		const char *uri, *end;

		while (is_ows(*p) || *p == ',')
			p++;
		if (*p != '<') {
			skip_to_comma(&p);
			continue;
		}
		uri = p + 1;
		end = strchr(uri, '>');
		if (!end)
			return NULL;
		p = end + 1;
		/* A '<' inside is no URI-Reference: the link-value is malformed. */
		if (link_params_next(&p) && !memchr(uri, '<', (size_t)(end - uri))) {
			while (uri < end && is_ows(*uri))
				uri++;
			while (end > uri && is_ows(end[-1]))
				end--;
			if (end > uri)
				return dupn(uri, (size_t)(end - uri));
		}
		skip_to_comma(&p);
	}
	return NULL;
}

/* ---- the client ----------------------------------------------------------- */

const char *chorus_http_failure_name(int failure)
{
	static const char *const names[] = {
		"ok", "connect", "tls", "timeout", "toobig", "truncated", "redirect", "policy",
		"nomem", "other"
	};

	if (failure < 0 || failure >= (int)(sizeof names / sizeof names[0]))
		return "other";
	return names[failure];
}

void chorus_http_opts_default(chorus_http_opts *o)
{
	o->ca_bundle = NULL;
	o->connect_timeout_s = 15;
	o->timeout_s = 120;
	o->low_speed_bytes = 64;
	o->low_speed_secs = 30;
	o->max_body = 32 * MiB;
	o->max_redirects = 5;
	o->user_agent = NULL;
	o->stop = NULL;
}

static char *dup_or_null(const char *s, int *failed)
{
	char *d;

	if (!s)
		return NULL;
	d = dupn(s, strlen(s));
	if (!d)
		*failed = 1;
	return d;
}

chorus_http *chorus_http_new(const chorus_http_opts *o)
{
	static int curl_ready;
	chorus_http *h;
	int failed = 0;

	assert(o->max_redirects >= 0);
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		curl_ready = 1;
	}
	h = chorus_calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->o = *o;
	/* The body buffer needs max_body + 1 bytes (the NUL). */
	if (h->o.max_body > SIZE_MAX / 2)
		h->o.max_body = SIZE_MAX / 2;
	h->ca_bundle = dup_or_null(o->ca_bundle, &failed);
	h->user_agent = dup_or_null(o->user_agent ? o->user_agent
						  : "chorus/" CHORUS_VERSION " (+collector)",
				    &failed);
	h->curl = failed ? NULL : curl_easy_init();
	if (!h->curl) {
		chorus_http_free(h);
		return NULL;
	}
	return h;
}

void chorus_http_free(chorus_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	chorus_free(h->ca_bundle);
	chorus_free(h->user_agent);
	chorus_free(h);
}

static void free_headers(chorus_http_resp *r)
{
	char **const f[] = { &r->date, &r->etag, &r->last_modified, &r->content_type,
			     &r->location, &r->link, &r->retry_after, &r->rl_limit,
			     &r->rl_remaining, &r->rl_reset };

	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		chorus_free(*f[i]);
		*f[i] = NULL;
	}
}

void chorus_http_resp_free(chorus_http_resp *r)
{
	if (!r)
		return;
	free_headers(r);
	chorus_free(r->body);
	chorus_free(r->url);
	r->body = r->url = NULL;
	r->len = 0;
}

/* One transfer's state, shared with the libcurl callbacks. */
typedef struct xfer {
	chorus_http_resp *r; /* header values go straight into r */
	chorus_buf body;
	int toobig, nomem;
} xfer;

/* The response field a header name fills, or NULL. */
static char **header_slot(chorus_http_resp *r, const char *name, size_t n)
{
	static const struct {
		const char *name;
		size_t off;
	} t[] = {
		{ "date", offsetof(chorus_http_resp, date) },
		{ "etag", offsetof(chorus_http_resp, etag) },
		{ "last-modified", offsetof(chorus_http_resp, last_modified) },
		{ "content-type", offsetof(chorus_http_resp, content_type) },
		{ "location", offsetof(chorus_http_resp, location) },
		{ "link", offsetof(chorus_http_resp, link) },
		{ "retry-after", offsetof(chorus_http_resp, retry_after) },
		{ "x-ratelimit-limit", offsetof(chorus_http_resp, rl_limit) },
		{ "x-ratelimit-remaining", offsetof(chorus_http_resp, rl_remaining) },
		{ "x-ratelimit-reset", offsetof(chorus_http_resp, rl_reset) },
		{ "ratelimit-limit", offsetof(chorus_http_resp, rl_limit) },
		{ "ratelimit-remaining", offsetof(chorus_http_resp, rl_remaining) },
		{ "ratelimit-reset", offsetof(chorus_http_resp, rl_reset) },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (ieqn(name, n, t[i].name))
			return (char **)(void *)((char *)r + t[i].off);
	return NULL;
}

/* Store value v[0..n) in *slot; a repeated Link header is joined with
 * ", " (RFC 9110 5.3), any other repeated header keeps the last value. */
#define HEADER_MAX 8192 /* a value kept is at most this long (a journal line stays small) */

static int set_header(char **slot, int join, const char *v, size_t n)
{
	size_t old = join && *slot ? strlen(*slot) : 0;
	char *d;

	if (old + n > HEADER_MAX)
		return 0; /* over the cap: the value (or the repeat) is not kept */

	if (old && n > SIZE_MAX - old - 3)
		return -1;
	d = chorus_malloc(old + (old ? 2 : 0) + n + 1);
	if (!d)
		return -1;
	if (old) {
		memcpy(d, *slot, old);
		memcpy(d + old, ", ", 2);
		old += 2;
	}
	memcpy(d + old, v, n);
	d[old + n] = '\0';
	chorus_free(*slot);
	*slot = d;
	return 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	xfer *t = ud;
	const char *colon, *v, *end = p + n;
	char **slot;

	(void)size; /* always 1 */
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new status line (after 1xx): headers start again. */
		free_headers(t->r);
		return n;
	}
	colon = memchr(p, ':', n);
	if (!colon || !(slot = header_slot(t->r, p, (size_t)(colon - p))))
		return n;
	v = colon + 1;
	while (v < end && is_ows(*v))
		v++;
	while (end > v && (is_ows(end[-1]) || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	if (set_header(slot, slot == &t->r->link, v, (size_t)(end - v))) {
		t->nomem = 1;
		return 0;
	}
	return n;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	xfer *t = ud;
	int rc = chorus_buf_append(&t->body, p, n);

	(void)size; /* always 1 */
	if (rc == CHORUS_ELIMIT)
		t->toobig = 1;
	else if (rc)
		t->nomem = 1;
	return rc ? 0 : n;
}

/* Free a header list after wiping its text (credentials). */
static void wipe_slist(struct curl_slist *list)
{
	for (struct curl_slist *l = list; l; l = l->next)
		if (l->data)
			memset(l->data, 0, strlen(l->data));
	curl_slist_free_all(list);
}

/* The request headers, secret ones only when with_secrets.  A name or
 * value with a line break (a token file with a stray newline) is refused:
 * it would end the header early.  NULL with *bad set, or on ENOMEM. */
static struct curl_slist *build_headers(const chorus_http_req *req, int with_secrets, int *bad)
{
	struct curl_slist *list = NULL, *l;
	chorus_buf line;
	int rc = 0;

	chorus_buf_init(&line, 64 * 1024);
	for (size_t i = 0; i < req->nheaders && !rc; i++) {
		const chorus_http_header *hd = &req->headers[i];
		if (hd->secret && !with_secrets)
			continue;
		if (!hd->name[0] || strpbrk(hd->name, ":\r\n \t") || strpbrk(hd->value, "\r\n")) {
			*bad = 1;
			rc = -1;
			break;
		}
		chorus_buf_reset(&line);
		/* "Name;" is how libcurl is told to send an empty value. */
		rc = chorus_buf_printf(&line, hd->value[0] ? "%s: %s" : "%s;", hd->name, hd->value);
		if (!rc && !(l = curl_slist_append(list, line.data)))
			rc = -1;
		else if (!rc)
			list = l;
	}
	if (!rc && req->body && req->content_type) {
		chorus_buf_reset(&line);
		rc = chorus_buf_printf(&line, "Content-Type: %s", req->content_type);
		if (!rc && !(l = curl_slist_append(list, line.data)))
			rc = -1;
		else if (!rc)
			list = l;
	}
	/* No "Expect: 100-continue" round trip for POST bodies. */
	if (!rc && !(l = curl_slist_append(list, "Expect:")))
		rc = -1;
	else if (!rc)
		list = l;
	if (line.data)
		memset(line.data, 0, line.cap); /* it held the credential */
	chorus_buf_dispose(&line);
	if (rc) {
		wipe_slist(list);
		return NULL;
	}
	return list;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	const volatile int *stop = ud;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return *stop ? 1 : 0;
}

static void set_options(chorus_http *h, CURLU *u, const char *method,
			const chorus_http_req *req, struct curl_slist *hdrs, xfer *t, char *errbuf)
{
	CURL *c = h->curl;
	const chorus_http_opts *o = &h->o;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_CURLU, u);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_bundle) {
		/* The given CA file instead of the system store. */
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_bundle);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_s);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_bytes);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o->low_speed_secs);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_body);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (o->stop) { /* SIGINT / SIGTERM end a transfer at once */
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)o->stop);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	curl_easy_setopt(c, CURLOPT_USERAGENT, h->user_agent);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(req->body ? req->body_len : 0));
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
}

static int is_tls_error(CURLcode c)
{
	switch (c) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_USE_SSL_FAILED:
		return 1;
	default:
		return 0;
	}
}

/* The failure a curl result means; status != 0 when a status line came. */
static int map_curl(CURLcode c, const xfer *t, long status)
{
	if (t->toobig || c == CURLE_FILESIZE_EXCEEDED)
		return CHORUS_HTTP_ETOOBIG;
	if (t->nomem || c == CURLE_OUT_OF_MEMORY)
		return CHORUS_HTTP_ENOMEM;
	if (is_tls_error(c))
		return CHORUS_HTTP_ETLS;
	switch (c) {
	case CURLE_PARTIAL_FILE:
		return CHORUS_HTTP_ETRUNCATED;
	case CURLE_OPERATION_TIMEDOUT:
		return CHORUS_HTTP_ETIMEOUT;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		/* A reset in the middle of a body is a truncated body. */
		return status ? CHORUS_HTTP_ETRUNCATED : CHORUS_HTTP_ECONNECT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return CHORUS_HTTP_ECONNECT;
	default:
		return CHORUS_HTTP_EOTHER;
	}
}

/* Set r's failure and its one-line error "URL: reason". */
static void fail(chorus_http_resp *r, int failure, const char *url, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(chorus_http_resp *r, int failure, const char *url, const char *fmt, ...)
{
	char *red = url ? chorus_url_redact(url) : NULL;
	size_t n;
	va_list ap;

	r->failure = failure;
	if (red && strlen(red) > ERR_URL_MAX)
		n = (size_t)snprintf(r->error, sizeof r->error, "%.*s...: ", ERR_URL_MAX - 3, red);
	else
		n = (size_t)snprintf(r->error, sizeof r->error, "%s: ", red ? red : "(URL)");
	chorus_free(red);
	if (n < sizeof r->error) {
		va_start(ap, fmt);
		vsnprintf(r->error + n, sizeof r->error - n, fmt, ap);
		va_end(ap);
	}
	for (char *p = r->error; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

/* libcurl's detail for an error, or "" when it could quote a secret. */
static const char *curl_detail(const char *errbuf, const chorus_http_req *req)
{
	for (size_t i = 0; i < req->nheaders; i++)
		if (req->headers[i].secret && req->headers[i].value[0] &&
		    strstr(errbuf, req->headers[i].value))
			return "";
	return errbuf;
}

static void fail_curl(chorus_http_resp *r, int failure, const char *url, CURLcode c,
		      const char *errbuf, const chorus_http_req *req, size_t max_body)
{
	const char *d = curl_detail(errbuf, req);

	if (!d[0])
		d = curl_easy_strerror(c);
	switch (failure) {
	case CHORUS_HTTP_ETOOBIG:
		fail(r, failure, url, "response body over %zu bytes", max_body);
		break;
	case CHORUS_HTTP_ENOMEM:
		fail(r, failure, url, "out of memory");
		break;
	case CHORUS_HTTP_ETRUNCATED:
		fail(r, failure, url, "connection closed before the whole body arrived (%s)", d);
		break;
	case CHORUS_HTTP_ETIMEOUT:
		fail(r, failure, url, "timed out (%s)", d);
		break;
	case CHORUS_HTTP_ETLS:
		fail(r, failure, url, "TLS failure (%s)", d);
		break;
	case CHORUS_HTTP_ECONNECT:
		fail(r, failure, url, "cannot connect (%s)", d);
		break;
	default:
		fail(r, failure, url, "%s", d);
		break;
	}
}

/* One transfer of url (parsed as u); fills r's status, headers and, on
 * success, body.  Returns r->failure. */
static int transfer(chorus_http *h, CURLU *u, const char *url, const char *method,
		    const chorus_http_req *req, chorus_http_resp *r)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs;
	xfer t = { r, { NULL, 0, 0, 0 }, 0, 0 };
	int bad = 0, failure = CHORUS_HTTP_OK;
	CURLcode c;
	long status = 0;

	free_headers(r);
	chorus_free(r->body);
	r->body = NULL;
	r->len = 0;
	hdrs = build_headers(req, 1, &bad);
	if (!hdrs) {
		if (bad)
			fail(r, CHORUS_HTTP_EOTHER, url, "a request header has a line break or bad name");
		else
			fail(r, CHORUS_HTTP_ENOMEM, url, "out of memory");
		return r->failure;
	}
	chorus_buf_init(&t.body, h->o.max_body);
	set_options(h, u, method, req, hdrs, &t, errbuf);
	c = curl_easy_perform(h->curl);
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	r->status = status;
	if (c != CURLE_OK || t.nomem || t.toobig)
		failure = map_curl(c, &t, status);
	else if (chorus_buf_reserve(&t.body, 0))
		failure = CHORUS_HTTP_ENOMEM; /* an empty body is still "" */
	if (failure) {
		fail_curl(r, failure, url, c, errbuf, req, h->o.max_body);
		chorus_buf_dispose(&t.body);
	} else {
		r->body = t.body.data;
		r->len = t.body.len;
	}
	/* Forget the handle's pointers to this frame's data and to u. */
	curl_easy_setopt(h->curl, CURLOPT_CURLU, NULL);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, NULL);
	wipe_slist(hdrs);
	return failure;
}

/* u's origin, "scheme://host:port" (RFC 6454), in out[128]; "" when u
 * lacks a part or the origin does not fit (never cut: two cut origins
 * could compare equal). */
static void origin_of(CURLU *u, char out[128])
{
	char *scheme = NULL, *host = NULL, *port = NULL;
	int n;

	out[0] = '\0';
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		n = snprintf(out, 128, "%s://%s:%s", scheme, host, port);
		if (n < 0 || n >= 128)
			out[0] = '\0';
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
}

/* The state of one chorus_http_do: the current hop and the URLs seen. */
typedef struct walk {
	CURLU *u;
	char *url;   /* u as a string (unredacted; never shown) */
	char **seen; /* max_redirects + 1 URLs */
	int nseen;
	int has_secret;
} walk;

/* Check the hop w->u before it is fetched: scheme rule, loop. */
static int check_hop(walk *w, int hop, int allow_http, chorus_http_resp *r)
{
	char why[256];

	if (allowed_u(w->u, allow_http, why)) {
		fail(r, hop ? CHORUS_HTTP_EREDIRECT : CHORUS_HTTP_EPOLICY, w->url, "%s%s",
		     hop ? "redirect refused: " : "", why);
		return r->failure;
	}
	for (int i = 0; i < w->nseen; i++)
		if (strcmp(w->seen[i], w->url) == 0) {
			fail(r, CHORUS_HTTP_EREDIRECT, w->url, "redirect loop (URL seen twice)");
			return r->failure;
		}
	w->seen[w->nseen++] = w->url;
	return 0;
}

static int set_url(walk *w, CURLU *u)
{
	char *s = NULL;

	if (curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		return -1;
	w->url = dupn(s, strlen(s));
	curl_free(s);
	if (!w->url)
		return -1;
	if (w->u)
		curl_url_cleanup(w->u);
	w->u = u;
	return 0;
}

/* Move w to the hop r->location points to (r holds the raw Location). */
static int next_hop(walk *w, chorus_http_resp *r)
{
	CURLU *next = curl_url_dup(w->u);
	char from[128], to[128];

	if (!next || curl_url_set(next, CURLUPART_URL, r->location, CURLU_NON_SUPPORT_SCHEME)) {
		if (next)
			curl_url_cleanup(next);
		fail(r, CHORUS_HTTP_EREDIRECT, w->url, "redirect to an invalid Location");
		return r->failure;
	}
	origin_of(w->u, from);
	origin_of(next, to);
	if (w->has_secret && (!from[0] || !ieq(from, to))) {
		/* Credentials stay with the origin they were given for; an
		 * origin too long to name counts as another one. */
		fail(r, CHORUS_HTTP_EREDIRECT, w->url,
		     "redirect from %s to %s refused: the request carries a credential",
		     from[0] ? from : "?", to[0] ? to : "?");
		curl_url_cleanup(next);
		return r->failure;
	}
	if (set_url(w, next)) {
		curl_url_cleanup(next);
		fail(r, CHORUS_HTTP_ENOMEM, w->url, "out of memory");
		return r->failure;
	}
	return 0;
}

static int is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Replace r->location (raw, needed to follow) by its redacted form. */
static void redact_location(chorus_http_resp *r)
{
	char *red;

	if (!r->location)
		return;
	red = chorus_url_redact(r->location);
	chorus_free(r->location);
	r->location = red;
}

static int walk_init(walk *w, const chorus_http *h, const chorus_http_req *req,
		     chorus_http_resp *r)
{
	char why[256];
	CURLU *u;

	memset(w, 0, sizeof *w);
	for (size_t i = 0; i < req->nheaders; i++)
		w->has_secret |= req->headers[i].secret != 0;
	w->has_secret |= req->secret_body != 0; /* a login's password */
	w->seen = chorus_calloc((size_t)h->o.max_redirects + 1, sizeof *w->seen);
	if (!w->seen) {
		fail(r, CHORUS_HTTP_ENOMEM, req->url, "out of memory");
		return r->failure;
	}
	u = parse_url(req->url, why);
	if (!u) {
		fail(r, CHORUS_HTTP_EPOLICY, req->url, "%s", why);
		return r->failure;
	}
	if (set_url(w, u)) {
		curl_url_cleanup(u);
		fail(r, CHORUS_HTTP_ENOMEM, req->url, "out of memory");
	}
	return r->failure;
}

static void walk_dispose(walk *w)
{
	for (int i = 0; i < w->nseen; i++)
		if (w->seen[i] != w->url)
			chorus_free(w->seen[i]);
	chorus_free(w->seen);
	chorus_free(w->url);
	if (w->u)
		curl_url_cleanup(w->u);
}

/* The hops, until an answer or a failure. */
static int walk_hops(chorus_http *h, walk *w, chorus_http_req *req, chorus_http_resp *r)
{
	const char *method = req->method ? req->method : "GET";

	for (int hop = 0;; hop++) {
		if (check_hop(w, hop, hop == 0 && req->allow_http, r) ||
		    transfer(h, w->u, w->url, method, req, r))
			return r->failure;
		if (!is_redirect(r->status) || !r->location)
			return CHORUS_HTTP_OK;
		if (hop == h->o.max_redirects) {
			fail(r, CHORUS_HTTP_EREDIRECT, w->url, "more than %d redirects",
			     h->o.max_redirects);
			return r->failure;
		}
		if (next_hop(w, r))
			return r->failure;
		r->redirects++;
		if (r->status == 303 && strcmp(method, "GET") != 0) {
			/* RFC 9110 15.4.4: see other, with GET and no body. */
			method = "GET";
			req->body = NULL;
			req->body_len = 0;
			req->content_type = NULL;
		}
	}
}

int chorus_http_do(chorus_http *h, const chorus_http_req *req, chorus_http_resp *r)
{
	chorus_http_req q = *req;
	walk w;

	assert(!req->method || strcmp(req->method, "GET") == 0 || strcmp(req->method, "POST") == 0);
	memset(r, 0, sizeof *r);
	if (walk_init(&w, h, &q, r) == CHORUS_HTTP_OK)
		walk_hops(h, &w, &q, r);
	redact_location(r);
	if (w.url)
		r->url = chorus_url_redact(w.url);
	else
		r->url = chorus_url_redact(req->url);
	if (!r->url && !r->failure)
		fail(r, CHORUS_HTTP_ENOMEM, NULL, "out of memory");
	if (r->failure) {
		chorus_free(r->body);
		r->body = NULL;
		r->len = 0;
	}
	walk_dispose(&w);
	return r->failure;
}

char *chorus_url_resolve(const char *base, const char *ref)
{
	CURLU *u = curl_url();
	char *got = NULL, *out = NULL;

	if (!u)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &got, 0) == CURLUE_OK) {
		const size_t n = strlen(got);
		out = chorus_malloc(n + 1);
		if (out)
			memcpy(out, got, n + 1);
	}
	curl_free(got);
	curl_url_cleanup(u);
	return out;
}
