#!/bin/sh
# run-tests.sh - the project's test command (README and .ci/run call it).
#
# 1. Release build with warnings as errors; ctest.
# 2. AddressSanitizer + UndefinedBehaviorSanitizer build; ctest again.
# Build folders: build-test/ and build-asan/ (override with BUILD_DIR_PREFIX).
set -eu
cd "$(dirname "$0")/.."
prefix=${BUILD_DIR_PREFIX:-build}
jobs=$(nproc 2>/dev/null || echo 2)

echo "== release build (-Werror)"
cmake -S . -B "$prefix-test" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHORUS_WERROR=ON >/dev/null
cmake --build "$prefix-test" -j "$jobs"
ctest --test-dir "$prefix-test" --output-on-failure -j "$jobs"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
cmake -S . -B "$prefix-asan" -DCMAKE_BUILD_TYPE=Debug -DCHORUS_WERROR=ON -DCHORUS_SANITIZE=ON >/dev/null
cmake --build "$prefix-asan" -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir "$prefix-asan" --output-on-failure -j "$jobs"
