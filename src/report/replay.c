/*
 * replay.c - the scan a JSON report records, as `chorus scan` arguments.
 *
 * A JSON report (SCAN.json) may come from anywhere: every field is checked
 * for presence and type, and anything the command line cannot reproduce
 * is refused with the reason.  The arguments are owned by the plan.
 * Options: --window --threshold --min-accounts --shingle --perms --bands
 * --seed --min-content --neighbours [--include-reposts] [--format F when
 * every input has the same format], then "--" and the input paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chorus/alloc.h"
#include "chorus/normalise.h"
#include "chorus/report.h"

#define FAIL(err, ...) (chorus_error_set((err), __VA_ARGS__), CHORUS_EINPUT)

static int push(chorus_replay_plan *p, const char *s)
{
	char **v, *d;

	if (p->argc + 2 > p->cap) {
		size_t c = p->cap ? p->cap * 2 : 32;
		if (!(v = chorus_reallocarray(p->argv, c, sizeof *v)))
			return CHORUS_ENOMEM;
		p->argv = v;
		p->cap = c;
	}
	if (!(d = strdup(s)))
		return CHORUS_ENOMEM;
	p->argv[p->argc++] = d;
	p->argv[p->argc] = NULL;
	return CHORUS_OK;
}

static int push_opt(chorus_replay_plan *p, const char *opt, json_t *v)
{
	char num[64];

	if (json_is_string(v))
		return push(p, opt) ? CHORUS_ENOMEM : push(p, json_string_value(v));
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(num, sizeof num, "%.17g", json_real_value(v));
	else
		return CHORUS_EINPUT;
	return push(p, opt) ? CHORUS_ENOMEM : push(p, num);
}

static int default_steps(json_t *steps)
{
	const char *const *want = chorus_norm_steps();
	size_t i = 0;

	if (!json_is_array(steps))
		return 0;
	for (; want[i]; i++) {
		json_t *s = json_array_get(steps, i);
		if (!json_is_string(s) || strcmp(json_string_value(s), want[i]) != 0)
			return 0;
	}
	return json_array_size(steps) == i;
}

static int params(const char *file, json_t *p, chorus_replay_plan *plan, chorus_error *err)
{
	static const char *const opt[][2] = {
		{ "--window", "window" }, { "--threshold", "threshold" },
		{ "--min-accounts", "min_accounts" }, { "--shingle", "shingle" },
		{ "--perms", "perms" }, { "--bands", "bands" }, { "--seed", "seed" },
		{ "--min-content", "min_content" }, { "--neighbours", "max_neighbours" },
	};
	json_t *reposts = json_object_get(p, "include_reposts");

	if (!json_is_object(p))
		return FAIL(err, file, 0, "no params object");
	if (!default_steps(json_object_get(p, "normalisation")))
		return FAIL(err, file, 0, "normalisation steps other than a scan's own cannot be re-run");
	for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++) {
		int rc = push_opt(plan, opt[i][0], json_object_get(p, opt[i][1]));
		if (rc == CHORUS_ENOMEM)
			return rc;
		if (rc)
			return FAIL(err, file, 0, "params.%s is missing or of the wrong type", opt[i][1]);
	}
	if (!json_is_boolean(reposts))
		return FAIL(err, file, 0, "params.include_reposts is missing or not a boolean");
	if (json_is_true(reposts) && push(plan, "--include-reposts"))
		return CHORUS_ENOMEM;
	return CHORUS_OK;
}

static int inputs(const char *file, json_t *in, chorus_replay_plan *plan, chorus_error *err)
{
	const char *format = NULL;
	size_t i;
	json_t *x;

	if (!json_is_array(in) || json_array_size(in) == 0)
		return FAIL(err, file, 0, "no inputs recorded");
	if (!(plan->sha256 = chorus_calloc(json_array_size(in), sizeof *plan->sha256)))
		return CHORUS_ENOMEM;
	json_array_foreach(in, i, x) {
		const char *path = json_string_value(json_object_get(x, "path"));
		const char *sha = json_string_value(json_object_get(x, "sha256"));
		const char *f = json_string_value(json_object_get(x, "format"));
		if (!path || !sha || !f || strlen(sha) != 64 || !*path)
			return FAIL(err, file, 0, "input %zu lacks a path, sha256 or format", i + 1);
		if (!strcmp(path, "-"))
			return FAIL(err, file, 0, "input %zu was standard input, which cannot be read again",
				    i + 1);
		if (!(plan->sha256[i] = strdup(sha)))
			return CHORUS_ENOMEM;
		plan->ninputs = i + 1;
		format = i == 0 || (format && !strcmp(format, f)) ? f : NULL;
	}
	if (format && (push(plan, "--format") || push(plan, format)))
		return CHORUS_ENOMEM;
	if (push(plan, "--"))
		return CHORUS_ENOMEM;
	plan->first_input = plan->argc;
	json_array_foreach(in, i, x)
		if (push(plan, json_string_value(json_object_get(x, "path"))))
			return CHORUS_ENOMEM;
	return CHORUS_OK;
}

void chorus_replay_plan_free(chorus_replay_plan *p)
{
	for (size_t i = 0; i < p->argc; i++)
		free(p->argv[i]);
	chorus_free(p->argv);
	for (size_t i = 0; i < p->ninputs; i++)
		free(p->sha256[i]);
	chorus_free(p->sha256);
	memset(p, 0, sizeof *p);
}

int chorus_replay_plan_parse(const char *file, const char *text, size_t len,
			     chorus_replay_plan *plan, chorus_error *err)
{
	json_error_t jerr;
	json_t *root;
	const char *version;
	int rc;

	memset(plan, 0, sizeof *plan);
	if (!(root = json_loadb(text, len, 0, &jerr)))
		return FAIL(err, file, (uint64_t)(jerr.line > 0 ? jerr.line : 0), "%s", jerr.text);
	version = json_string_value(json_object_get(json_object_get(root, "tool"), "version"));
	if (!version || strcmp(version, CHORUS_VERSION) != 0)
		rc = FAIL(err, file, 0, "made by chorus %s; this is chorus %s, whose findings may differ",
			  version ? version : "(unknown)", CHORUS_VERSION);
	else if (json_object_get(root, "workspace"))
		rc = FAIL(err, file, 0, "comes from a workspace (nightly increments over the posts "
			  "it holds), which a scan of the recorded inputs does not reproduce");
	else
		rc = params(file, json_object_get(root, "params"), plan, err);
	if (rc == 0)
		rc = inputs(file, json_object_get(root, "inputs"), plan, err);
	if (rc == CHORUS_ENOMEM)
		chorus_error_set(err, file, 0, "out of memory");
	json_decref(root);
	if (rc)
		chorus_replay_plan_free(plan);
	return rc;
}
