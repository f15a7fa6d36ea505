/*
 * chorus/models.h - versioned data the detector loads from models/.
 *
 * Layout of the models folder (see models/README.md):
 *   VERSION                 one line, the models version ("2026.11-1")
 *   kk/suffixes.txt         Kazakh inflectional suffixes, one per line
 * Loaded once, read-only afterwards, safe to share between threads.
 */
#ifndef CHORUS_MODELS_H
#define CHORUS_MODELS_H

#include "chorus/error.h"

typedef struct chorus_models chorus_models;

/* Load from dir; when dir is NULL try $CHORUS_MODELS, then the source tree's
 * models/ (compiled in), then <prefix>/share/chorus/models. */
int chorus_models_load(chorus_models **out, const char *dir, chorus_error *err);
void chorus_models_free(chorus_models *m);
const char *chorus_models_dir(const chorus_models *m);
const char *chorus_models_version(const chorus_models *m);

#endif
