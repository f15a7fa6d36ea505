#!/bin/sh
# Secrets and transport: tokens and passwords come from 0600 files or the
# environment and appear nowhere (store, logs, errors); Bluesky sessions
# are refreshed when the access token expires, and their tokens are never
# kept; TLS is verified (a test CA through --ca-bundle); plain http only to
# loopback.
set -eu
. "$CHORUS_SOURCE/tests/collect/lib.sh"
export CHORUS_TEST_MASTODON_TOKEN=secret-token-31e7c0 CHORUS_TEST_BSKY_PASSWORD=secret-pass-c4d2
export CHORUS_TEST_BSKY_TTL=2
start_server --tls
D=$CHORUS_TEST_DIR
J="$PYTHON3 $CHORUS_SOURCE/tests/collect/journal.py"
C() { "$CHORUS" collect "$@" --delay-ms 0 --progress log; }

# A secret file others can read is refused before any request.
printf '%s\n' "$CHORUS_TEST_MASTODON_TOKEN" > "$D/token"
chmod 644 "$D/token"
rc=0
C mastodon:search:kibhr --instance "$BASE" --store "$D/s0" --token-file "$D/token" 2> "$D/s0.log" || rc=$?
[ $rc = 2 ] || fail "a 0644 token file: exit $rc"
grep -q "can be read by others (mode 0644): chmod 600" "$D/s0.log" || fail "0644: $(cat "$D/s0.log")"
[ ! -e "$D/s0" ] || fail "0644: a store was made"
chmod 600 "$D/token"
C mastodon:search:kibhr --instance "$BASE" --store "$D/s1" --token-file "$D/token" 2> "$D/s1.log" ||
	fail "token file: $(cat "$D/s1.log")"
CHORUS_MASTODON_TOKEN=$CHORUS_TEST_MASTODON_TOKEN \
	C mastodon:search:kibhr --instance "$BASE" --store "$D/s2" 2> "$D/s2.log" || fail "token from the environment"
grep -q "Authorization" "$SERVER_LOG" || fail "no Authorization header reached the server"

# A wrong token: refused by the server, exit 1, the token not quoted.
rc=0
CHORUS_MASTODON_TOKEN=wrong-token-0000 \
	C mastodon:search:kibhr --instance "$BASE" --store "$D/s3" 2> "$D/s3.log" || rc=$?
[ $rc = 1 ] || fail "wrong token: exit $rc"
grep -q "HTTP 401: access refused" "$D/s3.log" || fail "wrong token: $(cat "$D/s3.log")"
! grep -rq "wrong-token-0000" "$D/s3.log" "$D/s3" || fail "the wrong token was written"

# Bluesky: login, the access token expires every 2 requests, refreshed.
printf '%s\n' "$CHORUS_TEST_BSKY_PASSWORD" > "$D/password"
chmod 600 "$D/password"
C bluesky:search:kibhr --base "$BASE" --bsky-handle analyst.test --password-file "$D/password" \
	--page-size 5 --store "$D/b1" 2> "$D/b1.log" || fail "bluesky: $(cat "$D/b1.log")"
[ "$($J "$D/b1" 'r["kind"] == "session" and r["event"] == "refreshed"' | wc -l)" -ge 1 ] ||
	fail "bluesky: the session was never refreshed"
[ "$($J "$D/b1" '"page" in r' | wc -l)" -ge 3 ] || fail "bluesky: fewer than 3 pages"
rc=0
CHORUS_BSKY_PASSWORD=wrong-pass-1111 C bluesky:search:kibhr --base "$BASE" --bsky-handle analyst.test \
	--store "$D/b2" 2> "$D/b2.log" || rc=$?
[ $rc = 1 ] || fail "bluesky wrong password: exit $rc"
grep -q "Bluesky login failed: HTTP 401" "$D/b2.log" || fail "bluesky wrong password: $(cat "$D/b2.log")"

# No secret anywhere: neither the token, the passwords, nor any session
# token the server handed out (read from its request log).
"$PYTHON3" - "$SERVER_LOG" > "$D/secrets" <<'EOF'
import json, sys
seen = set()
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    for k, v in r.get("headers", {}).items():
        if k.lower() == "authorization" and v.startswith("Bearer "):
            seen.add(v[7:])
print("\n".join(sorted(seen)))
EOF
echo "$CHORUS_TEST_MASTODON_TOKEN
$CHORUS_TEST_BSKY_PASSWORD
wrong-pass-1111" >> "$D/secrets"
[ "$(wc -l < "$D/secrets")" -ge 5 ] || fail "too few secrets seen in the server log"
for f in "$D"/s1 "$D"/s2 "$D"/s3 "$D"/b1 "$D"/b2 "$D"/*.log; do
	case $f in */server.log) continue ;; esac
	if grep -rqF -f "$D/secrets" "$f"; then
		fail "a secret was written in $f"
	fi
done

# TLS: verified against the test CA; without it the same URL fails.
C telegram:kibhr_news --base "$TLSBASE" --ca-bundle "$CA" --max-pages 2 --store "$D/t1" \
	2> "$D/t1.log" || fail "TLS with the test CA: $(cat "$D/t1.log")"
rc=0
C telegram:kibhr_news --base "$TLSBASE" --max-pages 2 --store "$D/t2" 2> "$D/t2.log" || rc=$?
[ $rc = 1 ] || fail "TLS without the CA: exit $rc"
grep -qi "certificate\|TLS" "$D/t2.log" || fail "TLS without the CA: $(cat "$D/t2.log")"

# Plain http is for loopback (and feeds the user lists as http) only.
rc=0
C mastodon:public --instance http://example.com --store "$D/h1" 2> "$D/h1.log" || rc=$?
[ $rc = 2 ] || fail "http to example.com: exit $rc"
[ ! -e "$D/h1" ] || fail "http to example.com: a store was made"
rc=0
C mastodon:public --instance ftp://127.0.0.1 --store "$D/h2" 2> "$D/h2.log" || rc=$?
[ $rc = 2 ] || fail "ftp: exit $rc"
echo ok
