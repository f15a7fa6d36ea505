#!/bin/sh
# sweep.sh - detection quality of chorus scan over parameter settings.
#
#   sh tests/eval/sweep.sh [CONFIG...]
#
# Generates SEEDS (default "1 2 3") synthetic corpora of POSTS (default
# 100,000) posts with the default 40 campaigns per 100,000 posts, scans each
# with every CONFIG (a quoted list of scan options; default: the sweep used
# for README "How the defaults were chosen") and prints one Markdown table
# row per CONFIG over the seeds: campaign recall (found / planted, pooled),
# campaign recall of the disguised and heavy tiers (pooled), post precision
# and recall and B-cubed F1 (means over the seeds), false clusters and posts
# of hard negatives flagged (totals).
# Generated text only (--no-shared) unless SHARED=1, so the figures are the
# same on any machine.  BUILD (default build) is the build folder; corpora
# are kept in DIR (default /tmp/chorus-eval) between runs.
set -eu
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
dir=${DIR:-/tmp/chorus-eval}
posts=${POSTS:-100000}
seeds=${SEEDS:-1 2 3}
shared=--no-shared
tag=gen
if [ "${SHARED:-0}" = 1 ]; then shared=; tag=shared; fi
mkdir -p "$dir"

for s in $seeds; do
	c="$dir/$tag-$posts-$s"
	[ -f "$c.jsonl" ] || "$build/chorus" synth $shared --seed "$s" --posts "$posts" \
		-o "$c.jsonl" --truth "$c.truth.jsonl"
done

if [ $# -eq 0 ]; then
	set -- "" \
		"--threshold 0.3" "--threshold 0.4" "--threshold 0.5" "--threshold 0.6" "--threshold 0.7" \
		"--shingle word:2 --threshold 0.5 --min-content 6" \
		"--shingle word:2 --threshold 0.3" "--shingle word:3 --threshold 0.5" \
		"--shingle char:4 --threshold 0.5" "--shingle char:4 --threshold 0.4" \
		"--shingle char:5 --threshold 0.4" \
		"--window 1d" "--window 3d" "--min-accounts 4" "--min-accounts 6" \
		"--min-content 5" "--min-content 6" "--min-content 10" \
		"--perms 64 --bands 16" "--perms 256 --bands 64"
fi

# Pull "key": number out of chorus eval --json (one line).
field() { sed -n "s/.*\"$1\": \\([0-9.]*\\).*/\\1/p"; }
tier() { sed -n "s/.*\"$1\": {\"items\": \\([0-9]*\\), \"found\": \\([0-9]*\\).*/\\1 \\2/p"; }

echo "| options | campaign recall | disguised | heavy | post precision | post recall | B-cubed F1 | false clusters | hard-negative posts flagged |"
echo "|---|---|---|---|---|---|---|---|---|"
for cfg in "$@"; do
	tot="0 0 0 0 0 0 0 0 0 0 0 0"
	for s in $seeds; do
		c="$dir/$tag-$posts-$s"
		# shellcheck disable=SC2086
		"$build/chorus" scan --progress none $cfg --json "$c.report.json" "$c.jsonl"
		j=$("$build/chorus" eval --json --truth "$c.truth.jsonl" "$c.report.json")
		row=$(echo "$j" | sed -n 's/.*"campaigns": \([0-9]*\), "found": \([0-9]*\).*/\1 \2/p')
		row="$row $(echo "$j" | tier disguised) $(echo "$j" | tier heavy)"
		row="$row $(echo "$j" | field post_precision) $(echo "$j" | field post_recall)"
		row="$row $(echo "$j" | field bcubed_f1) $(echo "$j" | field false_clusters)"
		row="$row $(echo "$j" | field hard_negative_posts_flagged) 1"
		tot=$(echo "$tot $row" | awk '{ for (i = 1; i <= 12; i++) printf "%s ", $i + $(i + 12); print "" }')
	done
	echo "$tot" | awk -v cfg="${cfg:-(defaults)}" '{
		n = $12
		printf "| `%s` | %.3f (%d/%d) | %.3f | %.3f | %.4f | %.4f | %.4f | %d | %d |\n",
			cfg, $2 / $1, $2, $1, $4 / $3, $6 / $5, $7 / n, $8 / n, $9 / n, $10, $11 }'
done
