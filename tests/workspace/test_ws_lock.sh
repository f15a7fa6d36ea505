#!/bin/sh
# Concurrent runs on one workspace are refused at once with a clear
# message, never a wait: another chorus run (the flock on WORKSPACE/lock),
# or any other SQLite writer holding the file (BEGIN IMMEDIATE busy).
set -eu
. "$CHORUS_SOURCE/tests/workspace/lib.sh"
command -v flock >/dev/null || skip "flock(1) is not installed"
"$CHORUS" synth --no-shared --seed 5 --posts 300 --days 2 -o "$D/p.jsonl" 2>/dev/null
"$CHORUS" init "$D/ws" 2>/dev/null || fail init

# another chorus run: the lock file is held
flock -o "$D/ws/lock" sleep 5 &
holder=$!
sleep 0.5
start=$(date +%s)
set +e
"$CHORUS" scan --workspace "$D/ws" --progress none "$D/p.jsonl" 2> "$D/err1"
st=$?
set -e
kill $holder 2>/dev/null || true
wait $holder 2>/dev/null || true
[ $st = 1 ] || fail "held lock: exit status $st, not 1"
grep -q "workspace in use by another run (pid " "$D/err1" || fail "held lock: $(cat "$D/err1")"
[ $(($(date +%s) - start)) -le 2 ] || fail "held lock: the run waited"

# another SQLite writer: the database is locked
"$PYTHON3" - "$D/ws/workspace.sqlite" <<'PY' &
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
open(sys.argv[1] + ".held", "w").close()
time.sleep(5)
con.execute("ROLLBACK")
PY
holder=$!
i=0
while [ ! -f "$D/ws/workspace.sqlite.held" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
start=$(date +%s)
set +e
"$CHORUS" scan --workspace "$D/ws" --progress none "$D/p.jsonl" 2> "$D/err2"
st=$?
set -e
kill $holder 2>/dev/null || true
wait $holder 2>/dev/null || true
[ $st = 1 ] || fail "SQLite writer: exit status $st, not 1"
grep -q "workspace in use by another run (the database is locked)" "$D/err2" ||
	fail "SQLite writer: $(cat "$D/err2")"
[ $(($(date +%s) - start)) -le 2 ] || fail "SQLite writer: the run waited"

# free again: the night runs
"$CHORUS" scan --workspace "$D/ws" --progress none "$D/p.jsonl" 2>/dev/null || [ $? = 5 ] ||
	fail "the night after the holders left"
echo ok
