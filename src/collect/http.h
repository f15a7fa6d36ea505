/*
 * http.h - the collectors' HTTP client: one GET or POST at a time over
 * libcurl, with the project's safety rules built in.
 *
 * Rules every request follows (they cannot be turned off):
 *   - TLS peers and host names are always verified; opts.ca_bundle adds an
 *     organisation's (or the tests') CA file instead of the system store.
 *   - https only, except plain http to a loopback address (127.0.0.0/8,
 *     ::1, "localhost") or when the caller says the user listed this http
 *     URL explicitly (allow_http: RSS feeds).
 *   - Redirects (301, 302, 303, 307, 308 with a Location) are followed
 *     here, not by libcurl, one hop at a time, each hop checked against the
 *     scheme rule (allow_http covers the first URL only); at most
 *     opts.max_redirects hops; a URL seen twice is a loop.  Secret headers
 *     (Authorization) never leave their origin: a hop to another origin
 *     (scheme, host or port) is refused when the request carries one,
 *     naming both origins (CHORUS_HTTP_EREDIRECT), and followed otherwise.
 *   - Bodies are kept exactly as received: no Accept-Encoding is sent, so
 *     no decoding happens; a body longer than opts.max_body stops the
 *     transfer (CHORUS_HTTP_ETOOBIG), whatever Content-Length said.
 *   - Connect timeout, whole-request timeout and a low-speed limit (a slow
 *     trickle ends as CHORUS_HTTP_ETIMEOUT).
 *   - Secrets (header values marked secret, URL query values of known
 *     secret names) never reach an error message, a log line or the
 *     effective URL kept in the response.
 */
#ifndef CHORUS_COLLECT_HTTP_H
#define CHORUS_COLLECT_HTTP_H

#include <stddef.h>

enum {
	CHORUS_HTTP_OK = 0,      /* a response arrived (any status) */
	CHORUS_HTTP_ECONNECT,    /* DNS, refused, reset before a response */
	CHORUS_HTTP_ETLS,        /* certificate or handshake failure */
	CHORUS_HTTP_ETIMEOUT,    /* connect, total or low-speed timeout */
	CHORUS_HTTP_ETOOBIG,     /* body over opts.max_body */
	CHORUS_HTTP_ETRUNCATED,  /* connection closed before Content-Length bytes */
	CHORUS_HTTP_EREDIRECT,   /* too many hops, a loop, or a refused hop */
	CHORUS_HTTP_EPOLICY,     /* the URL breaks the scheme rule */
	CHORUS_HTTP_ENOMEM,
	CHORUS_HTTP_EOTHER
};

typedef struct chorus_http_opts {
	const char *ca_bundle;   /* NULL: the system's CA store */
	long connect_timeout_s;  /* default 15 */
	long timeout_s;          /* whole request, default 120 */
	long low_speed_bytes;    /* below this many bytes/s ... (default 64) */
	long low_speed_secs;     /* ... for this long: timeout (default 30) */
	size_t max_body;         /* default 32 MiB */
	int max_redirects;       /* default 5 */
	const char *user_agent;  /* default "chorus/VERSION (+collector)" */
	const volatile int *stop;/* when set and non-zero: abort the transfer */
} chorus_http_opts;

/* Defaults as documented above. */
void chorus_http_opts_default(chorus_http_opts *o);

/* One extra request header.  secret != 0: the value is a credential
 * (never logged, dropped on a cross-host redirect). */
typedef struct chorus_http_header {
	const char *name;
	const char *value;
	int secret;
} chorus_http_header;

typedef struct chorus_http_req {
	const char *url;
	const char *method;              /* "GET" (default when NULL) or "POST" */
	const chorus_http_header *headers;
	size_t nheaders;
	const char *body;                /* POST body (sent as is), or NULL */
	size_t body_len;
	const char *content_type;        /* of the POST body */
	int allow_http;                  /* the user listed this http URL */
	int secret_body;                 /* the body is a credential (a login):
					    never sent across origins */
} chorus_http_req;

typedef struct chorus_http_resp {
	int failure;            /* CHORUS_HTTP_OK or an error above */
	char error[256];        /* one line, no secret, when failure != OK */
	long status;            /* HTTP status of the last hop; 0 when none */
	char *body;             /* raw bytes as received, NUL-terminated (len excludes it);
	                         * "" when empty, NULL whenever failure != OK */
	size_t len;
	char *url;              /* the last hop's URL, secrets removed */
	int redirects;          /* hops followed */
	/* Response headers that matter (last hop), NULL when absent; also kept
	 * on failure when the failing hop sent them.  A repeated Link header is
	 * joined with ", ", any other repeated header keeps its last value.
	 * location is redacted (chorus_url_redact); link is as received. */
	char *date, *etag, *last_modified, *content_type, *location, *link;
	char *retry_after;
	/* Rate-limit headers: X-RateLimit-Limit/-Remaining/-Reset (Mastodon)
	 * or RateLimit-Limit/-Remaining/-Reset (Bluesky, IETF draft). */
	char *rl_limit, *rl_remaining, *rl_reset;
} chorus_http_resp;

typedef struct chorus_http chorus_http;

/* NULL when out of memory or libcurl cannot start. */
chorus_http *chorus_http_new(const chorus_http_opts *o);
void chorus_http_free(chorus_http *h);

/* Perform req; fills *r (free with chorus_http_resp_free even on failure).
 * Returns r->failure.  A 303 turns a POST into a GET without body; 301,
 * 302, 307 and 308 keep the method and body.  A header name or value with
 * a line break fails with CHORUS_HTTP_EOTHER (nothing is sent).  One
 * chorus_http is used by one thread at a time; chorus_http_new calls
 * curl_global_init the first time, so make the first one before any
 * thread starts. */
int chorus_http_do(chorus_http *h, const chorus_http_req *req, chorus_http_resp *r);
void chorus_http_resp_free(chorus_http_resp *r);

/* url with the values of secret query parameters (access_token, token,
 * password, api_key, key, secret, sig, signature, auth, code,
 * refresh_token, id_token, client_secret, apikey, passwd, oauth_token,
 * oauth_signature; any case, percent-encoded names too; in the query and
 * in the fragment) replaced by "REDACTED" and any user:password@ removed.
 * Anything else is kept byte for byte.  Allocated (chorus_free); NULL when
 * out of memory. */
char *chorus_url_redact(const char *url);

/* 0 when url may be fetched under the scheme rule (allow_http as in
 * chorus_http_req); else -1 with a one-line reason in why[256]. */
int chorus_url_allowed(const char *url, int allow_http, char *why);

/* Seconds to wait from a Retry-After value (delta seconds, or an HTTP date
 * compared with now_epoch: a past date gives 0); -1 when malformed.  Never
 * negative otherwise (huge values are clamped to LONG_MAX). */
long chorus_retry_after_secs(const char *v, long long now_epoch);

/* An HTTP date (IMF-fixdate, RFC 850 or asctime form; names in any case,
 * surrounding blanks allowed; RFC 850 two-digit years below 70 are 20xx)
 * as epoch seconds; -1 when malformed or before 1970. */
long long chorus_http_date(const char *v);

/* The URL of rel="next" in a Link header (Mastodon paging): the first
 * link whose first rel parameter (quoted or not, a space-separated list,
 * any case) holds "next"; as written between < and > (maybe relative:
 * resolve it against the request URL).  Allocated (chorus_free), or NULL
 * when absent, empty, link is NULL (no Link header) or out of memory. */
char *chorus_link_next(const char *link);

/* ref (absolute, or relative as in a Link or Location header) resolved
 * against the absolute URL base; allocated (chorus_free), or NULL when
 * either cannot be parsed (or out of memory). */
char *chorus_url_resolve(const char *base, const char *ref);

/* A short fixed name for a failure code: "ok", "connect", "tls",
 * "timeout", "toobig", "truncated", "redirect", "policy", "nomem",
 * "other" (also for unknown codes).  Static string. */
const char *chorus_http_failure_name(int failure);

#endif
