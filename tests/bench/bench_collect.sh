#!/bin/sh
# bench_collect.sh [POSTS] - the collectors against the project's test
# server on 127.0.0.1 (tests/collect/server.py, POSTS posts per source,
# default 20000): wall time, pages/s and posts/s of `chorus collect`, the
# collector's own CPU time (user+sys: what is left when the server's time
# is taken out), the store's size, and `chorus import` of the store.
# Median of RUNS runs (default 3) after a warm-up; prints, never fails.
set -eu
cd "$(dirname "$0")/../.."
posts=${1:-20000}
runs=${RUNS:-3}
CHORUS=${CHORUS:-$PWD/build/chorus}
CHORUS_SOURCE=$PWD
CHORUS_TEST_DIR=${BENCH_DIR:-/tmp/chorus-bench-collect}
PYTHON3=${PYTHON3:-python3}
export CHORUS CHORUS_SOURCE CHORUS_TEST_DIR PYTHON3
. tests/collect/lib.sh
start_server --posts "$posts"
D=$CHORUS_TEST_DIR
J="$PYTHON3 tests/collect/journal.py"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# one SOURCE OPTS...: "wall cpu pages posts bytes" of one collection
one() {
	src=$1
	shift
	rm -rf "$D/st"
	/usr/bin/time -f "%e %U %S" -o "$D/time" "$CHORUS" collect "$src" --store "$D/st" \
		--delay-ms 0 --progress none "$@" 2>/dev/null
	read -r wall user sys < "$D/time"
	pages=$($J "$D/st" '"page" in r' | wc -l)
	n=$($J "$D/st" '"page" in r' 'r["page"]["posts"]' | awk '{ s += $1 } END { print s }')
	bytes=$(du -sb "$D/st" | cut -f1)
	echo "$wall $(echo "$user $sys" | awk '{ print $1 + $2 }') $pages $n $bytes"
}

bench() { # LABEL SOURCE OPTS...
	label=$1
	shift
	one "$@" > /dev/null # warm-up
	: > "$D/runs"
	i=0
	while [ $i -lt "$runs" ]; do
		one "$@" >> "$D/runs"
		i=$((i + 1))
	done
	wall=$(cut -d' ' -f1 "$D/runs" | median)
	cpu=$(cut -d' ' -f2 "$D/runs" | median)
	set -- $(tail -1 "$D/runs")
	pages=$3 n=$4 bytes=$5
	/usr/bin/time -f "%e" -o "$D/itime" "$CHORUS" import "$D/st" -o /dev/null 2>/dev/null
	itime=$(cat "$D/itime")
	awk -v l="$label" -v w="$wall" -v c="$cpu" -v p="$pages" -v n="$n" -v b="$bytes" -v it="$itime" 'BEGIN {
		printf "%-26s %6d pages %7d posts  %6.2f s  %7.0f pages/s %8.0f posts/s  chorus CPU %5.2f s (%4.0f us/page)  store %6.1f MB  import %5.2f s (%8.0f posts/s)\n",
			l, p, n, w, p / w, n / w, c, c / p * 1e6, b / 1e6, it, n / (it > 0 ? it : 0.001) }'
}

echo "test server: $posts posts per source; median of $runs runs after a warm-up"
bench "mastodon:public (40/page)" mastodon:public --instance "$BASE"
bench "telegram (20/page)" telegram:kibhr_news --base "$BASE"
CHORUS_BSKY_PASSWORD=bench CHORUS_BSKY_HANDLE=bench.test \
	bench "bluesky:search (100/page)" bluesky:search:kibhr --base "$BASE"
bench "feed (one document)" "feed:$BASE/feeds/news.rss"
