#!/bin/sh
# bench_import.sh [N] - records per second of every reader on a large
# generated file (N records, default 200,000, ~200 bytes of text each),
# next to the canonical JSON Lines reader: `chorus import -o /dev/null`,
# one warm-up, then the median of RUNS (default 3) runs.  BUILD (default
# build) is the build folder; files go to DIR (default /tmp/chorus-bench).
# Prints figures; never fails a build.
set -eu
cd "$(dirname "$0")/../.."
n=${1:-200000}
build=${BUILD:-build}
dir=${DIR:-/tmp/chorus-bench}
runs=${RUNS:-3}
mkdir -p "$dir"
text="Так называемое бюро по правам человека снова получает иностранные гранты и очерняет страну перед западными спонсорами"

gen() { # gen FORMAT FILE
	awk -v n="$n" -v fmt="$1" -v text="$text" 'BEGIN {
		t0 = 1588000000
		if (fmt == "telegram") print "{\"name\":\"bench\",\"type\":\"public_channel\",\"id\":1,\"messages\":["
		if (fmt == "mastodon" || fmt == "bluesky") print (fmt == "bluesky" ? "{\"feed\":[" : "[")
		if (fmt == "twitter-io") print "tweetid,userid,user_screen_name,tweet_text,tweet_time,is_retweet,retweet_tweetid,in_reply_to_tweetid,tweet_language"
		if (fmt == "cnt") print "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls"
		for (i = 0; i < n; i++) {
			t = t0 + i; sep = (i + 1 < n) ? "," : ""
			if (fmt == "jsonl")
				printf "{\"id\":\"%d\",\"author\":\"u%d\",\"text\":\"%s %d\",\"created_at\":%d}\n", i, i % 5000, text, i, t
			else if (fmt == "twitter-v1.1")
				printf "{\"created_at\":\"Tue Apr 28 09:14:05 +0000 2020\",\"id_str\":\"%d\",\"text\":\"%s %d\",\"lang\":\"ru\",\"user\":{\"id_str\":\"%d\",\"screen_name\":\"user%d\"}}\n", i, text, i, i % 5000, i % 5000
			else if (fmt == "twitter-v2") {
				if (i % 100 == 0) printf "{\"data\":["
				printf "{\"id\":\"%d\",\"author_id\":\"%d\",\"text\":\"%s %d\",\"created_at\":\"2020-04-28T09:14:05.000Z\"}%s", i, i % 5000, text, i, (i % 100 == 99 || i + 1 == n) ? "" : ","
				if (i % 100 == 99 || i + 1 == n) printf "],\"includes\":{\"users\":[{\"id\":\"1\",\"username\":\"one\"}]},\"meta\":{}}\n"
			} else if (fmt == "telegram")
				printf "  {\n   \"id\": %d,\n   \"type\": \"message\",\n   \"date_unixtime\": \"%d\",\n   \"from\": \"User\",\n   \"from_id\": \"user%d\",\n   \"text\": [\"%s\", {\"type\": \"bold\", \"text\": \"%d\"}]\n  }%s\n", i, t, i % 5000, text, i, sep
			else if (fmt == "mastodon")
				printf "{\"id\":\"%d\",\"uri\":\"https://m.example/s/%d\",\"created_at\":\"2020-04-28T09:14:05.000Z\",\"content\":\"<p>%s &amp; %d</p>\",\"account\":{\"acct\":\"u%d\",\"url\":\"https://m.example/@u%d\"}}%s\n", i, i, text, i, i % 5000, i % 5000, sep
			else if (fmt == "bluesky")
				printf "{\"post\":{\"uri\":\"at://did:plc:u%d/app.bsky.feed.post/%d\",\"author\":{\"did\":\"did:plc:u%d\",\"handle\":\"u%d.bsky.social\"},\"record\":{\"text\":\"%s %d\",\"createdAt\":\"2020-04-28T09:14:05.000Z\"},\"indexedAt\":\"2020-04-28T09:14:06.000Z\"}}%s\n", i % 5000, i, i % 5000, i % 5000, text, i, sep
			else if (fmt == "twitter-io")
				printf "%d,%d,user%d,\"%s, %d\",2020-04-28 09:14,False,,,ru\n", i, i % 5000, i % 5000, text, i
			else if (fmt == "cnt")
				printf "m%d,u%d,user%d,,,\"%s, %d\",%d,\n", i, i % 5000, i % 5000, text, i, t
		}
		if (fmt == "telegram") print "]}"
		if (fmt == "mastodon") print "]"
		if (fmt == "bluesky") print "]}"
	}' > "$2"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf "%-14s %10s %10s %12s %8s\n" format records MB records/s MB/s
for f in jsonl twitter-v1.1 twitter-v2 telegram mastodon bluesky twitter-io cnt; do
	file="$dir/import-$f-$n"
	[ -f "$file" ] || gen "$f" "$file"
	"$build/chorus" import --format "$f" -o /dev/null "$file" 2>/dev/null
	secs=$(for r in $(seq "$runs"); do
		s=$(date +%s.%N)
		"$build/chorus" import --format "$f" -o /dev/null "$file" 2>/dev/null
		e=$(date +%s.%N)
		echo "$e - $s" | bc
	done | median)
	mb=$(echo "scale=1; $(wc -c < "$file") / 1000000" | bc)
	printf "%-14s %10d %10s %12.0f %8.1f\n" "$f" "$n" "$mb" "$(echo "$n / $secs" | bc -l)" \
		"$(echo "$mb / $secs" | bc -l)"
done
echo "(chorus import: read, check, write canonical JSON Lines to /dev/null; $(nproc) threads)"
