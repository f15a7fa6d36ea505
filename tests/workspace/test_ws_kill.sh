#!/bin/sh
# A night killed (SIGKILL) at any point leaves the workspace exactly as it
# was: at each step of the night (CHORUS_WS_KILL_AT), after 1, some and
# all but one of the posts written (CHORUS_WS_KILL_AFTER_POSTS), and at
# random moments, the workspace's content (dump.py: every table, every
# row) must equal the content before the night -- or, for a random kill
# that came after the commit, the content after an undisturbed night.
# The night then runs to the end and gives that same content.
set -eu
. "$CHORUS_SOURCE/tests/workspace/lib.sh"
KILLS=${KILLS:-12}
T=2020-05-01T00:00:00Z

"$CHORUS" synth --no-shared --seed 5 --posts 6000 --days 4 --campaigns 6 \
	-o "$D/all.jsonl" 2>/dev/null || fail synth
nights "$D/all.jsonl" "$D/n"
"$CHORUS" init "$D/ws" 2>/dev/null || fail init
for n in 01 02 03; do
	"$CHORUS" scan --workspace "$D/ws" --progress none --fixed-time $T "$D/n$n.jsonl" \
		2>/dev/null || [ $? = 5 ] || fail "night $n"
done
dump "$D/ws" "$D/before"
cp -r "$D/ws" "$D/ref"
t0=$(date +%s%N)
"$CHORUS" scan --workspace "$D/ref" --progress none --fixed-time $T "$D/n04.jsonl" \
	2>/dev/null || [ $? = 5 ] || fail "reference night"
ms=$((($(date +%s%N) - t0) / 1000000 + 1))
dump "$D/ref" "$D/after"
cmp -s "$D/before" "$D/after" && fail "the night changed nothing"
posts=$(wc -l < "$D/n04.jsonl")

killed() { # KIND VALUE: run night 4 with the kill hook, expect it killed
	set +e
	env "$1=$2" "$CHORUS" scan --workspace "$D/ws" --progress none --fixed-time $T \
		"$D/n04.jsonl" 2>/dev/null
	st=$?
	set -e
	[ $st = 137 ] || fail "$1=$2: exit status $st, not killed"
	dump "$D/ws" "$D/now"
	cmp -s "$D/before" "$D/now" || fail "$1=$2: the workspace changed (diff $D/before $D/now)"
}

for at in store sign write match links groups evict commit; do
	killed CHORUS_WS_KILL_AT $at
done
for k in 1 100 $((posts / 2)) $((posts - 1)); do
	killed CHORUS_WS_KILL_AFTER_POSTS $k
done

# random moments over the night's length (measured above, plus 20%):
# before or after the commit, never in between
i=0 after=0
while [ $i -lt "$KILLS" ]; do
	i=$((i + 1))
	rm -rf "$D/rnd"
	cp -r "$D/ws" "$D/rnd"
	"$CHORUS" scan --workspace "$D/rnd" --progress none --fixed-time $T "$D/n04.jsonl" \
		2>/dev/null &
	pid=$!
	sleep "$(awk -v s=$i -v ms=$ms 'BEGIN { srand(s); printf "%.3f", rand() * ms * 1.2 / 1000 }')"
	kill -9 $pid 2>/dev/null || after=$((after + 1))
	wait $pid 2>/dev/null || true
	dump "$D/rnd" "$D/now"
	cmp -s "$D/now" "$D/before" || cmp -s "$D/now" "$D/after" ||
		fail "random kill $i: neither before nor after (diff $D/before $D/now)"
done
echo "random kills: $KILLS ($after after the run had ended)"

# the lock died with the killed runs: the night now runs through
"$CHORUS" scan --workspace "$D/ws" --progress none --fixed-time $T "$D/n04.jsonl" \
	2>/dev/null || [ $? = 5 ] || fail "night 4 after the kills"
dump "$D/ws" "$D/now"
cmp -s "$D/now" "$D/after" || fail "night 4 after the kills differs from an undisturbed one"
echo "ok"
