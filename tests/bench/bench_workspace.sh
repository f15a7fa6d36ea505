#!/bin/sh
# bench_workspace.sh [N] [D] [M] - a nightly scan of N new posts (default
# 100,000) against a workspace holding D days (default 30) of M posts
# (default 1,000,000): wall time and peak memory of
# `chorus scan --workspace`, one warm-up, then the median of RUNS (default
# 3) runs, each on a fresh copy of the held workspace, with the time of
# every step (--progress log).  The issue's full size is
# `bench_workspace.sh 1000000 30 10000000`.
#
# The held workspace is built once (and kept in DIR, default
# /tmp/chorus-bench) from `chorus synth` (M posts over D days, ~250 bytes
# of text each) added night by night, one day per night; the new night is
# another synth corpus of N posts over the day after.  BUILD (default
# build) is the build folder, THREADS (default: all cores) the threads.
# Prints figures; never fails a build.
set -eu
cd "$(dirname "$0")/../.."
n=${1:-100000}
days=${2:-30}
m=${3:-1000000}
build=${BUILD:-build}
dir=${DIR:-/tmp/chorus-bench}
runs=${RUNS:-3}
threads=${THREADS:-0}
chorus=$(cd "$build" && pwd)/chorus
held=$dir/ws-held-$days-$m
new=$dir/ws-new-$n-after-$days.jsonl
mkdir -p "$dir"
export CHORUS_MODELS=${CHORUS_MODELS:-$(pwd)/models}

start=2020-04-01T00:00:00Z
after=$(date -u -d "2020-04-01 + $days days" +%Y-%m-%dT00:00:00Z)

if [ ! -f "$held/done" ]; then
	echo "building the held workspace: $m posts over $days days, one night per day"
	rm -rf "$held" "$held.nights"
	mkdir -p "$held.nights"
	"$chorus" synth --no-shared --seed 21 --posts "$m" --days "$days" --start $start \
		--text-bytes 250 -o "$held.nights/all.jsonl"
	awk -v p="$held.nights/" '{
		d = $0; sub(/.*"created_at":"/, "", d); d = substr(d, 1, 10)
		print > (p d ".jsonl")
	}' "$held.nights/all.jsonl"
	rm "$held.nights/all.jsonl"
	"$chorus" init "$held" 2>/dev/null
	t0=$(date +%s)
	for f in "$held.nights"/*.jsonl; do
		"$chorus" scan --workspace "$held" --progress none --threads "$threads" "$f" \
			2>/dev/null || [ $? = 5 ]
	done
	echo "held workspace built in $(($(date +%s) - t0)) s ($days nights)"
	rm -rf "$held.nights"
	touch "$held/done"
fi
if [ ! -f "$new" ]; then
	"$chorus" synth --no-shared --seed 22 --posts "$n" --days 1 --start "$after" \
		--text-bytes 250 -o "$new"
fi

echo "held: $m posts over $days days, workspace.sqlite $(($(stat -c %s "$held/workspace.sqlite") / 1048576)) MiB"
echo "night: $n new posts ($(($(stat -c %s "$new") / 1048576)) MiB of JSON Lines), threads: $threads (0 = all)"

times=
mems=
i=0
while [ $i -le "$runs" ]; do
	rm -rf "$dir/ws-run"
	cp -r "$held" "$dir/ws-run"
	sync
	/usr/bin/time -f "%e %M" -o "$dir/ws-run.time" "$chorus" scan --workspace "$dir/ws-run" \
		--progress log --threads "$threads" "$new" 2> "$dir/ws-run.log" || [ $? = 5 ]
	read -r secs kib <<EOF
$(tail -1 "$dir/ws-run.time")
EOF
	if [ $i -gt 0 ]; then # run 0 is the warm-up
		times="$times $secs"
		mems="$mems $kib"
		grep -E "done at" "$dir/ws-run.log" > "$dir/ws-run.$i.steps" || true
	fi
	i=$((i + 1))
done
median() {
	echo "$@" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
echo "runs (s):$times"
echo "median wall time: $(median $times) s"
echo "median peak memory: $(($(median $mems) / 1024)) MiB"
echo "steps of the last run (cumulative seconds):"
sed 's/^chorus: /  /' "$dir/ws-run.$runs.steps"
grep -E "night [0-9]+:" "$dir/ws-run.log" | sed 's/^chorus: /  /'
rm -rf "$dir/ws-run"
