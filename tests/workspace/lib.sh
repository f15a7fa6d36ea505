# lib.sh - helpers for the workspace test scripts (POSIX sh).  Source it.
# ctest sets CHORUS, PYTHON3, CHORUS_SOURCE, CHORUS_TEST_DIR
# (tests/CMakeLists.txt).  Exit status 77 means skipped.

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

: "${CHORUS_SOURCE:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${CHORUS_TEST_DIR:=${TMPDIR:-/tmp}/chorus-ws-test.$$}"
: "${PYTHON3:=python3}"
case $PYTHON3 in
*NOTFOUND*|'') PYTHON3=python3 ;;
esac
"$PYTHON3" -c 'import sqlite3' 2>/dev/null || skip "python3 with sqlite3 is not installed"
rm -rf "$CHORUS_TEST_DIR"
mkdir -p "$CHORUS_TEST_DIR"
D=$CHORUS_TEST_DIR

# dump WS OUT: the workspace's content, canonical (dump.py)
dump() {
	"$PYTHON3" "$CHORUS_SOURCE/tests/workspace/dump.py" "$1" > "$2" || fail "dump $1"
}

# nights FILE PREFIX: cut a time-ordered corpus into one file per day,
# PREFIX01.jsonl, PREFIX02.jsonl, ... (by the day of created_at)
nights() {
	awk -v p="$2" '{
		d = $0; sub(/.*"created_at":"[0-9]+-[0-9]+-/, "", d); d = substr(d, 1, 2)
		print > (p d ".jsonl")
	}' "$1"
}
