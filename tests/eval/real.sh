#!/bin/sh
# real.sh - what chorus flags on the real data in ../shared/corpora.
#
#   sh tests/eval/real.sh [SCAN OPTION...]
#
# Converts the 12 Russian Telegram news channels (telegram-ru/*.json) to
# canonical JSON Lines with jq (their format is not a Telegram export, so no
# chorus reader applies), imports the Twitter v1.1 file and the twarc2 flat
# file with `chorus import`, scans each at the defaults (plus any options
# given) and prints the counts and every cluster: posts, accounts, span,
# similarity and the start of its template.  Needs jq; skips cleanly when
# the shared corpora are absent.  SHARED (default ../shared) and BUILD
# (default build) as in the other scripts; work files go to DIR (default
# /tmp/chorus-real).
set -eu
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
shared=${SHARED:-../shared}/corpora
dir=${DIR:-/tmp/chorus-real}
if [ ! -d "$shared/telegram-ru" ]; then
	echo "real.sh: $shared not found; nothing to measure"; exit 0
fi
command -v jq >/dev/null || { echo "real.sh: needs jq"; exit 0; }
mkdir -p "$dir"

# Telegram: the channel is the author; the post id is channel:message.
for f in "$shared"/telegram-ru/*_messages.json; do
	jq -c '.[] | select((.text // "") != "") | {id: "\(.sender_id):\(.message_id)",
		author: (.sender_id | tostring), text, created_at: .date, platform: "telegram"}' "$f"
done > "$dir/telegram.jsonl"
# Twitter v1.1 and twarc2: read by chorus itself (formats detected).
"$build/chorus" import "$shared/formats/twitter-v1.1/2016-10-10.json" \
	-o "$dir/twitter-v1.1.jsonl" 2>/dev/null
"$build/chorus" import "$shared/formats/twarc2/flat.jsonl" -o "$dir/twarc2.jsonl" 2>/dev/null

for c in telegram twitter-v1.1 twarc2; do
	"$build/chorus" scan --progress none "$@" --json "$dir/$c.json" "$dir/$c.jsonl"
	jq -r --arg c "$c" '"\n## \($c): \(.counts.posts) posts, \(.counts.reposts_left_out) reposts and \(.counts.short_left_out) short posts left out, \(.counts.verified_pairs) verified pairs, \(.counts.groups) groups, \(.counts.slow_groups_left_out) slow groups left out, \(.counts.clusters) clusters",
		(.clusters[] | "- \(.id): \(.posts | length) posts, \(.accounts | length) accounts (burst \(.burst_accounts)), span \(.span_seconds / 3600 * 10 | floor / 10) h, similarity \(.similarity.min)-\(.similarity.median)-\(.similarity.max): \(.template | gsub("\\s+"; " ") | .[0:110])")' "$dir/$c.json"
done
