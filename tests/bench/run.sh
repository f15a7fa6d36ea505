#!/bin/sh
# run.sh [N] - generate N posts (default 1,000,000; ~250 bytes of text each)
# and print the scan benchmark for 1 and 2 threads, then the recall check on
# a 20,000-post sample.  BUILD (default build) is the build folder.
set -eu
cd "$(dirname "$0")/../.."
n=${1:-1000000}
build=${BUILD:-build}
dir=${BENCH_DIR:-/tmp/chorus-bench}
mkdir -p "$dir"
if [ ! -f "$dir/posts-$n.jsonl" ]; then
	"$build/chorus" synth --no-shared --seed 7 --posts "$n" --text-bytes 250 \
		-o "$dir/posts-$n.jsonl" --truth "$dir/posts-$n.truth.jsonl"
fi
echo "input: $dir/posts-$n.jsonl ($(wc -c <"$dir/posts-$n.jsonl") bytes)"
"$build/tests/bench_scan" "$dir/posts-$n.jsonl" --runs "${RUNS:-3}" --threads 1,2 \
	--cli "$build/chorus"
if [ ! -f "$dir/recall-20000.jsonl" ]; then
	"$build/chorus" synth --no-shared --seed 11 --posts 20000 --days 3 \
		-o "$dir/recall-20000.jsonl" --truth "$dir/recall-20000.truth.jsonl"
fi
"$build/tests/bench_recall" "$dir/recall-20000.jsonl"
