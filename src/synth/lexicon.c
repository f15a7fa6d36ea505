/*
 * lexicon.c - index the compiled-in word lists (lexicon_data.c, generated
 * from corpora/lexicon) into sections.
 *
 * Each language is one NULL-terminated array of lines: "[name]" opens a
 * section and the lines up to the next header are its entries, so a section
 * is a slice of the array and nothing is copied or allocated.  Every section
 * must be present and non-empty in every language, except the account-name
 * words, which only the English file holds and all languages share.
 */
#include <string.h>

#include "synth_int.h"

static const char *const section_names[SYNTH_SECTIONS] = {
	"noun", "verb", "adj", "adv", "func", "opener", "closer", "short",
	"pattern", "filler", "topic_noun", "topic_verb", "topic_adj",
	"camp_subject", "camp_predicate", "camp_fact", "camp_rhetoric", "camp_call",
	"camp_extra", "camp_hashtag", "person", "funder", "country", "amount_unit",
	"head_place", "head_event", "stock", "hashtag", "name",
	"handle_word", "troll_word"
};

static const char *const lang_codes[SYNTH_LANGS] = { "ru", "kk", "en" };

const char *synth_lang_code(int lang)
{
	return lang_codes[lang];
}

/* The section a "[name]" line opens, or -1. */
static int section_of(const char *line)
{
	size_t n = strlen(line);

	if (n < 3 || line[0] != '[' || line[n - 1] != ']')
		return -1;
	for (int s = 0; s < SYNTH_SECTIONS; s++)
		if (strlen(section_names[s]) == n - 2 && !memcmp(section_names[s], line + 1, n - 2))
			return s;
	return -1;
}

static int index_lang(synth_list *sec, const char *const *lines, chorus_error *err,
		      const char *code)
{
	int cur = -1;

	for (size_t i = 0; lines[i]; i++) {
		int s = section_of(lines[i]);
		if (s >= 0) {
			cur = s;
			sec[s].item = &lines[i + 1];
			sec[s].n = 0;
		} else if (lines[i][0] == '[' || cur < 0) {
			chorus_error_set(err, "", 0, "synth: lexicon %s: unknown section %s", code,
					 lines[i]);
			return CHORUS_ERR;
		} else {
			sec[cur].n++;
		}
	}
	return CHORUS_OK;
}

int synth_lexicon_init(synth_lexicon *lx, chorus_error *err)
{
	const char *const *data[SYNTH_LANGS] = {
		chorus_synth_lexicon_ru, chorus_synth_lexicon_kk, chorus_synth_lexicon_en
	};

	memset(lx, 0, sizeof *lx);
	for (int l = 0; l < SYNTH_LANGS; l++) {
		int rc = index_lang(lx->sec[l], data[l], err, lang_codes[l]);
		if (rc)
			return rc;
	}
	for (int l = 0; l < SYNTH_LANGS; l++)
		for (int s = 0; s < SYNTH_SECTIONS; s++) {
			if (s >= SEC_HANDLE_WORD && l != LANG_EN)
				lx->sec[l][s] = lx->sec[LANG_EN][s];
			if (lx->sec[l][s].n == 0) {
				chorus_error_set(err, "", 0, "synth: lexicon %s: section %s is empty",
						 lang_codes[l], section_names[s]);
				return CHORUS_ERR;
			}
		}
	return CHORUS_OK;
}
