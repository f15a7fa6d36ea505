/*
 * fuzz_replay.c - chorus_replay_plan_parse on arbitrary bytes (a SCAN.json
 * handed to `chorus report` may come from anywhere).
 *
 * Every input is either refused with a message or gives a plan whose
 * arguments are non-NULL strings, NULL-terminated, with "--" right before
 * the inputs and one recorded 64-character hash per input.  The plan is
 * freed; under the sanitizers nothing may leak or overrun.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	chorus_replay_plan p;
	chorus_error err;

	chorus_error_clear(&err);
	if (chorus_replay_plan_parse("fuzz.json", (const char *)data, size, &p, &err) != 0) {
		if (!err.text[0])
			abort();
		return 0;
	}
	if (!p.argv || p.argv[p.argc] != NULL || p.first_input == 0 ||
	    p.first_input + p.ninputs != p.argc || strcmp(p.argv[p.first_input - 1], "--") != 0)
		abort();
	for (size_t i = 0; i < p.argc; i++)
		if (!p.argv[i])
			abort();
	for (size_t i = 0; i < p.ninputs; i++)
		if (strlen(p.sha256[i]) != 64 || !strcmp(p.argv[p.first_input + i], "-"))
			abort();
	chorus_replay_plan_free(&p);
	return 0;
}
