#!/bin/sh
# Every source, collected from the test server into stores: the posts read
# back from each store are exactly the server's (checked by paging the
# server's API independently, in Python), a second feed run is a
# conditional request answered 304, and a scan of the stores finds the
# planted campaign.
set -eu
. "$CHORUS_SOURCE/tests/collect/lib.sh"
export CHORUS_TEST_MASTODON_TOKEN=test-token-5f2c9a CHORUS_TEST_BSKY_PASSWORD=app-pass-77aa
start_server
D=$CHORUS_TEST_DIR
J="$PYTHON3 $CHORUS_SOURCE/tests/collect/journal.py"
printf '%s\n' "$CHORUS_TEST_MASTODON_TOKEN" > "$D/token"
printf '%s\n' "$CHORUS_TEST_BSKY_PASSWORD" > "$D/password"
chmod 600 "$D/token" "$D/password"

collect() { # STORE SOURCE [options]
	store=$1
	shift
	"$CHORUS" collect "$@" --store "$D/$store" --delay-ms 0 --progress log \
		2>> "$D/$store.log" || fail "collect $*: exit $? ($(tail -2 "$D/$store.log"))"
}

# How many posts the server has for a Mastodon timeline, by paging its API
# with Python (Link rel=next) - independent of chorus.
count_api() { # PATH
	"$PYTHON3" - "$BASE$1" <<'EOF'
import json, re, sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
url, ids = sys.argv[1], set()
while url:
    with opener.open(url, timeout=10) as r:
        page = json.load(r)
        link = r.headers.get("Link") or ""
    ids.update(s["id"] for s in page)
    m = re.search(r'<([^>]+)>;\s*rel="next"', link)
    url = m.group(1) if m and page else None
print(len(ids))
EOF
}

posts_in() { # STORE: posts chorus reads from it
	"$CHORUS" import "$D/$1" -o "$D/$1.jsonl" 2>> "$D/$1.log" || fail "import $1"
	wc -l < "$D/$1.jsonl" | tr -d ' '
}

collect pub mastodon:public --instance "$BASE" --page-size 40
n=$(posts_in pub)
want=$(count_api "/api/v1/timelines/public?limit=40")
[ "$n" = "$want" ] || fail "mastodon:public: $n posts read back, the server has $want"
pages=$($J "$D/pub" '"page" in r' | wc -l)
[ "$pages" -ge 10 ] || fail "mastodon:public: only $pages pages"
echo "mastodon:public: $n posts in $pages pages"

collect loc mastodon:local --instance "$BASE"
[ "$(posts_in loc)" = "$(count_api "/api/v1/timelines/public?local=true&limit=40")" ] ||
	fail "mastodon:local differs from the server"

collect tag mastodon:tag:kibhr --instance "$BASE" --page-size 5
n=$(posts_in tag)
[ "$n" = "$(count_api "/api/v1/timelines/tag/kibhr?limit=5")" ] || fail "mastodon:tag differs"
[ "$n" -gt 5 ] || fail "mastodon:tag: $n posts: paging not exercised"

acct=$(sed -n 's/.*"author_handle":"\([^"]*\)".*/\1/p' "$D/pub.jsonl" | head -1)
collect acc "mastodon:account:$acct" --instance "$BASE"
n=$(posts_in acc)
[ "$n" -gt 0 ] || fail "mastodon:account:$acct: no posts"
[ "$($J "$D/acc" '"page" in r and r["page"].get("lookup")' | wc -l)" = 1 ] ||
	fail "mastodon:account: the lookup is not recorded"
grep -q "\"author_handle\":\"$acct\"" "$D/acc.jsonl" || fail "mastodon:account: other authors"
[ "$(grep -vc "\"author_handle\":\"$acct\"" "$D/acc.jsonl")" = 0 ] || fail "mastodon:account: posts of other accounts"

collect srch mastodon:search:kibhr --instance "$BASE" --token-file "$D/token"
n=$(posts_in srch)
[ "$n" -gt 5 ] || fail "mastodon:search: $n posts"
# paged by max_id 5 at a time: the same posts, no duplicate, no gap
collect srch5 mastodon:search:kibhr --instance "$BASE" --token-file "$D/token" --page-size 5
[ "$(posts_in srch5)" = "$n" ] || fail "mastodon:search by 5: $(wc -l < "$D/srch5.jsonl") posts, $n by 40"
[ "$($J "$D/srch5" '"page" in r and "max_id=" in r["url"]' | wc -l)" -ge 2 ] || fail "mastodon:search: no max_id paging"

collect bss bluesky:search:kibhr --base "$BASE" --bsky-handle analyst.test --password-file "$D/password"
n=$(posts_in bss)
[ "$n" -gt 0 ] || fail "bluesky:search: no posts"
[ "$($J "$D/bss" 'r["kind"] == "session"' | wc -l)" -ge 1 ] || fail "bluesky: no session record"
handle=$(sed -n 's/.*"author_handle":"\([^"]*\)".*/\1/p' "$D/bss.jsonl" | head -1)
collect bsa "bluesky:author:$handle" --base "$BASE" --page-size 3
n=$(posts_in bsa)
[ "$n" -gt 0 ] || fail "bluesky:author:$handle: no posts"

collect rss "feed:$BASE/feeds/news.rss"
n=$(posts_in rss)
[ "$n" -gt 0 ] || fail "feed rss: no posts"
collect rss "feed:$BASE/feeds/news.rss"
[ "$($J "$D/rss" 'r["kind"] == "response" and r["status"] == 304' | wc -l)" = 1 ] ||
	fail "feed: the second run was not answered 304"
grep -q '"If-None-Match"\|"if-none-match"' "$SERVER_LOG" || fail "feed: no If-None-Match sent"
[ "$(posts_in rss)" = "$n" ] || fail "feed: the 304 changed the posts"
collect atom "feed:$BASE/feeds/news.atom"
[ "$(posts_in atom)" -gt 0 ] || fail "feed atom: no posts"

collect tg telegram:kibhr_news --base "$BASE"
n=$(posts_in tg)
pages=$($J "$D/tg" '"page" in r' | wc -l)
[ "$pages" -gt 5 ] || fail "telegram: $pages pages: paging (before=) not exercised"
[ "$($J "$D/tg" '"page" in r and "before=" in r["url"]' | wc -l)" = $((pages - 1)) ] ||
	fail "telegram: pages after the first must use before="
echo "telegram: $n posts in $pages pages"

# --since stops the paging early; --since and --until bound the posts read.
collect tgr telegram:kibhr_news --base "$BASE" --since 2020-04-28T12:00:00Z --until 2020-04-29T12:00:00Z
pr=$($J "$D/tgr" '"page" in r' | wc -l)
[ "$pr" -lt "$pages" ] || fail "telegram --since: $pr pages, as many as without it"
n=$(posts_in tgr)
[ "$n" -gt 0 ] || fail "telegram --since/--until: no posts"
"$PYTHON3" - "$D/tgr.jsonl" <<'EOF' || fail "telegram --since/--until: a post outside the range"
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    t = json.loads(line)["created_at"]
    assert "2020-04-28T12:00:00" <= t < "2020-04-29T12:00:00", t
EOF
grep -q "outside the time range" "$D/tgr.log" || fail "telegram --since/--until: nothing dropped?"
echo "telegram --since/--until: $n posts in $pr pages"

# The stores feed a scan directly; the planted campaign is found.
"$CHORUS" scan "$D/pub" "$D/tg" "$D/rss" "$D/bss" --json "$D/scan.json" --progress none \
	2> "$D/scan.log" || fail "scan of the stores failed: $(cat "$D/scan.log")"
big=$("$PYTHON3" -c 'import json,sys; print(max([len(c["accounts"]) for c in json.load(open(sys.argv[1]))["clusters"]] or [0]))' "$D/scan.json")
[ "$big" -ge 10 ] || fail "scan of the collected stores: largest cluster has $big accounts"
echo "scan of the stores: largest cluster $big accounts"

# Every post is traceable to a kept body whose SHA-256 is its file name.
"$PYTHON3" - "$D/tg.jsonl" <<'EOF' || fail "a post's source body does not match its hash"
import hashlib, json, os, sys
for line in open(sys.argv[1], encoding="utf-8"):
    p = json.loads(line)
    src = p["source"]
    name = os.path.basename(src)[:-4]
    assert hashlib.sha256(open(src, "rb").read()).hexdigest() == name, src
EOF
echo ok
