/* test_http_util.c - the HTTP client's pure helpers: URL redaction, the
 * scheme rule, Retry-After and HTTP dates, Link headers, failure names. */
#include <limits.h>
#include <string.h>

#include "check.h"
#include "chorus/alloc.h"
#include "http.h"

static char *redacted;

static const char *redact(const char *url)
{
	chorus_free(redacted);
	redacted = chorus_url_redact(url);
	return redacted;
}

static void test_redact_names(void)
{
	static const char *const names[] = {
		"access_token", "token", "password", "api_key", "key", "secret", "sig",
		"signature", "auth", "code", "refresh_token", "id_token", "client_secret",
		"apikey", "passwd", "oauth_token", "oauth_signature", NULL
	};
	char url[256], want[256], upper[64];

	for (int i = 0; names[i]; i++) {
		size_t n = strlen(names[i]);
		for (size_t k = 0; k <= n; k++)
			upper[k] = (char)(names[i][k] >= 'a' && names[i][k] <= 'z' ? names[i][k] - 32
										 : names[i][k]);
		/* alone, first, middle, last, upper case, in the fragment */
		snprintf(url, sizeof url, "https://h/p?%s=S3CR3T", names[i]);
		snprintf(want, sizeof want, "https://h/p?%s=REDACTED", names[i]);
		CHECK_STR(redact(url), want);
		snprintf(url, sizeof url, "https://h/p?%s=S3CR3T&limit=40", names[i]);
		snprintf(want, sizeof want, "https://h/p?%s=REDACTED&limit=40", names[i]);
		CHECK_STR(redact(url), want);
		snprintf(url, sizeof url, "https://h/p?a=1&%s=S3CR3T&b=2#top", names[i]);
		snprintf(want, sizeof want, "https://h/p?a=1&%s=REDACTED&b=2#top", names[i]);
		CHECK_STR(redact(url), want);
		snprintf(url, sizeof url, "https://h/p?max_id=9&%s=S3CR3T", upper);
		snprintf(want, sizeof want, "https://h/p?max_id=9&%s=REDACTED", upper);
		CHECK_STR(redact(url), want);
		snprintf(url, sizeof url, "https://h/cb#state=1&%s=S3CR3T", names[i]);
		snprintf(want, sizeof want, "https://h/cb#state=1&%s=REDACTED", names[i]);
		CHECK_STR(redact(url), want);
	}
}

static void test_redact_other(void)
{
	CHECK_STR(redact("https://user:pa55@host.example/x?q=1"), "https://host.example/x?q=1");
	CHECK_STR(redact("https://user@host.example:8443/"), "https://host.example:8443/");
	CHECK_STR(redact("https://a:b@c@host/p@q?x=@"), "https://host/p@q?x=@");
	CHECK_STR(redact("http://127.0.0.1:8080/api/v1/timelines/public?limit=40&max_id=12"),
		  "http://127.0.0.1:8080/api/v1/timelines/public?limit=40&max_id=12");
	/* Percent-encoded names, ';' separators, empty values, no value. */
	CHECK_STR(redact("https://h/?access%5Ftoken=abc"), "https://h/?access%5Ftoken=REDACTED");
	CHECK_STR(redact("https://h/?a=1;token=abc;b=2"), "https://h/?a=1;token=REDACTED;b=2");
	CHECK_STR(redact("https://h/?token="), "https://h/?token=REDACTED");
	CHECK_STR(redact("https://h/?token&x"), "https://h/?token&x");
	CHECK_STR(redact("https://h/?token=a=b&&key=c"), "https://h/?token=REDACTED&&key=REDACTED");
	/* Names that merely contain a secret name are kept. */
	CHECK_STR(redact("https://h/?monkey=1&tokens=2&author=3&zipcode=4"),
		  "https://h/?monkey=1&tokens=2&author=3&zipcode=4");
	CHECK_STR(redact("/relative?password=x"), "/relative?password=REDACTED");
	CHECK_STR(redact("//h:1@host/?sig=x"), "//host/?sig=REDACTED");
	CHECK_STR(redact(""), "");
	CHECK_STR(redact("https://h/p#frag"), "https://h/p#frag");
	CHECK_STR(redact("https://h/p?code=1#code=2"), "https://h/p?code=REDACTED#code=REDACTED");
	CHECK_STR(redact("https://h/p?a=1?token=2"), "https://h/p?a=1?token=2"); /* one value */
	/* Never the secret, whatever the place. */
	CHECK(strstr(redact("https://u:S3CR3T@h/?Access_Token=S3CR3T#SIG=S3CR3T"), "S3CR3T") == NULL);
}

static int allowed(const char *url, int allow_http)
{
	char why[256] = "";
	int rc = chorus_url_allowed(url, allow_http, why);

	if (rc != 0 && (why[0] == '\0' || strchr(why, '\n')))
		return 99; /* a refusal must say why, on one line */
	return rc;
}

static void test_allowed(void)
{
	char why[256];

	CHECK_INT(allowed("https://mastodon.social/api/v1/timelines/public", 0), 0);
	CHECK_INT(allowed("HTTPS://Example.COM/", 0), 0);
	CHECK_INT(allowed("https://[2001:db8::1]:8443/x", 0), 0);
	CHECK_INT(allowed("http://127.0.0.1:8080/x", 0), 0);
	CHECK_INT(allowed("http://127.0.0.5/x", 0), 0);
	CHECK_INT(allowed("http://127.255.255.254/", 0), 0);
	CHECK_INT(allowed("http://localhost:9/x", 0), 0);
	CHECK_INT(allowed("http://LocalHost/x", 0), 0);
	CHECK_INT(allowed("http://[::1]:8080/x", 0), 0);
	CHECK_INT(allowed("http://[::ffff:127.0.0.1]/x", 0), 0);
	CHECK_INT(allowed("http://example.com/feed.rss", 0), -1);
	CHECK_INT(allowed("http://example.com/feed.rss", 1), 0);
	CHECK_INT(allowed("http://128.0.0.1/", 0), -1);
	CHECK_INT(allowed("http://10.0.0.1/", 0), -1);
	CHECK_INT(allowed("http://[::2]/", 0), -1);
	CHECK_INT(allowed("http://127.0.0.1.example.com/", 0), -1);
	CHECK_INT(allowed("http://localhost.example.com/", 0), -1);
	CHECK_INT(allowed("http://evil.com@127.0.0.1/", 0), 0);
	CHECK_INT(allowed("http://127.0.0.1@evil.com/", 0), -1);
	CHECK_INT(allowed("ftp://example.com/x", 0), -1);
	CHECK_INT(allowed("ftp://127.0.0.1/x", 1), -1);
	CHECK_INT(allowed("file:///etc/passwd", 0), -1);
	CHECK_INT(allowed("file:///etc/passwd", 1), -1);
	CHECK_INT(allowed("gopher://127.0.0.1/", 0), -1);
	CHECK_INT(allowed("javascript:alert(1)", 0), -1);
	CHECK_INT(allowed("example.com/x", 0), -1);
	CHECK_INT(allowed("/relative/path", 0), -1);
	CHECK_INT(allowed("", 0), -1);
	CHECK_INT(allowed("https://", 0), -1);
	CHECK_INT(allowed("https://exa mple.com/", 0), -1);
	CHECK_INT(chorus_url_allowed("ftp://x/", 0, NULL), -1);
	CHECK_INT(chorus_url_allowed("http://example.com/?token=S3CR3T", 0, why), -1);
	CHECK(strstr(why, "S3CR3T") == NULL);
}

static void test_http_date(void)
{
	const long long t = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */

	CHECK_INT(chorus_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), t);
	CHECK_INT(chorus_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), t);
	CHECK_INT(chorus_http_date("Sun Nov  6 08:49:37 1994"), t);
	CHECK_INT(chorus_http_date("Sun Nov 6 08:49:37 1994"), t);
	CHECK_INT(chorus_http_date("  sun, 06 nov 1994 08:49:37 gmt  "), t);
	CHECK_INT(chorus_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
	CHECK_INT(chorus_http_date("Tue, 28 Apr 2020 09:14:05 GMT"), 1588065245);
	CHECK_INT(chorus_http_date("Tuesday, 28-Apr-20 09:14:05 GMT"), 1588065245);
	CHECK_INT(chorus_http_date("Sat, 29 Feb 2020 00:00:00 GMT"), 1582934400);
	CHECK_INT(chorus_http_date("Fri, 29 Feb 2019 00:00:00 GMT"), -1);
	CHECK_INT(chorus_http_date("Sun, 06 Nov 1994 24:00:00 GMT"), -1);
	CHECK_INT(chorus_http_date("Sun, 06 Nov 1994 08:60:00 GMT"), -1);
	CHECK_INT(chorus_http_date("Sun, 06 Nov 1994 08:49:37"), -1);
	CHECK_INT(chorus_http_date("Sun, 06 Nov 1994 08:49:37 GMT junk"), -1);
	CHECK_INT(chorus_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), -1);
	CHECK_INT(chorus_http_date("Xyz, 06 Nov 1994 08:49:37 GMT"), -1);
	CHECK_INT(chorus_http_date("Sun, 06 Nov 94 08:49:37 GMT"), -1);
	CHECK_INT(chorus_http_date("Wed, 31 Dec 1969 23:59:59 GMT"), -1);
	CHECK_INT(chorus_http_date("1994-11-06T08:49:37Z"), -1);
	CHECK_INT(chorus_http_date(""), -1);
	CHECK_INT(chorus_http_date("Sun"), -1);
	CHECK_INT(chorus_http_date("Sunday, "), -1);
}

static void test_retry_after(void)
{
	const long long now = 1588065245; /* Tue, 28 Apr 2020 09:14:05 GMT */

	CHECK_INT(chorus_retry_after_secs("120", now), 120);
	CHECK_INT(chorus_retry_after_secs("0", now), 0);
	CHECK_INT(chorus_retry_after_secs(" 7 ", now), 7);
	CHECK_INT(chorus_retry_after_secs("99999999999999999999999", now), LONG_MAX);
	CHECK_INT(chorus_retry_after_secs("Tue, 28 Apr 2020 09:15:05 GMT", now), 60);
	CHECK_INT(chorus_retry_after_secs("Tuesday, 28-Apr-20 09:14:35 GMT", now), 30);
	CHECK_INT(chorus_retry_after_secs("Tue Apr 28 10:14:05 2020", now), 3600);
	CHECK_INT(chorus_retry_after_secs("Tue, 28 Apr 2020 09:14:05 GMT", now), 0);
	CHECK_INT(chorus_retry_after_secs("Mon, 27 Apr 2020 09:14:05 GMT", now), 0);
	CHECK_INT(chorus_retry_after_secs("Thu, 01 Jan 1970 00:00:00 GMT", now), 0);
	CHECK_INT(chorus_retry_after_secs("", now), -1);
	CHECK_INT(chorus_retry_after_secs("   ", now), -1);
	CHECK_INT(chorus_retry_after_secs("-5", now), -1);
	CHECK_INT(chorus_retry_after_secs("+5", now), -1);
	CHECK_INT(chorus_retry_after_secs("1.5", now), -1);
	CHECK_INT(chorus_retry_after_secs("5s", now), -1);
	CHECK_INT(chorus_retry_after_secs("5 5", now), -1);
	CHECK_INT(chorus_retry_after_secs("soon", now), -1);
	CHECK_INT(chorus_retry_after_secs("2020-04-28T09:15:05Z", now), -1);
}

static char *nexturl;

static const char *next(const char *link)
{
	chorus_free(nexturl);
	nexturl = chorus_link_next(link);
	return nexturl;
}

static void test_link(void)
{
	CHECK_STR(next("<https://x/api/v1/timelines/public?max_id=1>; rel=\"next\", "
		       "<https://x/api/v1/timelines/public?min_id=9>; rel=\"prev\""),
		  "https://x/api/v1/timelines/public?max_id=1");
	CHECK_STR(next("<https://x/?min_id=9>; rel=\"prev\", <https://x/?max_id=1>; rel=\"next\""),
		  "https://x/?max_id=1");
	CHECK_STR(next("<https://x/n>;rel=next"), "https://x/n");
	CHECK_STR(next("  <https://x/n> ;  REL = \"Next\"  "), "https://x/n");
	CHECK_STR(next("<https://x/n>; rel=\"prev next\""), "https://x/n");
	CHECK_STR(next("<https://x/n>; title=\"a; rel=prev, b\"; rel=\"next\""), "https://x/n");
	CHECK_STR(next("<https://x/a,b>; rel=next"), "https://x/a,b");
	CHECK_STR(next("<https://x/p>; rel=\"prev\"; rel=\"next\", <https://x/n>; rel=next"),
		  "https://x/n"); /* only the first rel counts */
	CHECK_STR(next("<https://x/p>; rel=\"nextpage\", <https://x/n>; rel=\"next\""), "https://x/n");
	CHECK_STR(next("<https://x/p>; rel=\"ne\\xt\""), "https://x/p");
	CHECK_STR(next("garbage, <https://x/n>; rel=next"), "https://x/n");
	CHECK_STR(next("</api/v1/timelines/public?max_id=5>; rel=\"next\""),
		  "/api/v1/timelines/public?max_id=5");
	CHECK(next("<https://x/?min_id=9>; rel=\"prev\"") == NULL);
	CHECK(next("<https://x/n>; rel=\"nex\"") == NULL);
	CHECK(next("<https://x/n>; rel=\"nexts\"") == NULL);
	CHECK(next("<https://x/n>; rel") == NULL);
	CHECK(next("<https://x/n>; relx=next") == NULL);
	CHECK(next("<https://x/n; rel=next") == NULL);
	CHECK(next("<https://x/a <b>; rel=next") == NULL);
	CHECK_STR(next("<https://x/a <b>; rel=next, <https://x/c>; rel=next"), "https://x/c");
	CHECK(next("<>; rel=next") == NULL);
	CHECK(next("") == NULL);
	CHECK(next(",,, ;;") == NULL);
	CHECK(next("https://x/n; rel=next") == NULL);
}

static void test_names(void)
{
	chorus_http_opts o;

	CHECK_STR(chorus_http_failure_name(CHORUS_HTTP_OK), "ok");
	CHECK_STR(chorus_http_failure_name(CHORUS_HTTP_ETOOBIG), "toobig");
	CHECK_STR(chorus_http_failure_name(CHORUS_HTTP_EOTHER), "other");
	CHECK_STR(chorus_http_failure_name(-3), "other");
	CHECK_STR(chorus_http_failure_name(1000), "other");
	chorus_http_opts_default(&o);
	CHECK(o.ca_bundle == NULL && o.user_agent == NULL);
	CHECK_INT(o.connect_timeout_s, 15);
	CHECK_INT(o.timeout_s, 120);
	CHECK_INT(o.low_speed_bytes, 64);
	CHECK_INT(o.low_speed_secs, 30);
	CHECK_INT(o.max_body, 32 * 1024 * 1024);
	CHECK_INT(o.max_redirects, 5);
}

/* A refused URL never opens a connection and never quotes a secret. */
static void test_policy_request(void)
{
	chorus_http_opts o;
	chorus_http *h;
	chorus_http_resp r;
	const chorus_http_header hd = { "Authorization", "Bearer S3CR3T", 1 };
	chorus_http_req q = { 0 };

	chorus_http_opts_default(&o);
	h = chorus_http_new(&o);
	CHECK(h != NULL);
	if (!h)
		return;
	q.url = "http://example.com/x?access_token=S3CR3T";
	q.headers = &hd;
	q.nheaders = 1;
	CHECK_INT(chorus_http_do(h, &q, &r), CHORUS_HTTP_EPOLICY);
	CHECK_INT(r.status, 0);
	CHECK(r.body == NULL);
	CHECK_STR(r.url, "http://example.com/x?access_token=REDACTED");
	CHECK(strstr(r.error, "S3CR3T") == NULL);
	CHECK(strstr(r.error, "access_token=REDACTED") != NULL);
	chorus_http_resp_free(&r);
	q.url = "ftp://user:S3CR3T@127.0.0.1/x";
	CHECK_INT(chorus_http_do(h, &q, &r), CHORUS_HTTP_EPOLICY);
	CHECK(strstr(r.error, "S3CR3T") == NULL && strstr(r.url, "S3CR3T") == NULL);
	chorus_http_resp_free(&r);
	q.url = "not a url";
	CHECK_INT(chorus_http_do(h, &q, &r), CHORUS_HTTP_EPOLICY);
	chorus_http_resp_free(&r);
	chorus_http_resp_free(&r); /* twice is harmless */
	/* A header with a line break is refused before anything is sent. */
	{
		const chorus_http_header bad = { "Authorization", "Bearer S3CR3T\r\nX: y", 1 };
		q.url = "http://127.0.0.1:9/x";
		q.headers = &bad;
		CHECK_INT(chorus_http_do(h, &q, &r), CHORUS_HTTP_EOTHER);
		CHECK(strstr(r.error, "S3CR3T") == NULL);
		chorus_http_resp_free(&r);
	}
	chorus_http_free(h);
	chorus_http_free(NULL);
}

/* Every allocation failing in turn: NULL or a right answer, never a crash
 * or a leak (the ASan build checks leaks). */
static void test_alloc_failure(void)
{
	const char *url = "https://u:p@h/?a=1&token=S3CR3T#sig=x";
	const char *want = "https://h/?a=1&token=REDACTED#sig=REDACTED";
	chorus_http_opts o;
	int ok = 1;

	chorus_http_opts_default(&o);
	o.user_agent = "test";
	for (unsigned long n = 1; n < 40; n++) {
		chorus_http *h;
		chorus_http_resp r;
		chorus_http_req q = { 0 };
		char *s;

		chorus_alloc_fail_after(n);
		s = chorus_url_redact(url);
		ok &= !s || strcmp(s, want) == 0;
		chorus_free(s);
		s = chorus_link_next("<https://x/p>; rel=prev, <https://x/n>; rel=next");
		ok &= !s || strcmp(s, "https://x/n") == 0;
		chorus_free(s);
		h = chorus_http_new(&o);
		if (h) {
			q.url = "http://example.com/?token=S3CR3T";
			chorus_http_do(h, &q, &r);
			ok &= r.failure == CHORUS_HTTP_EPOLICY || r.failure == CHORUS_HTTP_ENOMEM;
			ok &= !strstr(r.error, "S3CR3T") && (!r.url || !strstr(r.url, "S3CR3T"));
			chorus_http_resp_free(&r);
			chorus_http_free(h);
		}
		chorus_alloc_fail_after(0);
	}
	CHECK(ok);
}

static void check_resolve(const char *base, const char *ref, const char *want)
{
	char *got = chorus_url_resolve(base, ref);
	if (want)
		CHECK_STR(got, want);
	else
		CHECK(got == NULL);
	chorus_free(got);
}

static void test_resolve(void)
{
	const char *b = "https://m.example/api/v1/timelines/tag/x?limit=40";
	check_resolve(b, "https://other.example/a?max_id=1", "https://other.example/a?max_id=1");
	check_resolve(b, "/api/v1/timelines/tag/x?max_id=5", "https://m.example/api/v1/timelines/tag/x?max_id=5");
	check_resolve(b, "x?max_id=5", "https://m.example/api/v1/timelines/tag/x?max_id=5");
	check_resolve(b, "?max_id=7", "https://m.example/api/v1/timelines/tag/x?max_id=7");
	check_resolve("not a url", "/a", NULL);
}

int main(void)
{
	test_resolve();
	test_redact_names();
	test_redact_other();
	test_allowed();
	test_http_date();
	test_retry_after();
	test_link();
	test_names();
	test_policy_request();
	test_alloc_failure();
	chorus_free(redacted);
	chorus_free(nexturl);
	return check_done();
}
