#!/bin/sh
# What `chorus collect` does when the server misbehaves (tests/collect/
# README.md, /x/MODE/ paths): each case checks the exit status, the message
# and what the store records.
set -eu
. "$CHORUS_SOURCE/tests/collect/lib.sh"
export CHORUS_TEST_MASTODON_TOKEN=fault-token-9d1e
start_server
D=$CHORUS_TEST_DIR
J="$PYTHON3 $CHORUS_SOURCE/tests/collect/journal.py"
printf '%s\n' "$CHORUS_TEST_MASTODON_TOKEN" > "$D/token"
chmod 600 "$D/token"

# run NAME MODE [options]: collect mastodon:tag:kibhr through /x/MODE/;
# sets $rc, the log in $D/NAME.log.
run() {
	name=$1 mode=$2
	shift 2
	rc=0
	"$CHORUS" collect mastodon:tag:kibhr --instance "$BASE/x/$mode" --store "$D/$name" \
		--delay-ms 0 --progress log --page-size 10 "$@" 2> "$D/$name.log" || rc=$?
}
expect_rc() { [ "$rc" = "$1" ] || fail "$name: exit $rc, expected $1: $(tail -3 "$D/$name.log")"; }
expect_log() { grep -q "$1" "$D/$name.log" || fail "$name: no '$1' in: $(cat "$D/$name.log")"; }
count() { $J "$D/$1" "$2" | wc -l | tr -d ' '; }

# The reference: the same collection with a server that behaves.
"$CHORUS" collect mastodon:tag:kibhr --instance "$BASE" --store "$D/ref" --delay-ms 0 \
	--progress none --page-size 10 2> "$D/ref.log" || fail "reference run"
"$CHORUS" import "$D/ref" -o "$D/ref.jsonl" 2>/dev/null
same_posts() { # NAME: the posts equal the reference's (sources aside)
	"$CHORUS" import "$D/$1" -o "$D/$1.jsonl" 2>/dev/null || fail "$1: import"
	sed 's/"source":"[^"]*",//' "$D/$1.jsonl" > "$D/$1.cmp"
	sed 's/"source":"[^"]*",//' "$D/ref.jsonl" > "$D/ref.cmp"
	cmp -s "$D/$1.cmp" "$D/ref.cmp" || fail "$1: the posts differ from an undisturbed run"
}

# 429 with Retry-After in seconds, twice: two pauses recorded, then done.
run r429s 429s:2:1
expect_rc 0
[ "$(count r429s 'r["kind"] == "gap" and "429" in r["reason"]')" = 2 ] || fail "429s: gaps"
[ "$(count r429s 'r["kind"] == "response" and r["status"] == 429')" = 2 ] || fail "429s: responses kept"
expect_log "HTTP 429 Too Many Requests (Retry-After): waiting 1 s"
same_posts r429s

# 429 with Retry-After as an HTTP date, 2 s ahead.
run r429d 429d:1:2
expect_rc 0
secs=$($J "$D/r429d" 'r["kind"] == "gap"' 'r["seconds"]')
[ "$secs" -ge 1 ] && [ "$secs" -le 3 ] || fail "429d: paused $secs s"
same_posts r429d

# 429 without Retry-After (Mastodon): wait for X-RateLimit-Reset.
run r429r 429r:1:2
expect_rc 0
expect_log "(rate limit reset): waiting"
secs=$($J "$D/r429r" 'r["kind"] == "gap"' 'r["seconds"]')
[ "$secs" -ge 1 ] && [ "$secs" -le 3 ] || fail "429r: paused $secs s"
same_posts r429r

# 500 twice: backed off 1 s then 2 s, then done.
run r500 500:2
expect_rc 0
[ "$($J "$D/r500" 'r["kind"] == "gap"' 'r["seconds"]' | tr '\n' ' ')" = "1 2 " ] ||
	fail "500: back-off steps $($J "$D/r500" 'r["kind"] == "gap"' 'r["seconds"]' | tr '\n' ' ')"
same_posts r500

# 500 for ever: gives up after --retries, exit 1, store readable, resumable.
run r500x 500:99 --retries 2
expect_rc 1
expect_log "gave up after 3 attempts: HTTP 500"
[ "$(count r500x 'r["kind"] == "run" and r.get("status") == "failed"')" = 1 ] || fail "500x: no failed run record"

# Bad JSON and an HTML page where JSON was expected: kept as received,
# marked rejected, retried.
run rbad badjson
expect_rc 0
[ "$(count rbad 'r.get("rejected") == "HTTP 200 but the body is not valid JSON"')" = 1 ] || fail "badjson: not recorded"
same_posts rbad
run rhtml html
expect_rc 0
[ "$(count rhtml 'r.get("rejected") == "HTTP 200 but an HTML page where JSON was expected"')" = 1 ] || fail "html: not recorded"
same_posts rhtml

# A slow trickle ends at the low-speed limit; a body cut short is retried.
t0=$(date +%s)
run rtrickle trickle --low-speed-time 2 --retries 0
expect_rc 1
[ $(( $(date +%s) - t0 )) -le 10 ] || fail "trickle: took too long"
expect_log "gave up after 1 attempt: timed out"
[ "$(count rtrickle 'r["kind"] == "error"')" = 1 ] || fail "trickle: no error record"
run rtrunc truncate
expect_rc 0
[ "$(count rtrunc 'r["kind"] == "error"')" = 1 ] || fail "truncate: no error record"
same_posts rtrunc

# An endless body stops at --max-response: no retry can help.
run rendless endless --max-response 100000
expect_rc 1
expect_log "100000"

# Redirect loops.
run rloop loop
expect_rc 1
run rloop2 loop2
expect_rc 1

# A redirect to another host: followed without credentials, refused with.
run roff offhost
expect_rc 0
server_control control/reset POST >/dev/null
run rofftok offhost --token-file "$D/token"
expect_rc 1
if grep '"localhost' "$SERVER_LOG" | grep -q "$CHORUS_TEST_MASTODON_TOKEN"; then
	fail "offhost: the token reached the other host"
fi

# The server says its rate limit is used up: wait for the reset first.
run rlimit ratelimit:1:2
expect_rc 0
[ "$(count rlimit 'r["kind"] == "gap" and "rate limit" in r["reason"]')" = 1 ] || fail "ratelimit: no pause"
same_posts rlimit

# A pause longer than --max-wait: checkpoint, exit 4; a plain re-run is
# refused; --resume finishes with the same posts.
run rwait 429s:1:600 --max-wait 5s
expect_rc 4
expect_log "over --max-wait"
[ "$(count rwait 'r["kind"] == "gap" and r.get("stopped")')" = 1 ] || fail "max-wait: no gap record"
run rwait 429s:1:600 --max-wait 5s
expect_rc 2
expect_log "did not finish"
run rwait 429s:1:600 --max-wait 5s --resume
expect_rc 0
same_posts rwait

# Nothing secret anywhere.
if grep -r "$CHORUS_TEST_MASTODON_TOKEN" "$D"/r* "$D"/ref* >/dev/null 2>&1; then
	fail "the token appears in a log or a store"
fi
echo ok
