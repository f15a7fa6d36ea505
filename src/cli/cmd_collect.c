/*
 * cmd_collect.c - `chorus collect SOURCE --store DIR`: gather posts from an
 * open platform API into an evidence store (src/collect).
 *
 * Secrets (a Mastodon token, a Bluesky app password) come from a file that
 * only its owner can read (--token-file, --password-file) or from the
 * environment; never from argv.  They are passed to the collector and to
 * nothing else: no log line, error or record holds them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chorus/buf.h"
#include "chorus/escape.h"
#include "chorus/timeutil.h"
#include "cli.h"
#include "collect.h"
#include "opts.h"

static const char collect_usage[] =
	"usage: chorus collect SOURCE --store DIR [options]\n"
	"\n"
	"Page through SOURCE from the newest post back, keep every response exactly\n"
	"as received in the evidence store DIR (journal.jsonl, bodies/, checkpoint),\n"
	"and read the store later with `chorus scan DIR` or `chorus import DIR`.\n"
	"\n"
	"SOURCE:\n"
	"  mastodon:tag:NAME | mastodon:public | mastodon:local |\n"
	"  mastodon:account:ACCT | mastodon:search:QUERY      (--instance URL)\n"
	"  bluesky:search:QUERY (login: --bsky-handle, app password) |\n"
	"  bluesky:author:ACTOR                               (--base URL)\n"
	"  feed:URL (RSS or Atom; conditional requests)      |\n"
	"  telegram:CHANNEL (the public preview, t.me/s/CHANNEL)\n"
	"\n"
	"  --store DIR           the store (created; one folder per collection)\n"
	"  --instance URL, --base URL  the server (Mastodon: required; Bluesky\n"
	"                        search https://bsky.social, author feed\n"
	"                        https://public.api.bsky.app; Telegram https://t.me)\n"
	"  --resume              go on from the checkpoint of an unfinished run\n"
	"  --since T, --until T  time range: RFC 3339, or a duration ago (48h)\n"
	"  --max-pages N, --max-posts N   stop after this many (default: no limit)\n"
	"  --page-size N         posts per request (default: the API's maximum)\n"
	"  --max-wait DURATION   longest pause accepted (default 15m); a longer one\n"
	"                        checkpoints and exits with status 4\n"
	"  --backoff-cap DURATION  longest back-off step (default 5m)\n"
	"  --retries N           retries of one page (default 5)\n"
	"  --delay-ms N          pause between requests (default 1000)\n"
	"  --token-file FILE     Mastodon access token (else $CHORUS_MASTODON_TOKEN)\n"
	"  --bsky-handle H       Bluesky login (else $CHORUS_BSKY_HANDLE)\n"
	"  --password-file FILE  Bluesky app password (else $CHORUS_BSKY_PASSWORD)\n"
	"                        secret files must not be readable by others (0600)\n"
	"  --ca-bundle FILE      CA certificates to trust (TLS is always verified)\n"
	"  --timeout S           whole request (default 120); --connect-timeout S (15)\n"
	"  --low-speed-time S    abort below 64 bytes/s for this long (default 30)\n"
	"  --max-response BYTES  largest response body (default 33554432)\n"
	"  --max-redirects N     (default 5)\n"
	"  --progress MODE       auto, bar, log or none (default auto: a bar on a\n"
	"                        terminal, else log lines)\n"
	"  --help\n"
	"\n"
	"exit status: 0 done (complete or a --max-* limit), 1 failure (the store\n"
	"keeps what was collected; --resume goes on), 2 usage error, 4 stopped at\n"
	"--max-wait (checkpointed), 130 interrupted (checkpointed).\n";

enum { OPT_STORE = 256, OPT_INSTANCE, OPT_RESUME, OPT_SINCE, OPT_UNTIL, OPT_MAX_PAGES,
       OPT_MAX_POSTS, OPT_PAGE_SIZE, OPT_MAX_WAIT, OPT_BACKOFF_CAP, OPT_RETRIES, OPT_DELAY,
       OPT_TOKEN_FILE, OPT_HANDLE, OPT_PASSWORD_FILE, OPT_CA, OPT_TIMEOUT, OPT_CONNECT_TIMEOUT,
       OPT_LOW_SPEED, OPT_MAX_RESPONSE, OPT_MAX_REDIRECTS, OPT_PROGRESS, OPT_HELP };

static const struct option long_opts[] = {
	{ "store", required_argument, NULL, OPT_STORE },
	{ "instance", required_argument, NULL, OPT_INSTANCE },
	{ "base", required_argument, NULL, OPT_INSTANCE },
	{ "resume", no_argument, NULL, OPT_RESUME },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "max-pages", required_argument, NULL, OPT_MAX_PAGES },
	{ "max-posts", required_argument, NULL, OPT_MAX_POSTS },
	{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
	{ "max-wait", required_argument, NULL, OPT_MAX_WAIT },
	{ "backoff-cap", required_argument, NULL, OPT_BACKOFF_CAP },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "delay-ms", required_argument, NULL, OPT_DELAY },
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "bsky-handle", required_argument, NULL, OPT_HANDLE },
	{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
	{ "ca-bundle", required_argument, NULL, OPT_CA },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "low-speed-time", required_argument, NULL, OPT_LOW_SPEED },
	{ "max-response", required_argument, NULL, OPT_MAX_RESPONSE },
	{ "max-redirects", required_argument, NULL, OPT_MAX_REDIRECTS },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

enum { PROG_NONE, PROG_BAR, PROG_LOG };

typedef struct collect_cli {
	chorus_collect_opts o;
	const char *store;
	const char *token_file, *password_file;
	char *token, *password;
	int progress;
	int bar_shown;
} collect_cli;

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* A time bound: RFC 3339, or a duration before now. */
static int parse_bound(const char *v, int64_t *ns)
{
	int64_t d;

	if (chorus_time_parse_rfc3339(v, strlen(v), ns) == 0)
		return 0;
	if (chorus_duration_parse(v, &d) == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		*ns = (int64_t)ts.tv_sec * CHORUS_NS_PER_SEC + ts.tv_nsec - d;
		return 0;
	}
	return -1;
}

/* Read a secret from a file only its owner may read; NULL after an error. */
static char *read_secret(const char *path, const char *what)
{
	char buf[4097];
	struct stat sb;
	ssize_t n;
	size_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		cli_error("%s: cannot read the %s: %s", path, what, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		cli_error("%s: the %s file is not a regular file", path, what);
		close(fd);
		return NULL;
	}
	if (sb.st_mode & 077) {
		cli_error("%s: the %s file can be read by others (mode %04o): chmod 600 it",
			  path, what, (unsigned)(sb.st_mode & 07777));
		close(fd);
		return NULL;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0 || (size_t)n >= sizeof buf - 1) {
		memset(buf, 0, sizeof buf);
		cli_error("%s: the %s file %s", path, what, n < 0 ? "cannot be read" : "is too long");
		return NULL;
	}
	len = (size_t)n;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' '))
		len--;
	buf[len] = 0;
	if (!len || memchr(buf, '\n', len)) {
		memset(buf, 0, sizeof buf);
		cli_error("%s: the %s file must hold the %s alone, on one line", path, what, what);
		return NULL;
	}
	{
		char *s = strdup(buf);
		memset(buf, 0, sizeof buf);
		return s;
	}
}

static void on_log(void *ud, int level, const char *msg)
{
	collect_cli *c = ud;

	if (c->progress == PROG_NONE && level == 0)
		return;
	if (c->bar_shown) {
		fputs("\r\033[K", stderr);
		c->bar_shown = 0;
	}
	if (c->progress == PROG_BAR && level == 0)
		return; /* the bar says it */
	cli_error("collect: %s%s", level ? "warning: " : "", msg);
}

static void on_progress(void *ud, long pages, long posts, long waiting, const char *why)
{
	collect_cli *c = ud;

	if (c->progress != PROG_BAR)
		return;
	fprintf(stderr, "\r\033[Kcollect %s: %ld page%s, %ld post%s", c->o.spec, pages,
		pages == 1 ? "" : "s", posts, posts == 1 ? "" : "s");
	if (waiting > 0 && why) {
		chorus_buf b;
		chorus_buf_init(&b, 4096);
		if (chorus_escape_term(&b, why, strlen(why)) == 0 && b.data)
			fprintf(stderr, ", waiting %ld s (%s)", waiting, b.data);
		chorus_buf_dispose(&b);
	}
	fflush(stderr);
	c->bar_shown = 1;
}

static int num(const char *v, unsigned long lo, unsigned long hi, long *out, const char *opt)
{
	unsigned long u;

	if (opts_ulong(v, lo, hi, &u)) {
		cli_error("collect: %s needs an integer from %lu to %lu, got '%s'", opt, lo, hi, v);
		return -1;
	}
	*out = (long)u;
	return 0;
}

static int secs(const char *v, long *out, const char *opt)
{
	int64_t ns;

	if (chorus_duration_parse(v, &ns) != 0) {
		cli_error("collect: %s needs a duration like 90s, 15m or 2h, got '%s'", opt, v);
		return -1;
	}
	*out = (long)(ns / CHORUS_NS_PER_SEC);
	return 0;
}

static int apply(collect_cli *c, int opt, const char *v)
{
	chorus_collect_opts *o = &c->o;
	long n;

	switch (opt) {
	case OPT_STORE: c->store = v; return 0;
	case OPT_INSTANCE: o->base = v; return 0;
	case OPT_RESUME: o->resume = 1; return 0;
	case OPT_TOKEN_FILE: c->token_file = v; return 0;
	case OPT_PASSWORD_FILE: c->password_file = v; return 0;
	case OPT_HANDLE: o->bsky_handle = v; return 0;
	case OPT_CA: o->http.ca_bundle = v; return 0;
	case OPT_SINCE:
	case OPT_UNTIL:
		if (parse_bound(v, opt == OPT_SINCE ? &o->since_ns : &o->until_ns) == 0)
			return 0;
		cli_error("collect: --%s needs an RFC 3339 time or a duration ago (48h), got '%s'",
			  opt == OPT_SINCE ? "since" : "until", v);
		return -1;
	case OPT_PROGRESS:
		if (!strcmp(v, "auto"))
			c->progress = isatty(2) ? PROG_BAR : PROG_LOG;
		else if (!strcmp(v, "bar"))
			c->progress = PROG_BAR;
		else if (!strcmp(v, "log"))
			c->progress = PROG_LOG;
		else if (!strcmp(v, "none"))
			c->progress = PROG_NONE;
		else {
			cli_error("collect: --progress must be auto, bar, log or none");
			return -1;
		}
		return 0;
	case OPT_MAX_WAIT: return secs(v, &o->max_wait_s, "--max-wait");
	case OPT_BACKOFF_CAP: return secs(v, &o->backoff_cap_s, "--backoff-cap");
	case OPT_MAX_PAGES: return num(v, 1, 1UL << 40, &o->max_pages, "--max-pages");
	case OPT_MAX_POSTS: return num(v, 1, 1UL << 40, &o->max_posts, "--max-posts");
	case OPT_PAGE_SIZE: return num(v, 1, 100, &o->page_size, "--page-size");
	case OPT_DELAY: return num(v, 0, 3600000, &o->delay_ms, "--delay-ms");
	case OPT_RETRIES:
		if (num(v, 0, 100, &n, "--retries"))
			return -1;
		o->retries = (int)n;
		return 0;
	case OPT_TIMEOUT: return num(v, 1, 86400, &o->http.timeout_s, "--timeout");
	case OPT_CONNECT_TIMEOUT: return num(v, 1, 3600, &o->http.connect_timeout_s, "--connect-timeout");
	case OPT_LOW_SPEED: return num(v, 1, 3600, &o->http.low_speed_secs, "--low-speed-time");
	case OPT_MAX_REDIRECTS:
		if (num(v, 0, 50, &n, "--max-redirects"))
			return -1;
		o->http.max_redirects = (int)n;
		return 0;
	case OPT_MAX_RESPONSE:
		if (num(v, 1024, 1UL << 34, &n, "--max-response"))
			return -1;
		o->http.max_body = (size_t)n;
		return 0;
	default:
		return -1;
	}
}

/* Check the whole command line; -1 to go on, else an exit status. */
static int parse(collect_cli *c, int argc, char **argv)
{
	chorus_collect_opts *o = &c->o;
	char why[256];
	int opt;

	/* Options must be spelled out: getopt_long would take "--token" for
	 * "--token-file" and then print its value, which may be a secret, in
	 * an error.  Only the name (before '=') of a wrong option is printed. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *a = argv[i];
		const size_t n = strcspn(a + 2, "=");
		int known = 0;
		if (strncmp(a, "--", 2) != 0)
			continue;
		for (const struct option *lo = long_opts; lo->name && !known; lo++)
			known = strlen(lo->name) == n && !strncmp(lo->name, a + 2, n);
		if (!known) {
			cli_error("collect: unknown option '--%.*s' (try --help)", (int)(n < 64 ? n : 64), a + 2);
			return CLI_EXIT_USAGE;
		}
	}
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (opt == OPT_HELP) {
			fputs(collect_usage, stdout);
			return CLI_EXIT_OK;
		}
		if (opt == '?' || opt == ':') {
			cli_error("collect: unknown option or missing value: '%.*s' (try --help)",
				  (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
		if (apply(c, opt, optarg))
			return CLI_EXIT_USAGE;
	}
	if (optind != argc - 1) {
		cli_error("collect: give exactly one SOURCE (try --help)");
		return CLI_EXIT_USAGE;
	}
	if (chorus_collect_parse_spec(o, argv[optind], why)) {
		cli_error("collect: %s", why);
		return CLI_EXIT_USAGE;
	}
	if (!c->store) {
		cli_error("collect: --store DIR is required");
		return CLI_EXIT_USAGE;
	}
	if (!o->base)
		o->base = chorus_collect_default_base(o->source);
	if (!o->base && o->source != CHORUS_SRC_FEED) {
		cli_error("collect: %s needs --instance URL (the Mastodon server)", o->spec);
		return CLI_EXIT_USAGE;
	}
	if (o->base && o->base[0] && o->base[strlen(o->base) - 1] == '/') {
		cli_error("collect: --instance/--base: give the URL without a trailing '/'");
		return CLI_EXIT_USAGE;
	}
	if (o->since_ns && o->until_ns && o->since_ns >= o->until_ns) {
		cli_error("collect: --since must be before --until");
		return CLI_EXIT_USAGE;
	}
	{
		const char *u = o->source == CHORUS_SRC_FEED ? o->arg : o->base;
		if (chorus_url_allowed(u, o->source == CHORUS_SRC_FEED, why)) {
			cli_error("collect: %s", why);
			return CLI_EXIT_USAGE;
		}
	}
	return -1;
}

/* Secrets from their files or the environment; -1 to go on, else a status. */
static int load_secrets(collect_cli *c)
{
	chorus_collect_opts *o = &c->o;
	const char *env;

	if (o->source <= CHORUS_SRC_MASTODON_SEARCH) {
		if (c->token_file && !(c->token = read_secret(c->token_file, "token")))
			return CLI_EXIT_USAGE;
		if (!c->token && (env = getenv("CHORUS_MASTODON_TOKEN")) && *env) {
			c->token = strdup(env);
			memset((char *)env, 0, strlen(env)); /* no second copy stays in memory */
		}
		o->token = c->token;
		if (o->source == CHORUS_SRC_MASTODON_SEARCH && !o->token) {
			cli_error("collect: Mastodon search needs an access token (--token-file FILE "
				  "or $CHORUS_MASTODON_TOKEN)");
			return CLI_EXIT_USAGE;
		}
	} else if (o->source == CHORUS_SRC_BSKY_SEARCH) {
		if (!o->bsky_handle)
			o->bsky_handle = getenv("CHORUS_BSKY_HANDLE");
		if (c->password_file && !(c->password = read_secret(c->password_file, "password")))
			return CLI_EXIT_USAGE;
		if (!c->password && (env = getenv("CHORUS_BSKY_PASSWORD")) && *env) {
			c->password = strdup(env);
			memset((char *)env, 0, strlen(env));
		}
		o->bsky_password = c->password;
		if (!o->bsky_handle || !*o->bsky_handle || !o->bsky_password) {
			cli_error("collect: Bluesky search needs a login: --bsky-handle (or "
				  "$CHORUS_BSKY_HANDLE) and an app password (--password-file FILE or "
				  "$CHORUS_BSKY_PASSWORD)");
			return CLI_EXIT_USAGE;
		}
	} else if (c->token_file || c->password_file) {
		cli_error("collect: %s takes no token or password", o->spec);
		return CLI_EXIT_USAGE;
	}
	return -1;
}

static void wipe(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

int cmd_collect(int argc, char **argv)
{
	collect_cli c;
	chorus_collect_result res;
	chorus_error err;
	struct sigaction sa;
	int rc, status;

	memset(&c, 0, sizeof c);
	chorus_collect_opts_default(&c.o);
	c.progress = isatty(2) ? PROG_BAR : PROG_LOG;
	rc = parse(&c, argc, argv);
	if (rc < 0)
		rc = load_secrets(&c);
	if (rc >= 0) {
		wipe(c.token);
		wipe(c.password);
		return rc;
	}
	c.o.log = on_log;
	c.o.progress = on_progress;
	c.o.ud = &c;
	c.o.stop = (volatile int *)&stop_flag;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	chorus_error_clear(&err);
	rc = chorus_collect_run(&c.o, c.store, &res, &err);
	wipe(c.token);
	wipe(c.password);
	if (c.bar_shown)
		fputs("\r\033[K", stderr);
	if (rc) {
		if (err.source[0] && err.line)
			cli_error("%s:%llu: %s", err.source, (unsigned long long)err.line, err.text);
		else if (err.source[0])
			cli_error("%s%s%s", err.source, err.text[0] ? ": " : "", err.text);
		else
			cli_error("collect: %s", chorus_code_str(rc));
		return rc == CHORUS_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
	}
	switch (res.end) {
	case CHORUS_COLLECT_COMPLETE:
	case CHORUS_COLLECT_LIMIT:
		status = CLI_EXIT_OK;
		break;
	case CHORUS_COLLECT_MAX_WAIT:
		status = 4;
		break;
	case CHORUS_COLLECT_INTERRUPTED:
		status = 130;
		break;
	default:
		cli_error("%s: %s", err.source, err.text);
		status = CLI_EXIT_FAIL;
		break;
	}
	cli_error("collect: %s: %ld page%s, %ld post%s, %ld request%s, %ld retr%s, %ld pause%s "
		  "(%ld s)%s", c.store, res.pages, res.pages == 1 ? "" : "s", res.posts,
		  res.posts == 1 ? "" : "s", res.responses, res.responses == 1 ? "" : "s",
		  res.retries, res.retries == 1 ? "y" : "ies", res.waits, res.waits == 1 ? "" : "s",
		  res.waited_s,
		  res.end == CHORUS_COLLECT_COMPLETE ? "; complete"
		  : res.end == CHORUS_COLLECT_LIMIT ? "; stopped at the --max-* limit"
		  : res.end == CHORUS_COLLECT_MAX_WAIT ? "; stopped at --max-wait: go on with --resume"
		  : res.end == CHORUS_COLLECT_INTERRUPTED ? "; interrupted: go on with --resume"
		  : "; failed (the store keeps what was collected)");
	return status;
}
