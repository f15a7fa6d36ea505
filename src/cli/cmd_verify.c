/*
 * cmd_verify.c - "chorus verify DIR [--replay]": check every line of
 * DIR/MANIFEST.sha256, and with --replay run the scan again.
 *
 * A line is "HEX  NAME" (sha256sum format).  NAME is one of the folder's
 * own files (resolved inside DIR) or an input by the path given to scan
 * (resolved from the current folder).  Every mismatch or missing file is
 * named on its own line; the exit status is 1 when any failed.
 *
 * --replay: once every hash matches, `chorus report DIR/scan.json` writes
 * a new folder in a temporary directory with the run time recorded in
 * DIR/provenance.json, and each of DIR's own files except provenance.json
 * (whose command line differs by nature) must be byte-identical to its
 * new copy; each that is not is named.  The temporary folder is removed.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "chorus/sha256.h"
#include "cli.h"
#include "opts.h"

#define LINE_CAP 4200

static const char *const folder_files[] = {
	"clusters.jsonl", "posts.csv", "accounts.gexf", "accounts.graphml", "report.html",
	"scan.json", "provenance.json"
};

static int in_folder(const char *name)
{
	for (size_t i = 0; i < sizeof folder_files / sizeof *folder_files; i++)
		if (!strcmp(name, folder_files[i]))
			return 1;
	return 0;
}

/* 0 when the line's file matches its hash. */
static int check_line(const char *dir, char *line)
{
	char path[LINE_CAP + 64], got[CHORUS_SHA256_HEX];
	char *name;

	line[strcspn(line, "\r\n")] = '\0';
	if (strlen(line) < 67 || line[64] != ' ' || line[65] != ' ') {
		cli_error("%s/MANIFEST.sha256: malformed line", dir);
		return -1;
	}
	name = line + 66;
	line[64] = '\0';
	if (in_folder(name))
		snprintf(path, sizeof path, "%s/%s", dir, name);
	else
		snprintf(path, sizeof path, "%s", name);
	if (opts_sha256_file(path, got) != 0) {
		cli_error("%s: missing or unreadable", path);
		return -1;
	}
	if (strcmp(got, line) != 0) {
		cli_error("%s: SHA-256 mismatch", path);
		return -1;
	}
	return 0;
}

/* 1 when files a and b hold the same bytes. */
static int same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	char x[1 << 14], y[1 << 14];
	int same = fa && fb;

	while (same) {
		size_t na = fread(x, 1, sizeof x, fa), nb = fread(y, 1, sizeof y, fb);
		if (na != nb || memcmp(x, y, na) != 0)
			same = 0;
		if (na == 0)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

static void remove_tree(const char *dir)
{
	char path[LINE_CAP + 300];
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		remove(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* The recorded run time, from DIR/provenance.json, into t; *redacted
 * gets whether the folder is the shareable version. */
static int recorded_time(const char *dir, char *t, size_t cap, int *redacted)
{
	char path[LINE_CAP + 32];
	json_error_t jerr;
	json_t *root;
	const char *v;

	snprintf(path, sizeof path, "%s/provenance.json", dir);
	if (!(root = json_load_file(path, 0, &jerr))) {
		cli_error("%s:%d: %s", path, jerr.line, jerr.text);
		return -1;
	}
	v = json_string_value(json_object_get(root, "run_time"));
	*redacted = json_is_true(json_object_get(root, "redacted"));
	if (v)
		snprintf(t, cap, "%s", v);
	else
		cli_error("%s: no run_time", path);
	json_decref(root);
	return v ? 0 : -1;
}

static int replay(const char *dir)
{
	const char *tmpdir = getenv("TMPDIR");
	char tmp[LINE_CAP], scan[LINE_CAP + 32], t[64], a[LINE_CAP + 300], b[LINE_CAP + 300];
	char *args[10];
	int rc, bad = 0, n = 0, redacted = 0, argc = 8;

	if (recorded_time(dir, t, sizeof t, &redacted) != 0)
		return CLI_EXIT_FAIL;
	snprintf(tmp, sizeof tmp, "%s/chorus-replay-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(tmp)) {
		cli_error("%s: cannot make a temporary folder", tmp);
		return CLI_EXIT_FAIL;
	}
	snprintf(scan, sizeof scan, "%s/scan.json", dir);
	args[0] = "report";
	args[1] = scan;
	args[2] = "--out";
	args[3] = tmp;
	args[4] = "--fixed-time";
	args[5] = t;
	args[6] = "--progress";
	args[7] = "none";
	args[8] = NULL;
	if (redacted)
		args[argc++] = "--redact";
	args[argc] = NULL;
	rc = cmd_report(argc, args);
	for (size_t i = 0; rc == CLI_EXIT_OK && i < sizeof folder_files / sizeof *folder_files; i++) {
		if (!strcmp(folder_files[i], "provenance.json"))
			continue;
		snprintf(a, sizeof a, "%s/%s", dir, folder_files[i]);
		snprintf(b, sizeof b, "%s/%s", tmp, folder_files[i]);
		if (access(a, F_OK) != 0 && access(b, F_OK) != 0)
			continue;
		if (!same_file(a, b)) {
			cli_error("%s: differs from the replayed scan", a);
			bad = 1;
		} else {
			n++;
		}
	}
	remove_tree(tmp);
	if (rc != CLI_EXIT_OK) {
		cli_error("%s: replay failed", dir);
		return CLI_EXIT_FAIL;
	}
	if (bad)
		return CLI_EXIT_FAIL;
	printf("%s: replayed from the recorded inputs and parameters: %d files byte-identical\n",
	       dir, n);
	return CLI_EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
	char mpath[LINE_CAP], line[LINE_CAP];
	const char *dir = NULL;
	int bad = 0, do_replay = 0;
	FILE *m;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			fputs("usage: chorus verify DIR [--replay]\n", stdout);
			return CLI_EXIT_OK;
		}
		if (!strcmp(argv[i], "--replay"))
			do_replay = 1;
		else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else
			dir = NULL, i = argc;
	}
	if (!dir) {
		fputs("usage: chorus verify DIR [--replay]\n", stderr);
		return CLI_EXIT_USAGE;
	}
	snprintf(mpath, sizeof mpath, "%s/MANIFEST.sha256", dir);
	m = fopen(mpath, "r");
	if (!m) {
		cli_error("%s: missing or unreadable", mpath);
		return CLI_EXIT_FAIL;
	}
	while (fgets(line, sizeof line, m))
		bad |= check_line(dir, line) != 0;
	fclose(m);
	if (bad)
		return CLI_EXIT_FAIL;
	printf("%s: every file matches MANIFEST.sha256\n", dir);
	fflush(stdout);
	return do_replay ? replay(dir) : CLI_EXIT_OK;
}
