#!/bin/sh
# run_case.sh CHORUS CASE_DIR WORK_DIR - run one data-driven CLI case.
#
# A case folder holds:
#   cmd        shell words run from the case folder, with $CHORUS the program
#   status     expected exit status (default 0)
#   stdout     expected standard output, compared byte for byte (optional)
#   stderr     expected standard error, compared byte for byte (optional)
#   check      optional shell script run afterwards with $OUT, $ERR (files)
#              and $CASE; it fails the case by exiting non-zero
# The case's own files are the inputs; WORK_DIR receives the outputs.
set -u
CHORUS=$1
CASE=$2
WORK=$3
mkdir -p "$WORK"
OUT=$WORK/stdout
ERR=$WORK/stderr
export CHORUS CASE WORK OUT ERR
want=0
[ -f "$CASE/status" ] && want=$(cat "$CASE/status")
(cd "$CASE" && sh ./cmd) >"$OUT" 2>"$ERR"
got=$?
fail=0
if [ "$got" != "$want" ]; then
	echo "exit status $got, expected $want"; fail=1
fi
for s in stdout stderr; do
	if [ -f "$CASE/$s" ] && ! cmp -s "$CASE/$s" "$WORK/$s"; then
		echo "$s differs:"; diff "$CASE/$s" "$WORK/$s" | head -20; fail=1
	fi
done
if [ -f "$CASE/check" ] && ! (cd "$CASE" && sh ./check); then
	echo "check failed"; fail=1
fi
if [ $fail -ne 0 ]; then
	echo "--- stderr:"; head -c 2000 "$ERR"
fi
exit $fail
