#!/bin/sh
# test_http.sh - the collectors' HTTP client (src/collect/http.c) against the
# test server, through tests/collect/http_get.c: every misbehaviour mode
# ends as documented in http.h, secrets never leave their host nor reach
# the output, TLS is verified, the body cap is exact.
. "$CHORUS_SOURCE/tests/collect/lib.sh"

GET="${CHORUS_BUILD:-.}/tests/chorus_http_get"
[ -x "$GET" ] || fail "$GET is not built"
SECRET="S3CR3T-$$-tok"
CHORUS_TEST_AUTH="Bearer $SECRET"
CHORUS_TEST_BSKY_PASSWORD=$SECRET
export CHORUS_TEST_AUTH CHORUS_TEST_BSKY_PASSWORD
start_server --tls --posts 100
P="/api/v1/timelines/public?limit=2"
OUT="$CHORUS_TEST_DIR/out"
mkdir -p "$OUT"

# run NAME ARGS...: chorus_http_get ARGS into $OUT/NAME, exit status in $rc.
run() {
	name=$1
	shift
	"$GET" "$@" > "$OUT/$name" 2>&1
	rc=$?
}

field() {
	sed -n "s/^$2: //p" "$OUT/$1" | head -n 1
}

# expect NAME KEY VALUE
expect() {
	got=$(field "$1" "$2")
	[ "$got" = "$3" ] || fail "$1: $2 is '$got', expected '$3'
$(cat "$OUT/$1")"
}

# expect_in NAME TEXT: the output holds TEXT.
expect_in() {
	grep -F -e "$2" "$OUT/$1" > /dev/null || fail "$1: no '$2' in
$(cat "$OUT/$1")"
}

expect_rc() {
	[ "$rc" = "$1" ] || fail "exit status $rc, expected $1"
}

# A plain page; headers collected, keep-alive unharmed.
run ok "$BASE$P"
expect_rc 0
expect ok status 200
expect ok failure ok
expect ok rl_limit 300
expect_in ok 'rel="next"'
expect_in ok "url: $BASE$P"

# 429 with Retry-After in seconds and as an HTTP date: a response.
run r429s "$BASE/x/429s:1:7$P"
expect_rc 0
expect r429s status 429
expect r429s retry_after_secs 7
run r429d "$BASE/x/429d:1:30$P"
expect r429d status 429
secs=$(field r429d retry_after_secs)
[ "$secs" -ge 27 ] && [ "$secs" -le 30 ] || fail "429d: retry_after_secs $secs"
run r500 "$BASE/x/500:1$P"
expect_rc 0
expect r500 status 500

# A trickle ends at the low-speed limit; a cut body is truncated; an
# endless body stops at the cap.
t0=$(date +%s)
run trickle --low-speed 2 "$BASE/x/trickle$P"
t1=$(date +%s)
expect_rc 1
expect trickle failure timeout
[ $((t1 - t0)) -le 8 ] || fail "trickle took $((t1 - t0)) s"
run truncate "$BASE/x/truncate$P"
expect_rc 1
expect truncate failure truncated
expect truncate length 0
run endless --max-body 300000 "$BASE/x/endless$P"
expect_rc 1
expect endless failure toobig
expect_in endless "response body over 300000 bytes"

# Redirect loops and the hop limit.
run loop "$BASE/x/loop$P"
expect_rc 1
expect loop failure redirect
expect_in loop "redirect loop"
run loop2 "$BASE/x/loop2$P&case=a"
expect loop2 failure redirect
expect_in loop2 "redirect loop"
run loop2max --max-redirects 1 "$BASE/x/loop2$P&case=b"
expect loop2max failure redirect
expect_in loop2max "more than 1 redirects"

# Another host: followed without a credential, refused with one.
run offhost "$BASE/x/offhost$P&case=plain"
expect_rc 0
expect offhost status 200
expect offhost redirects 1
expect offhost url "http://localhost:$PORT$P&case=plain"
run offhost_secret --header-secret-env Authorization:CHORUS_TEST_AUTH "$BASE/x/offhost$P&case=secret"
expect_rc 1
expect offhost_secret failure redirect
expect_in offhost_secret "redirect from http://127.0.0.1:$PORT to http://localhost:$PORT refused: the request carries a credential"
# Same host: the credential is sent (so the check below means something).
run secret_sent --header-secret-env Authorization:CHORUS_TEST_AUTH "$BASE$P&case=sent"
expect secret_sent status 200
# Secrets in the URL are redacted in url and error.
run secret_query "$BASE/x/truncate$P&access_token=$SECRET&Sig=$SECRET"
expect secret_query failure truncated
expect_in secret_query "access_token=REDACTED&Sig=REDACTED"
run secret_userinfo "http://user:$SECRET@127.0.0.1:$PORT$P"
expect secret_userinfo status 200
expect secret_userinfo url "$BASE$P"
# A POST with the secret in its body (Bluesky login).
run post --post "{\"identifier\":\"t.bsky.social\",\"password\":\"$SECRET\"}" \
	"$BASE/xrpc/com.atproto.server.createSession"
expect post status 200
"$PYTHON3" - "$SERVER_LOG" "$SECRET" <<'EOF' || fail "the server log shows a leaked secret"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
secret = sys.argv[2]
local = [e for e in lines if e["headers"].get("Host", "").startswith("localhost")]
assert local, "no request reached localhost"
assert not any(secret in json.dumps(e) for e in local), "a secret reached localhost"
sent = [e for e in lines if e["path"].endswith("case=sent")]
assert sent and sent[0]["headers"].get("Authorization") == "Bearer " + secret
refused = [e for e in lines if e["path"].endswith("case=secret")]
assert len(refused) == 1, "the refused hop was requested"
EOF

# Policy: refused before any connection.
run policy "http://example.com/feed.rss"
expect_rc 1
expect policy failure policy
expect policy status 0
run policy_ftp "ftp://127.0.0.1:$PORT/"
expect policy_ftp failure policy
run policy_file "file:///etc/passwd"
expect policy_file failure policy

# TLS: the test CA is trusted only when given.
run tls --ca "$CA" "$TLSBASE$P"
expect_rc 0
expect tls status 200
run tls_untrusted "$TLSBASE$P"
expect_rc 1
expect tls_untrusted failure tls
run tls_localhost --ca "$CA" "https://localhost:$TLSPORT$P"
expect tls_localhost status 200

# The body cap is exact, with and without Content-Length.
for chunked in 0 1; do
	run cap_at --max-body 1000 "$BASE/blob?n=1000&chunked=$chunked"
	expect cap_at failure ok
	expect cap_at length 1000
	run cap_over --max-body 999 "$BASE/blob?n=1000&chunked=$chunked"
	expect cap_over failure toobig
done
run cap_empty --max-body 1 "$BASE/blob?n=0"
expect cap_empty failure ok
expect cap_empty length 0
expect cap_empty sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

# A response is a response: bad JSON, HTML, rate limits, 304.
run badjson "$BASE/x/badjson$P"
expect badjson status 200
run html "$BASE/x/html$P"
expect html content_type text/html
run ratelimit "$BASE/x/ratelimit:1:60$P"
expect ratelimit rl_remaining 0
run feed "$BASE/feeds/news.rss"
etag=$(field feed etag)
[ -n "$etag" ] && [ -n "$(field feed last_modified)" ] || fail "feed: no ETag or Last-Modified"
run feed304 --header "If-None-Match:$etag" "$BASE/feeds/news.rss"
expect feed304 status 304
expect feed304 length 0

# No output ever holds a secret.
if grep -l -F -e "$SECRET" "$OUT"/*; then
	fail "a secret is in the output above"
fi
echo "ok"
