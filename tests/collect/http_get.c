/*
 * http_get.c - a test driver for the collectors' HTTP client (http.c): one
 * request, and what came back, as "name: value" lines on stdout:
 *
 *   status, failure (chorus_http_failure_name), error, redirects, url, each
 *   collected header that arrived (date, etag, last_modified, content_type,
 *   location, link, retry_after, rl_limit, rl_remaining, rl_reset),
 *   retry_after_secs (when Retry-After arrived), length, sha256 (of the body).
 *
 * chorus_http_get [--ca FILE] [--max-body N] [--timeout S] [--low-speed S]
 *                 [--max-redirects N] [--allow-http] [--post BODY]
 *                 [--header NAME:VALUE] [--header-secret-env NAME:ENVVAR] URL
 *
 * --header-secret-env sends header NAME with the value of the environment
 * variable ENVVAR, marked secret (so no secret is ever on a command line).
 * Exit status 0 when the request gave a response (CHORUS_HTTP_OK), 1 when it
 * failed, 2 on a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chorus/sha256.h"
#include "http.h"

#define MAX_HEADERS 8

static int usage(void)
{
	fprintf(stderr, "usage: chorus_http_get [--ca FILE] [--max-body N] [--timeout S] "
			"[--low-speed S] [--max-redirects N] [--allow-http] [--post BODY] "
			"[--header NAME:VALUE] [--header-secret-env NAME:ENVVAR] URL\n");
	return 2;
}

static int number(const char *s, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0)
		return -1;
	*out = v;
	return 0;
}

/* NAME:VALUE split in place into h; with env, VALUE names a variable. */
static int header_arg(char *arg, int secret, chorus_http_header *h)
{
	char *colon = strchr(arg, ':');

	if (!colon)
		return -1;
	*colon = '\0';
	h->name = arg;
	h->value = colon + 1;
	h->secret = secret;
	if (secret && !(h->value = getenv(colon + 1)))
		return -1;
	return 0;
}

static void print_field(const char *name, const char *v)
{
	if (v)
		printf("%s: %s\n", name, v);
}

static void print_resp(const chorus_http_resp *r)
{
	char hex[CHORUS_SHA256_HEX] = "";

	printf("status: %ld\nfailure: %s\nerror: %s\nredirects: %d\n", r->status,
	       chorus_http_failure_name(r->failure), r->error, r->redirects);
	print_field("url", r->url);
	print_field("date", r->date);
	print_field("etag", r->etag);
	print_field("last_modified", r->last_modified);
	print_field("content_type", r->content_type);
	print_field("location", r->location);
	print_field("link", r->link);
	print_field("retry_after", r->retry_after);
	print_field("rl_limit", r->rl_limit);
	print_field("rl_remaining", r->rl_remaining);
	print_field("rl_reset", r->rl_reset);
	if (r->retry_after)
		printf("retry_after_secs: %ld\n",
		       chorus_retry_after_secs(r->retry_after, (long long)time(NULL)));
	if (r->body)
		chorus_sha256_hex(r->body, r->len, hex);
	printf("length: %zu\nsha256: %s\n", r->len, hex);
}

int main(int argc, char **argv)
{
	chorus_http_opts o;
	chorus_http_header headers[MAX_HEADERS];
	chorus_http_req q = { 0 };
	chorus_http_resp r;
	chorus_http *h;
	long v;
	int i, rc;

	chorus_http_opts_default(&o);
	for (i = 1; i < argc - 1; i++) {
		const char *a = argv[i], *val = argv[i + 1];
		if (strcmp(a, "--allow-http") == 0) {
			q.allow_http = 1;
			continue;
		}
		if (strcmp(a, "--ca") == 0)
			o.ca_bundle = val;
		else if (strcmp(a, "--post") == 0) {
			q.method = "POST";
			q.body = val;
			q.body_len = strlen(val);
			q.content_type = "application/json";
		} else if ((strcmp(a, "--header") == 0 || strcmp(a, "--header-secret-env") == 0) &&
			   q.nheaders < MAX_HEADERS) {
			if (header_arg(argv[i + 1], a[8] == '-', &headers[q.nheaders]))
				return usage();
			q.nheaders++;
		} else if (number(val, &v))
			return usage();
		else if (strcmp(a, "--max-body") == 0)
			o.max_body = (size_t)v;
		else if (strcmp(a, "--timeout") == 0)
			o.timeout_s = v;
		else if (strcmp(a, "--low-speed") == 0)
			o.low_speed_secs = v;
		else if (strcmp(a, "--max-redirects") == 0)
			o.max_redirects = (int)v;
		else
			return usage();
		i++;
	}
	if (i != argc - 1)
		return usage();
	q.url = argv[i];
	q.headers = headers;
	h = chorus_http_new(&o);
	if (!h) {
		fprintf(stderr, "chorus_http_get: cannot start libcurl\n");
		return 1;
	}
	rc = chorus_http_do(h, &q, &r);
	print_resp(&r);
	chorus_http_resp_free(&r);
	chorus_http_free(h);
	return rc == CHORUS_HTTP_OK ? 0 : 1;
}
