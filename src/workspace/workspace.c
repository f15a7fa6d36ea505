/*
 * workspace.c - making and opening a workspace: the folder, its lock, the
 * parameters and versions it was made with (chorus/workspace.h).
 *
 * The folder holds workspace.sqlite and "lock".  A writer holds an
 * exclusive flock on the lock file for the whole run (the kernel drops it
 * when the process dies, however it dies) and writes its pid there, so a
 * second run is refused at once with the first one's pid; SQLite's own
 * BEGIN IMMEDIATE (ws_db_begin) guards the file against any other writer.
 */
#define _GNU_SOURCE /* flock */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chorus/alloc.h"
#include "chorus/timeutil.h"
#include "ws_int.h"

#define PATH_CAP 4096

void chorus_ws_params_init(chorus_ws_params *wp)
{
	memset(wp, 0, sizeof *wp);
	chorus_scan_params_init(&wp->scan);
	wp->late = wp->scan.window;
}

static int join(char *out, const char *dir, const char *name, chorus_error *err)
{
	int n = snprintf(out, PATH_CAP, "%s/%s", dir, name);

	if (n < 0 || n >= PATH_CAP) {
		chorus_error_set(err, dir, 0, "path too long");
		return CHORUS_EUSAGE;
	}
	return CHORUS_OK;
}

static int make_dir(const char *dir, chorus_error *err)
{
	struct stat st;

	if (mkdir(dir, 0777) == 0 || (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
		return CHORUS_OK;
	chorus_error_set(err, dir, 0, "cannot create folder: %s", strerror(errno));
	return CHORUS_EIO;
}

int chorus_ws_init(const char *dir, const chorus_ws_params *wp, const char *models_version,
		   int64_t now, chorus_error *err)
{
	char path[PATH_CAP], tmp[PATH_CAP], name[64];
	ws_info info;
	int rc = chorus_scan_params_check(&wp->scan, err);

	if (rc)
		return rc;
	if (wp->late < 0) {
		chorus_error_set(err, "", 0, "--late must not be negative");
		return CHORUS_EUSAGE;
	}
	snprintf(name, sizeof name, "%s.tmp.%ld", CHORUS_WS_FILE, (long)getpid());
	if ((rc = join(path, dir, CHORUS_WS_FILE, err)) || (rc = join(tmp, dir, name, err)) ||
	    (rc = make_dir(dir, err)))
		return rc;
	if (access(path, F_OK) == 0) {
		chorus_error_set(err, dir, 0, "already a workspace (its parameters cannot change; "
				 "use another folder)");
		return CHORUS_EUSAGE;
	}
	memset(&info, 0, sizeof info);
	info.schema = CHORUS_WS_SCHEMA;
	info.created_at = now;
	snprintf(info.chorus_version, sizeof info.chorus_version, "%s", CHORUS_VERSION);
	snprintf(info.models_version, sizeof info.models_version, "%s", models_version);
	info.wp = *wp;
	info.wp.scan.threads = 0;
	info.wp.scan.on_stage = NULL;
	info.wp.scan.ud = NULL;
	remove(tmp);
	rc = ws_db_create(tmp, &info, err);
	/* link, not rename: a workspace made meanwhile is never replaced */
	if (rc == CHORUS_OK && link(tmp, path) != 0) {
		chorus_error_set(err, path, 0, errno == EEXIST ? "already a workspace"
							       : "cannot create: %s", strerror(errno));
		rc = errno == EEXIST ? CHORUS_EUSAGE : CHORUS_EIO;
	}
	remove(tmp);
	return rc;
}

/* Take dir/lock for writing; CHORUS_ERR "in use" when another run has it. */
static int take_lock(chorus_ws *ws, chorus_error *err)
{
	char path[PATH_CAP], pid[32];
	int rc = join(path, ws->dir, "lock", err), n;

	if (rc)
		return rc;
	ws->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (ws->lock_fd < 0) {
		chorus_error_set(err, path, 0, "cannot open: %s", strerror(errno));
		return CHORUS_EIO;
	}
	if (flock(ws->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		char other[32] = "";
		ssize_t r = pread(ws->lock_fd, other, sizeof other - 1, 0);
		other[r > 0 ? r : 0] = '\0';
		other[strcspn(other, "\n")] = '\0';
		chorus_error_set(err, ws->dir, 0, "workspace in use by another run (pid %s)",
				 other[0] ? other : "?");
		return CHORUS_ERR;
	}
	n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(ws->lock_fd, 0) != 0 || pwrite(ws->lock_fd, pid, (size_t)n, 0) != n) {
		chorus_error_set(err, path, 0, "cannot write: %s", strerror(errno));
		return CHORUS_EIO;
	}
	return CHORUS_OK;
}

int chorus_ws_open(const char *dir, int mode, chorus_ws **out, chorus_error *err)
{
	char path[PATH_CAP];
	chorus_ws *ws;
	int rc = join(path, dir, CHORUS_WS_FILE, err);

	if (rc)
		return rc;
	if (access(path, F_OK) != 0) {
		chorus_error_set(err, dir, 0, "not a workspace (make one with: chorus init %s)", dir);
		return CHORUS_EUSAGE;
	}
	ws = chorus_calloc(1, sizeof *ws);
	if (!ws || !(ws->dir = chorus_malloc(strlen(dir) + 1))) {
		chorus_free(ws);
		return CHORUS_ENOMEM;
	}
	strcpy(ws->dir, dir);
	ws->mode = mode;
	ws->lock_fd = -1;
	if (mode == CHORUS_WS_WRITE)
		rc = take_lock(ws, err);
	rc = rc ? rc : ws_db_open(path, mode == CHORUS_WS_WRITE, &ws->db, err);
	rc = rc ? rc : ws_db_get_info(ws->db, &ws->info, err);
	if (rc) {
		chorus_ws_close(ws);
		return rc;
	}
	*out = ws;
	return CHORUS_OK;
}

void chorus_ws_close(chorus_ws *ws)
{
	if (!ws)
		return;
	ws_db_close(ws->db);
	if (ws->lock_fd >= 0)
		close(ws->lock_fd); /* releases the flock */
	chorus_free(ws->dir);
	chorus_free(ws);
}

const chorus_ws_params *chorus_ws_get_params(const chorus_ws *ws)
{
	return &ws->info.wp;
}

const char *chorus_ws_models_version(const chorus_ws *ws)
{
	return ws->info.models_version;
}

const char *chorus_ws_chorus_version(const chorus_ws *ws)
{
	return ws->info.chorus_version;
}

const char *chorus_ws_dir(const chorus_ws *ws)
{
	return ws->dir;
}

int chorus_ws_check_versions(const chorus_ws *ws, const char *models_version,
			     chorus_error *err)
{
	if (strcmp(ws->info.chorus_version, CHORUS_VERSION) != 0) {
		chorus_error_set(err, ws->dir, 0, "made by chorus %s, this is chorus %s: signatures "
				 "depend on the program, so a night would not match the posts held "
				 "(use chorus %s, or a new workspace)", ws->info.chorus_version,
				 CHORUS_VERSION, ws->info.chorus_version);
		return CHORUS_EUSAGE;
	}
	if (strcmp(ws->info.models_version, models_version) != 0) {
		chorus_error_set(err, ws->dir, 0, "made with models %s, these are %s: signatures "
				 "depend on them (use --models with version %s, or a new workspace)",
				 ws->info.models_version, models_version, ws->info.models_version);
		return CHORUS_EUSAGE;
	}
	return CHORUS_OK;
}
