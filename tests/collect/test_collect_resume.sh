#!/bin/sh
# Kill and resume: a collection killed (SIGKILL) at random moments many
# times and resumed each time ends with the same pages, in the same order,
# and the same posts as one uninterrupted run: no duplicate, no gap.  Also:
# SIGTERM checkpoints and exits 130; a torn journal line is dropped with a
# warning; damage before the last line stops the run; a second run on a
# store in use is refused.
set -eu
. "$CHORUS_SOURCE/tests/collect/lib.sh"
start_server
D=$CHORUS_TEST_DIR
J="$PYTHON3 $CHORUS_SOURCE/tests/collect/journal.py"
KILLS=${KILLS:-25}

pages() { $J "$1" '"page" in r' 'r["url"] + " " + r["sha256"]'; }
posts() { # STORE OUT: the posts, without the store's own path
	"$CHORUS" import "$1" -o "$2.tmp" 2>/dev/null || fail "import $1"
	sed 's/"source":"[^"]*\/bodies\//"source":"bodies\//' "$2.tmp" > "$2"
}

for src in mastodon:public telegram:kibhr_news; do
	name=$(echo "$src" | tr : _)
	"$CHORUS" collect "$src" --base "$BASE" --store "$D/$name.ref" --page-size 10 \
		--delay-ms 0 --progress none 2>/dev/null || fail "$src: reference run"
	pages "$D/$name.ref" > "$D/$name.ref.pages"
	n=$(wc -l < "$D/$name.ref.pages")

	# Killed at random moments (requests paced 30 ms apart, kills 0-150 ms
	# in), resumed until a run finishes.
	kills=0 runs=0 done=
	while [ -z "$done" ]; do
		runs=$((runs + 1))
		[ $runs -le 400 ] || fail "$src: no finished run after 400 tries"
		"$CHORUS" collect "$src" --base "$BASE" --store "$D/$name" --page-size 10 \
			--delay-ms 30 --progress none --resume 2>> "$D/$name.log" &
		pid=$!
		if [ $kills -lt "$KILLS" ]; then
			sleep "0.$(awk -v s="$runs$kills" 'BEGIN { srand(s); printf "%03d", int(rand() * 150) }')"
			if kill -9 $pid 2>/dev/null; then
				kills=$((kills + 1))
			fi
		fi
		rc=0
		wait $pid || rc=$?
		[ $rc = 0 ] && done=1
		[ $rc = 0 ] || [ $rc = 137 ] || fail "$src: run $runs exit $rc: $(tail -2 "$D/$name.log")"
	done
	pages "$D/$name" > "$D/$name.pages"
	cmp -s "$D/$name.pages" "$D/$name.ref.pages" ||
		fail "$src: after $kills kills the pages differ from one run ($(wc -l < "$D/$name.pages") vs $n)"
	posts "$D/$name.ref" "$D/$name.ref.posts"
	posts "$D/$name" "$D/$name.posts"
	cmp -s "$D/$name.posts" "$D/$name.ref.posts" || fail "$src: the posts differ"
	torn=$(grep -c "torn last record" "$D/$name.log" || true)
	echo "$src: $n pages; $kills kills in $runs runs ($torn torn records dropped): same pages and posts"
done

# SIGTERM: checkpoint, exit 130, then --resume finishes the same pages.
"$CHORUS" collect telegram:kibhr_news --base "$BASE" --store "$D/term" --page-size 10 \
	--delay-ms 200 --progress none 2> "$D/term.log" &
pid=$!
sleep 1
kill -TERM $pid
rc=0
wait $pid || rc=$?
[ $rc = 130 ] || fail "SIGTERM: exit $rc"
grep -q "interrupted" "$D/term.log" || fail "SIGTERM: no message"
"$CHORUS" collect telegram:kibhr_news --base "$BASE" --store "$D/term" --page-size 10 \
	--delay-ms 0 --progress none --resume 2>> "$D/term.log" || fail "resume after SIGTERM"
pages "$D/term" | cmp -s - "$D/telegram_kibhr_news.ref.pages" || fail "SIGTERM: pages differ"

# A second run on a store in use is refused.
"$CHORUS" collect telegram:kibhr_news --base "$BASE" --store "$D/busy" --page-size 10 \
	--delay-ms 300 --progress none 2>/dev/null &
pid=$!
sleep 0.5
rc=0
"$CHORUS" collect telegram:kibhr_news --base "$BASE" --store "$D/busy" --resume \
	--progress none 2> "$D/busy.log" || rc=$?
kill $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
[ $rc = 1 ] || fail "a store in use: exit $rc"
grep -q "in use: another chorus run (pid $pid)" "$D/busy.log" || fail "in use: $(cat "$D/busy.log")"

# A torn last line (a cut-off run) is dropped with a warning; a damaged
# line before the last stops the run and names the file and line.
cp -r "$D/term" "$D/torn"
printf '{"seq":999,"kind":"respo' >> "$D/torn/journal.jsonl"
"$CHORUS" collect telegram:kibhr_news --base "$BASE" --store "$D/torn" --progress none \
	--resume 2> "$D/torn.log" || fail "torn: exit $?"
grep -q "journal.jsonl:[0-9]*: torn last record dropped" "$D/torn.log" || fail "torn: $(cat "$D/torn.log")"
"$CHORUS" import "$D/torn" -o /dev/null 2>/dev/null || fail "torn: not readable after the repair"
cp -r "$D/term" "$D/damaged"
sed -i '3s/.*/{"seq":3,"kind":/' "$D/damaged/journal.jsonl"
rc=0
"$CHORUS" collect telegram:kibhr_news --base "$BASE" --store "$D/damaged" --progress none \
	--resume 2> "$D/damaged.log" || rc=$?
[ $rc = 1 ] || fail "damaged: exit $rc"
grep -q "damaged/journal.jsonl:3: damaged record" "$D/damaged.log" || fail "damaged: $(cat "$D/damaged.log")"
rc=0
"$CHORUS" scan "$D/damaged" --progress none > /dev/null 2> "$D/damaged-scan.log" || rc=$?
[ $rc = 1 ] || fail "damaged: scan exit $rc"
grep -q "journal.jsonl:3: damaged record" "$D/damaged-scan.log" || fail "damaged scan: $(cat "$D/damaged-scan.log")"
echo ok
