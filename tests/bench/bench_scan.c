/*
 * bench_scan.c - throughput and peak memory of every stage of a scan.
 *
 *   bench_scan FILE.jsonl [--runs R] [--threads LIST] [--cli PATH/chorus]
 *                                                        (LIST like 1,2)
 *
 * For each thread count: one warm-up run, then R measured runs, each in a
 * child process of its own so that peak memory is that run's alone.  A run
 * does what `chorus scan` does, in its order: load the models, read+parse
 * (format detected), drop duplicate ids, then the scan stages (order, then
 * sign = normalise + shingle + MinHash + band keys, lsh, verify, cluster),
 * then the JSON report to /dev/null.  Before each stage the peak-RSS counter
 * is reset (/proc/self/clear_refs) and read after it, so each stage gets its
 * own peak; where the kernel refuses the reset the figure is the process
 * peak so far (marked *).  Also measured: normalise alone over the parsed
 * posts (same threads, the scan's own path for word shingles:
 * chorus_norm_hash with each post's declared language), parse-only (the
 * reference floor: read+parse and nothing else) and, with --cli, the
 * command itself (`chorus scan --json /dev/null FILE`, wall time and peak
 * memory, process start and exit included).  For scale only, it also times
 * a plain parse of the same file with jansson (json_loadb per line, the
 * same threads, the file read whole first; .gz files are not), the JSON
 * library chorus uses elsewhere: the floor above is chorus's own reader,
 * which does more (UTF-8 checks, times, the input's SHA-256, the corpus)
 * and is still several times faster.  Prints medians; never fails a build.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "chorus/alloc.h"
#include "chorus/models.h"
#include "chorus/normalise.h"
#include "chorus/report.h"
#include "chorus/scan.h"

#include "bench_util.h"

#ifdef _OPENMP
#include <omp.h>
#endif

enum { M_MODELS, M_PARSE, M_DEDUP, M_ORDER, M_NORM, M_SIGN, M_LSH, M_VERIFY, M_CLUSTER, M_WRITE, M_CORE,
       M_TOTAL, M_PARSE_ONLY, M_CLI, M_JANSSON, M_COUNT };
static const char *names[M_COUNT] = {
	"load models", "read+parse", "duplicate ids", "order", "normalise (alone)", "sign", "lsh",
	"verify", "cluster", "write report", "matching core (order..cluster)", "end to end",
	"parse only (floor)", "chorus scan command", "jansson parse only (scale)"
};

typedef struct sample {
	double secs[M_COUNT];
	double peak_mb[M_COUNT];
	int reset_ok;
	unsigned long long posts, clusters;
} sample;

static int reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	int ok = f && fputs("5", f) >= 0;
	if (f && fclose(f) != 0)
		ok = 0;
	return ok;
}

static double peak_mb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	double kb = 0;

	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmHWM:", 6))
			kb = atof(line + 6);
	if (f)
		fclose(f);
	return kb / 1024.0;
}

typedef struct stage_ctx {
	sample *s;
	double t0;
} stage_ctx;

static int stage_index(const char *name)
{
	if (!strcmp(name, "order")) return M_ORDER;
	if (!strcmp(name, "sign")) return M_SIGN;
	if (!strcmp(name, "lsh")) return M_LSH;
	if (!strcmp(name, "verify")) return M_VERIFY;
	if (!strcmp(name, "cluster")) return M_CLUSTER;
	return -1;
}

static void on_stage(void *ud, const char *name, int done)
{
	stage_ctx *c = ud;
	int k = stage_index(name);

	if (k < 0)
		return;
	if (!done) {
		c->s->reset_ok &= reset_peak();
		c->t0 = bench_now();
	} else {
		c->s->secs[k] = bench_now() - c->t0;
		c->s->peak_mb[k] = peak_mb();
	}
}

static void normalise_alone(const chorus_corpus *c, const chorus_models *m, int threads, sample *s)
{
	const chorus_post *posts = chorus_corpus_posts(c);
	const long n = (long)chorus_corpus_count(c);
	double t0;

	s->reset_ok &= reset_peak();
	t0 = bench_now();
#pragma omp parallel num_threads(threads) default(none) shared(posts, m) firstprivate(n)
	{
		chorus_norm *w = chorus_norm_new(m, 0);
		chorus_normhash nh;
#pragma omp for schedule(dynamic, 2048)
		for (long i = 0; i < n; i++) {
			const char *hint = posts[i].extra ? posts[i].extra->lang.p : NULL;
			chorus_norm_hash(w, posts[i].text.p, posts[i].text.len, hint, 0, &nh);
		}
		chorus_norm_free(w);
	}
	s->secs[M_NORM] = bench_now() - t0;
	s->peak_mb[M_NORM] = peak_mb();
}

static void run_once(const char *file, int threads, int parse_only, sample *s)
{
	chorus_read_opts ro = { .threads = threads };
	chorus_scan_params p;
	chorus_models *m = NULL;
	chorus_corpus *c = chorus_corpus_new();
	chorus_scan *scan = NULL;
	chorus_error err;
	stage_ctx sc = { .s = s };
	double t0 = bench_now(), t;

	s->reset_ok = reset_peak();
	if (!parse_only) { /* as the command does, first */
		if (chorus_models_load(&m, NULL, &err)) {
			fprintf(stderr, "bench_scan: models: %s\n", err.text);
			exit(1);
		}
		t = bench_now();
		s->secs[M_MODELS] = t - t0;
		s->peak_mb[M_MODELS] = peak_mb();
	}
	t = bench_now();
	if (chorus_corpus_read(c, file, &ro, &err)) { /* format detected, as the command does */
		fprintf(stderr, "bench_scan: %s: %s\n", file, err.text);
		exit(1);
	}
	s->secs[parse_only ? M_PARSE_ONLY : M_PARSE] = bench_now() - (parse_only ? t0 : t);
	s->peak_mb[parse_only ? M_PARSE_ONLY : M_PARSE] = peak_mb();
	if (parse_only) {
		s->posts = chorus_corpus_count(c);
		return;
	}
	t = bench_now();
	if (chorus_corpus_dedup(c, threads) < 0) {
		fprintf(stderr, "bench_scan: out of memory\n");
		exit(1);
	}
	s->secs[M_DEDUP] = bench_now() - t;
	s->peak_mb[M_DEDUP] = peak_mb();
	s->posts = chorus_corpus_count(c);
	chorus_scan_params_init(&p);
	p.threads = threads;
	p.on_stage = on_stage;
	p.ud = &sc;
	double tc = bench_now();
	if (chorus_scan_run(c, m, &p, &scan, &err)) {
		fprintf(stderr, "bench_scan: %s\n", err.text);
		exit(1);
	}
	s->secs[M_CORE] = bench_now() - tc;
	s->peak_mb[M_CORE] = peak_mb();
	FILE *devnull = fopen("/dev/null", "w");
	double tw = bench_now();
	chorus_report_meta meta = { .models_version = chorus_models_version(m) };
	chorus_report_json(devnull, scan, c, &p, &meta, &err);
	fclose(devnull);
	s->secs[M_WRITE] = bench_now() - tw;
	s->peak_mb[M_WRITE] = peak_mb();
	s->secs[M_TOTAL] = bench_now() - t0;
	s->peak_mb[M_TOTAL] = peak_mb();
	s->clusters = chorus_scan_cluster_count(scan);
	chorus_scan_free(scan);
	normalise_alone(c, m, threads, s);
	chorus_corpus_free(c);
	chorus_models_free(m);
}

/* The file parsed line by line with jansson, in parallel, each record's
 * text and id looked up: a parse with a common library, for scale. */
static void jansson_parse(const char *file, int threads, sample *s)
{
	double t0 = bench_now();
	FILE *f = fopen(file, "rb");
	char *buf = NULL;
	long len = -1;
	unsigned long long records = 0, bytes = 0;

	if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
		buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "bench_scan: %s: cannot read for the jansson parse\n", file);
		exit(1);
	}
	fclose(f);
	json_object_seed(0); /* jansson's hash seed, before any thread starts */
	(void)threads;       /* unused without OpenMP */
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) default(none) \
	shared(buf) firstprivate(len) reduction(+ : records, bytes)
	for (long part = 0; part < 256; part++) {
		/* part k holds the lines that start in [len * k / 256, len * (k + 1) / 256) */
		long lo = len * part / 256, hi = len * (part + 1) / 256;
		while (lo > 0 && lo < len && buf[lo - 1] != '\n')
			lo++;
		while (hi > 0 && hi < len && buf[hi - 1] != '\n')
			hi++;
		for (long at = lo; at < hi;) {
			const char *nl = memchr(buf + at, '\n', (size_t)(hi - at));
			const long end = nl ? nl - buf : hi;
			json_error_t e;
			/* integers as reals: jansson refuses ids past 2^63 otherwise */
			json_t *j = json_loadb(buf + at, (size_t)(end - at), JSON_DECODE_INT_AS_REAL, &e);
			if (j) {
				records++;
				bytes += json_string_length(json_object_get(j, "text")) +
					 json_string_length(json_object_get(j, "id"));
				json_decref(j);
			}
			at = end + 1;
		}
	}
	free(buf);
	s->secs[M_JANSSON] = bench_now() - t0;
	s->peak_mb[M_JANSSON] = peak_mb();
	s->posts = records;
	s->clusters = bytes; /* only so that the work is used */
}

/* Run in a child so peak memory belongs to this run alone. */
static int run_child(const char *file, int threads, int parse_only, sample *out)
{
	int fd[2];
	pid_t pid;

	if (pipe(fd))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		sample s;
		memset(&s, 0, sizeof s);
		close(fd[0]);
		if (parse_only == 2)
			jansson_parse(file, threads, &s);
		else
			run_once(file, threads, parse_only, &s);
		if (write(fd[1], &s, sizeof s) != (ssize_t)sizeof s)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	ssize_t got = read(fd[0], out, sizeof *out);
	close(fd[0]);
	waitpid(pid, NULL, 0);
	return got == (ssize_t)sizeof *out ? 0 : -1;
}

/* The command itself, as a user runs it: wall time and peak memory. */
static int run_cli(const char *exe, const char *file, int threads, sample *out)
{
	char nt[16];
	struct rusage ru;
	int status;
	double t0 = bench_now();
	pid_t pid;

	snprintf(nt, sizeof nt, "%d", threads);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* dup2, not freopen: freopen would flush the parent's buffered
		 * report a second time */
		const int null = open("/dev/null", O_WRONLY);
		if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execl(exe, exe, "scan", "--threads", nt, "--progress", "none", "--json", "/dev/null",
		      file, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	out->secs[M_CLI] = bench_now() - t0;
	out->peak_mb[M_CLI] = (double)ru.ru_maxrss / 1024.0;
	return 0;
}

static void report(int threads, sample *full, sample *parse, sample *cli, sample *jp, int runs)
{
	double v[64], mem[64];
	unsigned long long posts = full[0].posts;

	printf("\nthreads %d: %llu posts, %llu clusters, median of %d runs after a warm-up\n",
	       threads, posts, full[0].clusters, runs);
	printf("  %-32s %10s %14s %12s\n", "stage", "seconds", "posts/s", "peak MB");
	for (int k = 0; k < M_COUNT; k++) {
		sample *src = k == M_PARSE_ONLY ? parse : k == M_CLI ? cli : k == M_JANSSON ? jp : full;
		if ((k == M_CLI && !cli) || (k == M_JANSSON && !jp))
			continue;
		for (int r = 0; r < runs; r++) {
			v[r] = src[r].secs[k];
			mem[r] = src[r].peak_mb[k];
		}
		double t = bench_median(v, runs), pm = bench_median(mem, runs);
		printf("  %-32s %10.3f %14.0f %11.0f%s\n", names[k], t, t > 0 ? posts / t : 0, pm,
		       full[0].reset_ok ? "" : "*");
	}
	for (int r = 0; r < runs; r++) {
		v[r] = full[r].secs[M_TOTAL];
		mem[r] = parse[r].secs[M_PARSE_ONLY];
	}
	double total = bench_median(v, runs), floor = bench_median(mem, runs);
	printf("  end to end / parse only = %.2fx\n", floor > 0 ? total / floor : 0);
	if (cli) {
		for (int r = 0; r < runs; r++)
			v[r] = cli[r].secs[M_CLI];
		total = bench_median(v, runs);
		printf("  chorus scan command / parse only = %.2fx\n", floor > 0 ? total / floor : 0);
	}
	if (jp) {
		for (int r = 0; r < runs; r++)
			mem[r] = jp[r].secs[M_JANSSON];
		const double jt = bench_median(mem, runs);
		if (jp[0].posts != posts)
			printf("  (jansson parsed %llu records, the scan %llu posts)\n", jp[0].posts, posts);
		printf("  (for scale: %s / jansson parse only = %.2fx)\n",
		       cli ? "chorus scan command" : "end to end", jt > 0 ? total / jt : 0);
	}
}

int main(int argc, char **argv)
{
	static const struct option o[] = { { "runs", 1, NULL, 'r' }, { "threads", 1, NULL, 't' },
					   { "cli", 1, NULL, 'c' }, { NULL, 0, NULL, 0 } };
	int runs = 3, tlist[8] = { 1, 2 }, nt = 2, c;
	const char *exe = NULL;

	while ((c = getopt_long(argc, argv, "", o, NULL)) != -1) {
		if (c == 'r')
			runs = atoi(optarg) > 0 && atoi(optarg) <= 64 ? atoi(optarg) : 3;
		else if (c == 't') {
			nt = 0;
			for (char *t = strtok(optarg, ","); t && nt < 8; t = strtok(NULL, ","))
				tlist[nt++] = atoi(t) > 0 ? atoi(t) : 1;
		} else if (c == 'c')
			exe = optarg;
		else
			return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: bench_scan FILE.jsonl [--runs R] [--threads 1,2] "
			"[--cli PATH/chorus]\n");
		return 2;
	}
	const size_t flen = strlen(argv[optind]);
	const int gz = flen >= 3 && strcmp(argv[optind] + flen - 3, ".gz") == 0;
	for (int k = 0; k < nt; k++) {
		sample full[64], parse[64], cli[64], jp[64], warm;
		run_child(argv[optind], tlist[k], 0, &warm);
		for (int r = 0; r < runs; r++) {
			memset(&full[r], 0, sizeof full[r]);
			memset(&parse[r], 0, sizeof parse[r]);
			memset(&cli[r], 0, sizeof cli[r]);
			memset(&jp[r], 0, sizeof jp[r]);
			if (run_child(argv[optind], tlist[k], 0, &full[r]) ||
			    run_child(argv[optind], tlist[k], 1, &parse[r]) ||
			    (!gz && run_child(argv[optind], tlist[k], 2, &jp[r])) ||
			    (exe && run_cli(exe, argv[optind], tlist[k], &cli[r]))) {
				fprintf(stderr, "bench_scan: a run failed\n");
				return 1;
			}
		}
		report(tlist[k], full, parse, exe ? cli : NULL, gz ? NULL : jp, runs);
	}
	return 0;
}
