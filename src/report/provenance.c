/*
 * provenance.c - provenance.json of an evidence folder: what made it, how,
 * from what and when.
 *
 *   tool         {name, version, build: {compiler, build_type, openmp,
 *                 jansson, utf8proc, zlib}}
 *   command_line the program's arguments as given (chorus never takes a
 *                secret on its command line, so there is none to hide)
 *   cwd          the folder the command ran in (input paths are relative
 *                to it)
 *   run_time     UTC, RFC 3339; run_time_fixed is true when --fixed-time
 *                pinned it (the one field that differs between two runs
 *                of the same command on the same inputs)
 *   redacted     true when accounts in no cluster were pseudonymised
 *   params       the scan's params object, as in scan.json
 *   inputs       [{path, bytes, sha256, format}]
 * Built with jansson, keys in insertion order, two-space indent.
 */
#include <string.h>
#include <zlib.h>

#include <jansson.h>
#include <utf8proc.h>

#include "chorus/report.h"
#include "chorus/timeutil.h"

#ifndef CHORUS_BUILD_TYPE
#define CHORUS_BUILD_TYPE "unknown"
#endif

static json_t *build_info(void)
{
	json_t *b = json_object();
	char v[64];

#if defined(__clang__)
	snprintf(v, sizeof v, "clang %s", __clang_version__);
#elif defined(__GNUC__)
	snprintf(v, sizeof v, "gcc %s", __VERSION__);
#else
	snprintf(v, sizeof v, "unknown");
#endif
	json_object_set_new(b, "compiler", json_string(v));
	json_object_set_new(b, "build_type", json_string(CHORUS_BUILD_TYPE));
#ifdef _OPENMP
	json_object_set_new(b, "openmp", json_integer(_OPENMP));
#else
	json_object_set_new(b, "openmp", json_false());
#endif
	json_object_set_new(b, "jansson", json_string(JANSSON_VERSION));
	json_object_set_new(b, "utf8proc", json_string(utf8proc_version()));
	json_object_set_new(b, "zlib", json_string(zlibVersion()));
	return b;
}

/* A string that may hold any bytes: valid UTF-8 as it is, else with each
 * bad byte as U+FFFD (jansson refuses invalid UTF-8). */
static json_t *any_string(const char *s)
{
	json_t *j = json_string(s);
	size_t n = strlen(s), o = 0;
	char *fix;

	if (j)
		return j;
	fix = malloc(3 * n + 1);
	if (!fix)
		return NULL;
	for (size_t i = 0; i < n;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
						      (utf8proc_ssize_t)(n - i), &cp);
		if (k > 0) {
			memcpy(fix + o, s + i, (size_t)k);
			o += (size_t)k;
			i += (size_t)k;
		} else {
			memcpy(fix + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
		}
	}
	j = json_stringn(fix, o);
	free(fix);
	return j;
}

int chorus_report_provenance(chorus_buf *b, const chorus_corpus *c,
			     const chorus_report_meta *meta, const char *scan_json, size_t len)
{
	json_t *root = json_object(), *tool = json_object(), *argv = json_array();
	json_t *inputs = json_array(), *scan = json_loadb(scan_json, len, 0, NULL);
	char t[CHORUS_TIME_STRLEN];
	char *text = NULL;
	int rc = CHORUS_ENOMEM;

	if (!root || !tool || !argv || !inputs || !scan)
		goto out;
	json_object_set_new(tool, "name", json_string("chorus"));
	json_object_set_new(tool, "version", json_string(CHORUS_VERSION));
	json_object_set_new(tool, "build", build_info());
	json_object_set(root, "tool", tool);
	for (int i = 0; i < meta->argc; i++)
		json_array_append_new(argv, any_string(meta->argv[i]));
	json_object_set(root, "command_line", argv);
	json_object_set_new(root, "cwd", meta->cwd ? any_string(meta->cwd) : json_null());
	chorus_time_format(meta->run_time, t);
	json_object_set_new(root, "run_time", json_string(t));
	json_object_set_new(root, "run_time_fixed", json_boolean(meta->run_time_fixed));
	json_object_set_new(root, "redacted", json_boolean(meta->redacted));
	json_object_set(root, "params", json_object_get(scan, "params"));
	for (size_t i = 0; i < chorus_corpus_input_count(c); i++) {
		const chorus_input_stats *in = chorus_corpus_input(c, i);
		json_t *o = json_object();
		json_object_set_new(o, "path", any_string(in->path));
		json_object_set_new(o, "bytes", json_integer((json_int_t)in->bytes));
		json_object_set_new(o, "sha256", json_string(in->sha256));
		json_object_set_new(o, "format", json_string(in->format ? in->format : "jsonl"));
		json_array_append_new(inputs, o);
	}
	json_object_set(root, "inputs", inputs);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6));
	if (text && chorus_buf_puts(b, text) == 0 && chorus_buf_puts(b, "\n") == 0)
		rc = CHORUS_OK;
out:
	free(text);
	json_decref(root);
	json_decref(tool);
	json_decref(argv);
	json_decref(inputs);
	json_decref(scan);
	return rc;
}
