/*
 * cmd_verify.c - "chorus verify DIR": check every line of DIR/MANIFEST.sha256.
 *
 * A line is "HEX  NAME" (sha256sum format).  NAME is one of the folder's
 * own files (resolved inside DIR) or an input by the path given to scan
 * (resolved from the current folder).  Every mismatch or missing file is
 * named on its own line; the exit status is 1 when any failed.
 */
#include <stdio.h>
#include <string.h>

#include "chorus/sha256.h"
#include "cli.h"

#define LINE_CAP 4200

static const char *const folder_files[] = { "clusters.jsonl", "posts.csv", "accounts.gexf",
					    "accounts.graphml", "report.html" };

static int in_folder(const char *name)
{
	for (size_t i = 0; i < sizeof folder_files / sizeof *folder_files; i++)
		if (!strcmp(name, folder_files[i]))
			return 1;
	return 0;
}

/* 0 and hex filled, or -1 when the file cannot be read. */
static int hash_file(const char *path, char hex[CHORUS_SHA256_HEX])
{
	FILE *f = fopen(path, "rb");
	chorus_sha256 *h = chorus_sha256_new();
	char buf[1 << 14];
	size_t n;
	int rc = -1;

	if (f && h) {
		while ((n = fread(buf, 1, sizeof buf, f)) > 0)
			chorus_sha256_update(h, buf, n);
		if (!ferror(f)) {
			chorus_sha256_final_hex(h, hex);
			rc = 0;
		}
	}
	chorus_sha256_free(h);
	if (f)
		fclose(f);
	return rc;
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
	if (hash_file(path, got) != 0) {
		cli_error("%s: missing or unreadable", path);
		return -1;
	}
	if (strcmp(got, line) != 0) {
		cli_error("%s: SHA-256 mismatch", path);
		return -1;
	}
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	char mpath[LINE_CAP], line[LINE_CAP];
	FILE *m;
	int bad = 0;

	if (argc != 2 || argv[1][0] == '-') {
		fputs("usage: chorus verify DIR\n", argc == 2 && !strcmp(argv[1], "--help") ?
		      stdout : stderr);
		return argc == 2 && !strcmp(argv[1], "--help") ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	snprintf(mpath, sizeof mpath, "%s/MANIFEST.sha256", argv[1]);
	m = fopen(mpath, "r");
	if (!m) {
		cli_error("%s: missing or unreadable", mpath);
		return CLI_EXIT_FAIL;
	}
	while (fgets(line, sizeof line, m))
		bad |= check_line(argv[1], line) != 0;
	fclose(m);
	if (!bad)
		printf("%s: every file matches MANIFEST.sha256\n", argv[1]);
	return bad ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
