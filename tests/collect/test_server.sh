#!/bin/sh
# test_server.sh - the test HTTP server itself (tests/collect/server.py):
# Mastodon paging visits every status once and ends without a next link;
# Bluesky sessions, expiry, refresh and cursors; feeds answer 304 to their
# ETag and Last-Modified; Telegram pages walk back to message 1; every
# misbehaviour mode does what README.md says; the data is deterministic and
# holds a campaign that chorus scan finds.
. "$CHORUS_SOURCE/tests/collect/lib.sh"

CHORUS_TEST_MASTODON_TOKEN=masto-test-token
CHORUS_TEST_BSKY_PASSWORD=app-pass-1234
CHORUS_TEST_BSKY_TTL=5
export CHORUS_TEST_MASTODON_TOKEN CHORUS_TEST_BSKY_PASSWORD CHORUS_TEST_BSKY_TTL
start_server --tls --posts 300

"$PYTHON3" - "$BASE" "$TLSBASE" "$CA" "$CHORUS_TEST_DIR" <<'EOF' || fail "server checks failed"
import email.utils, http.client, json, re, socket, ssl, sys, time, urllib.parse
import xml.etree.ElementTree as ET

BASE, TLSBASE, CA, DIR = sys.argv[1:5]
HOST, PORT = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port
failures = checks = 0

def check(cond, what):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print("FAIL:", what, file=sys.stderr)

def get(url, headers=None, method="GET", body=None, timeout=10):
    """(status, headers dict lower-case, body bytes); no redirects followed."""
    sp = urllib.parse.urlsplit(url)
    if sp.scheme == "https":
        ctx = ssl.create_default_context(cafile=CA)
        c = http.client.HTTPSConnection(sp.hostname, sp.port, timeout=timeout, context=ctx)
    else:
        c = http.client.HTTPConnection(sp.hostname, sp.port, timeout=timeout)
    target = sp.path + ("?" + sp.query if sp.query else "")
    c.request(method, target, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    h = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, h, data

def next_link(link):
    m = re.search(r'<([^>]*)>;\s*rel="next"', link or "")
    return m.group(1) if m else None

# -- Mastodon ------------------------------------------------------------
def walk(url, headers=None):
    ids, pages = [], 0
    while url:
        st, h, body = get(url, headers)
        check(st == 200, "mastodon page %s: %d" % (url, st))
        page = json.loads(body)
        ids += [s["id"] for s in page]
        if page:
            check('rel="prev"' in h.get("link", ""), "prev link on a page")
        url = next_link(h.get("link"))
        pages += 1
        check(pages < 100, "too many pages")
        if pages >= 100:
            break
    return ids, pages

ids, pages = walk(BASE + "/api/v1/timelines/public?limit=40")
check(len(ids) == len(set(ids)), "public timeline: a status seen twice")
check([int(i) for i in ids] == sorted((int(i) for i in ids), reverse=True), "public timeline: not newest first")
check(250 < len(ids) <= 300, "public timeline: %d statuses" % len(ids))
st, h, body = get(BASE + "/api/v1/timelines/public?limit=40&max_id=" + ids[-1])
check(st == 200 and json.loads(body) == [] and "link" not in h, "past the end: empty, no Link")
st, h, body = get(BASE + "/api/v1/timelines/public?limit=100")
check(len(json.loads(body)) == 40, "limit is capped at 40")
st, h, body = get(BASE + "/api/v1/timelines/public")
page = json.loads(body)
check(len(page) == 20, "default limit 20")
s = page[0]
for k in ("id", "created_at", "content", "url", "uri", "account", "reblog", "visibility", "language", "in_reply_to_id"):
    check(k in s, "status field " + k)
check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", s["created_at"]) is not None, "created_at format")
check(s["content"].startswith("<p>"), "HTML content")
for k in ("id", "username", "acct", "display_name", "created_at", "url"):
    check(k in s["account"], "account field " + k)
check(int(h["x-ratelimit-remaining"]) <= 300 and h["x-ratelimit-limit"] == "300" and h["x-ratelimit-reset"].endswith("Z"), "X-RateLimit headers")
r1 = int(h["x-ratelimit-remaining"])
st, h, body = get(BASE + "/api/v1/timelines/public?limit=1")
check(int(h["x-ratelimit-remaining"]) == r1 - 1, "X-RateLimit-Remaining decrements")
# min_id: the statuses just after it, newest first; since_id: the newest.
mid = ids[100]
st, h, body = get(BASE + "/api/v1/timelines/public?limit=5&min_id=" + mid)
check([x["id"] for x in json.loads(body)] == ids[95:100], "min_id paging")
st, h, body = get(BASE + "/api/v1/timelines/public?limit=5&since_id=" + mid)
check([x["id"] for x in json.loads(body)] == ids[0:5], "since_id paging")
# hashtag timeline, account lookup and statuses with reblogs
tag_ids, _ = walk(BASE + "/api/v1/timelines/tag/kibhr?limit=40")
check(len(tag_ids) >= 5 and len(tag_ids) == len(set(tag_ids)), "tag timeline: %d" % len(tag_ids))
st, h, body = get(BASE + "/api/v1/timelines/tag/KIBHR?limit=40")
check(json.loads(body)[0]["id"] == tag_ids[0], "tag names ignore case")
st, h, body = get(BASE + "/api/v1/accounts/lookup?acct=" + s["account"]["acct"])
check(st == 200 and json.loads(body)["id"] == s["account"]["id"], "account lookup")
st, h, body = get(BASE + "/api/v1/accounts/lookup?acct=nobody_here")
check(st == 404 and json.loads(body)["error"] == "Record not found", "unknown account 404")
reblogs = 0
for acc in {x["account"]["id"] for x in json.loads(get(BASE + "/api/v1/timelines/public?limit=40")[2])}:
    acc_ids, _ = walk(BASE + "/api/v1/accounts/%s/statuses?limit=40" % acc)
    st, h, body = get(BASE + "/api/v1/accounts/%s/statuses?limit=40" % acc)
    reblogs += sum(1 for x in json.loads(body) if x["reblog"])
st, h, body = get(BASE + "/api/v1/accounts/999/statuses")
check(st == 404, "unknown account statuses 404")
check(reblogs > 0, "some account statuses are reblogs")
# authorisation
st, h, body = get(BASE + "/api/v1/timelines/public", {"Authorization": "Bearer wrong"})
check(st == 401 and json.loads(body) == {"error": "The access token is invalid"}, "bad Mastodon token 401")
st, h, body = get(BASE + "/api/v1/timelines/public", {"Authorization": "Bearer masto-test-token"})
check(st == 200, "good Mastodon token")
# search: offset paging, which needs a token
st, h, body = get(BASE + "/api/v2/search?q=%D0%B1%D1%8E%D1%80%D0%BE&type=statuses&offset=0")
check(st == 401, "search offset without a token 401")
hits, off = [], 0
while True:
    st, h, body = get(BASE + "/api/v2/search?q=%D0%B1%D1%8E%D1%80%D0%BE&type=statuses&limit=5&offset=" + str(off),
                      {"Authorization": "Bearer masto-test-token"})
    page = json.loads(body)["statuses"]
    hits += [x["id"] for x in page]
    off += 5
    if len(page) < 5:
        break
check(len(hits) >= 10 and len(set(hits)) == len(hits), "search paging: %d hits" % len(hits))

# -- Bluesky -------------------------------------------------------------
X = BASE + "/xrpc/"
st, h, body = get(X + "com.atproto.server.createSession", {"Content-Type": "application/json"}, "POST",
                  json.dumps({"identifier": "tester.bsky.social", "password": "wrong"}))
check(st == 401 and json.loads(body) == {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, "bad password 401")
st, h, body = get(X + "com.atproto.server.createSession", {"Content-Type": "application/json"}, "POST",
                  json.dumps({"identifier": "tester.bsky.social", "password": "app-pass-1234"}))
sess = json.loads(body)
check(st == 200 and all(k in sess for k in ("accessJwt", "refreshJwt", "handle", "did")), "createSession")
auth = {"Authorization": "Bearer " + sess["accessJwt"]}
st, h, body = get(X + "app.bsky.feed.searchPosts?q=kibhr")
check(st == 401, "searchPosts needs a token")
uris, cursor, calls = [], None, 0
while True:
    url = X + "app.bsky.feed.searchPosts?q=kibhr&limit=4&sort=latest" + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
    st, h, body = get(url, auth)
    calls += 1
    if st == 400 and json.loads(body)["error"] == "ExpiredToken":
        check(calls == 6, "token expires after TTL=5 uses (call %d)" % calls)
        st, h, body = get(X + "com.atproto.server.refreshSession", {"Authorization": "Bearer " + sess["refreshJwt"]}, "POST")
        check(st == 200, "refreshSession")
        old_refresh, sess = sess["refreshJwt"], json.loads(body)
        auth = {"Authorization": "Bearer " + sess["accessJwt"]}
        st, h, body = get(X + "com.atproto.server.refreshSession", {"Authorization": "Bearer " + old_refresh}, "POST")
        check(st == 400, "a used refresh token is refused")
        continue
    check(st == 200, "searchPosts %d" % st)
    check(all(k in h for k in ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy")), "RateLimit headers")
    d = json.loads(body)
    for p in d["posts"]:
        check(p["uri"].startswith("at://did:plc:") and "/app.bsky.feed.post/" in p["uri"], "post uri")
        check(p["record"]["$type"] == "app.bsky.feed.post" and "kibhr" in p["record"]["text"].lower(), "post record")
    uris += [p["uri"] for p in d["posts"]]
    cursor = d.get("cursor")
    if not cursor:
        break
check(len(uris) >= 8 and len(uris) == len(set(uris)), "searchPosts cursor paging: %d" % len(uris))
actor = None
st, h, body = get(X + "com.atproto.server.createSession", {"Content-Type": "application/json"}, "POST",
                  json.dumps({"identifier": "tester.bsky.social", "password": "app-pass-1234"}))
auth = {"Authorization": "Bearer " + json.loads(body)["accessJwt"]}
st, h, body = get(X + "app.bsky.feed.searchPosts?q=%D0%B8&limit=100", auth)
reposts = 0
for handle in sorted({p["author"]["handle"] for p in json.loads(body)["posts"]})[:40]:
    seen, cursor = [], None
    while True:
        st, h, body = get(X + "app.bsky.feed.getAuthorFeed?limit=3&actor=" + handle + ("&cursor=" + urllib.parse.quote(cursor) if cursor else ""))
        check(st == 200, "getAuthorFeed %d" % st)
        d = json.loads(body)
        for item in d["feed"]:
            if "reason" in item:
                reposts += 1
                check(item["reason"]["$type"] == "app.bsky.feed.defs#reasonRepost", "repost reason")
            seen.append((item["post"]["uri"], item.get("reason", {}).get("indexedAt")))
        cursor = d.get("cursor")
        if not cursor:
            break
    check(len(seen) == len(set(seen)), "author feed: an item seen twice")
check(reposts > 0, "author feeds have reposts")

# -- Feeds ---------------------------------------------------------------
for path, root in (("/feeds/news.rss", "rss"), ("/feeds/news.atom", "{http://www.w3.org/2005/Atom}feed")):
    st, h, body = get(BASE + path)
    check(st == 200 and ET.fromstring(body).tag == root, path + " parses")
    etag, lm = h["etag"], h["last-modified"]
    check(etag.startswith('"') and not etag.startswith("W/"), "strong ETag")
    st, h2, body2 = get(BASE + path, {"If-None-Match": etag})
    check(st == 304 and body2 == b"" and h2["etag"] == etag, path + " 304 on If-None-Match")
    st, _, _ = get(BASE + path, {"If-None-Match": '"other"'})
    check(st == 200, path + " 200 on another ETag")
    st, _, _ = get(BASE + path, {"If-Modified-Since": lm})
    check(st == 304, path + " 304 on If-Modified-Since")
    st, _, _ = get(BASE + path, {"If-Modified-Since": "Mon, 27 Apr 2020 00:00:00 GMT"})
    check(st == 200, path + " 200 when modified since")
rss = ET.fromstring(get(BASE + "/feeds/news.rss")[2])
items = rss.findall("./channel/item")
check(len(items) == 300, "rss items %d" % len(items))
check(all(i.find("guid") is not None and i.find("pubDate") is not None for i in items), "rss guid and pubDate")
check(any(i.find("{http://purl.org/dc/elements/1.1/}creator") is not None for i in items), "rss dc:creator")
check(any("&laquo;" in (i.find("description").text or "") for i in items), "rss description HTML entities")
st, h, body = get(BASE + "/feeds/xxe.rss")
check(b'<!ENTITY xxe SYSTEM "file:///etc/passwd">' in body and b"&lol9;" in body, "xxe feed")

# -- Telegram ------------------------------------------------------------
seen, url, pages, alltext = [], BASE + "/s/kibhr_watch", 0, ""
while url:
    st, h, body = get(url)
    text = body.decode()
    alltext += text
    check(st == 200 and "tgme_channel_history" in text, "telegram page")
    ids = [int(x) for x in re.findall(r'data-post="kibhr_watch/(\d+)"', text)]
    check(ids == sorted(ids) and len(ids) <= 20, "telegram page oldest first")
    if pages == 0:
        check(len(ids) == 20 and ids[-1] == 300, "first page holds the newest 20")
    seen += ids
    m = re.search(r'class="tme_messages_more js-messages_more" data-before="(\d+)"', text)
    m2 = re.search(r'href="(/s/kibhr_watch\?before=\d+)"', text)
    check((m is None) == (m2 is None), "more link")
    if m:
        check(int(m.group(1)) == ids[0], "data-before is the first id on the page")
    url = BASE + m2.group(1) if m2 else None
    pages += 1
check(sorted(seen) == list(range(1, 301)), "telegram: every message once")
text = get(BASE + "/s/kibhr_watch?before=100")[2].decode()
check(re.findall(r'data-post="kibhr_watch/(\d+)"', text) == [str(i) for i in range(80, 100)], "before=100")
check("tgme_widget_message_forwarded_from_name" in alltext and 'class="emoji"' in alltext
      and "service_message" in alltext and "<br/>" in alltext, "forwards, emoji, service messages, line breaks")
check(alltext.count("бюро") >= 1, "the campaign reached the channel")

# -- misbehaviour --------------------------------------------------------
P = "/api/v1/timelines/public?limit=2"
st, h, _ = get(BASE + "/x/429s:2:7" + P)
check(st == 429 and h["retry-after"] == "7", "429s")
st, h, _ = get(BASE + "/x/429s:2:7" + P)
check(st == 429, "429s second")
st, h, _ = get(BASE + "/x/429s:2:7" + P)
check(st == 200 and next_link(h["link"]).startswith(BASE + "/api/v1/timelines/public?"), "429s then normal, Link on the plain path")
st, h, _ = get(BASE + "/x/429d:1:30" + P)
secs = email.utils.parsedate_to_datetime(h["retry-after"]).timestamp() - time.time()
check(st == 429 and 25 < secs <= 31, "429d")
st, _, _ = get(BASE + "/x/500:1" + P)
check(st == 500, "500")
check(get(BASE + "/x/500:1" + P)[0] == 200, "500 then normal")
st, h, _ = get(BASE + "/x/loop" + P)
check(st == 302 and h["location"] == BASE + "/x/loop" + P, "loop")
st, h, _ = get(BASE + "/x/loop2" + P)
check(st == 302 and h["location"] == "/x/loop2b" + P, "loop2 A->B")
st, h, _ = get(BASE + h["location"])
check(st == 302 and h["location"] == "/x/loop2" + P, "loop2 B->A")
st, h, _ = get(BASE + "/x/offhost" + P, {"Authorization": "Bearer masto-test-token"})
check(st == 302 and h["location"] == "http://localhost:%d%s" % (PORT, P), "offhost")
st, h, body = get(BASE + "/x/badjson" + P)
try:
    json.loads(body)
    check(False, "badjson parses")
except ValueError:
    check(st == 200 and h["content-type"].startswith("application/json"), "badjson")
st, h, body = get(BASE + "/x/html" + P)
check(st == 200 and body == b"<html><body>502 Bad Gateway</body></html>", "html")
st, h, body = get(BASE + "/x/ratelimit:1:60/xrpc/app.bsky.feed.getAuthorFeed?actor=x")
check(h["x-ratelimit-remaining"] == "0" and h["ratelimit-remaining"] == "0"
      and 55 < int(h["ratelimit-reset"]) - time.time() <= 61, "ratelimit")
t0 = time.time()
st, _, _ = get(BASE + "/x/slowpage:1:400" + P)
check(st == 200 and time.time() - t0 >= 0.4, "slowpage")
st, _, _ = get(BASE + "/x/bogus:1" + P)
check(st == 400, "unknown mode 400")

def raw(path, want):
    """Send a request on a socket; read until want bytes, close or 3 s."""
    s = socket.create_connection((HOST, PORT), timeout=3)
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % (path, PORT)).encode())
    data, t0 = b"", time.time()
    try:
        while len(data) < want and time.time() - t0 < 3:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except socket.timeout:
        pass
    s.close()
    return data, time.time() - t0

data, _ = raw("/x/truncate" + P, 10**6)
head, _, body = data.partition(b"\r\n\r\n")
check(b"Content-Length: 1000" in head and len(body) == 100, "truncate: %d bytes" % len(body))
data, took = raw("/x/endless" + P, 2 * 10**6)
check(b"Transfer-Encoding: chunked" in data[:500] and len(data) >= 2 * 10**6 and took < 3, "endless")
data, took = raw("/x/trickle" + P, 10**6)
head, _, body = data.partition(b"\r\n\r\n")
check(b"200 OK" in head and 1 <= len(body) <= 4, "trickle: %d bytes in %.1f s" % (len(body), took))

# -- control, log, TLS, blob ---------------------------------------------
log = [json.loads(l) for l in get(BASE + "/control/log")[2].decode().splitlines()]
check(any(e["path"] == "/x/offhost" + P and e["headers"].get("Authorization") == "Bearer masto-test-token"
          and e["method"] == "GET" for e in log), "the log holds requests and their headers")
check(not any(e["path"].startswith("/control/") for e in log), "control requests are not logged")
check(len(open(DIR + "/server.log").read().splitlines()) >= len(log), "--log file")
check(get(BASE + "/control/reset", method="POST")[0] == 200, "reset")
check(get(BASE + "/control/log")[2] == b"", "reset clears the log")
check(get(BASE + "/x/500:1" + P)[0] == 500, "reset clears the mode counters")
st, h, body = get(TLSBASE + "/api/v1/timelines/public?limit=1")
check(st == 200 and next_link(h["link"]).startswith(TLSBASE), "TLS listener")
st, h, body = get(BASE + "/blob?n=12345")
check(st == 200 and len(body) == 12345, "blob")
st, h, body = get(BASE + "/blob?n=5000&chunked=1")
check(st == 200 and len(body) == 5000 and h.get("transfer-encoding") == "chunked", "chunked blob")

# -- keep-alive: several requests on one connection ----------------------
c = http.client.HTTPConnection(HOST, PORT, timeout=5)
for _ in range(3):
    c.request("GET", "/feeds/news.atom")
    r = c.getresponse()
    check(r.status == 200 and len(r.read()) > 1000, "keep-alive")
c.close()

# -- collected data for chorus scan --------------------------------------
statuses = []
url = BASE + "/api/v1/timelines/public?limit=40"
while url:
    st, h, body = get(url)
    statuses += json.loads(body)
    url = next_link(h.get("link"))
with open(DIR + "/mastodon.json", "w") as f:
    json.dump(statuses, f, ensure_ascii=False)
print("%d checks, %d failed" % (checks, failures))
sys.exit(1 if failures else 0)
EOF

# The same seed gives the same bytes; another seed other bytes.
page() {
	"$PYTHON3" -c 'import sys,urllib.request as u; sys.stdout.write(u.build_opener(u.ProxyHandler({})).open(sys.argv[1]).read().decode())' "$1"
}
a=$(page "$BASE/api/v1/timelines/public?limit=40")
b=$(page "$BASE/api/v1/timelines/public?limit=40")
[ "$a" = "$b" ] || fail "the same request gave different data"
first_port=$PORT
main_dir=$CHORUS_TEST_DIR
stop_server
CHORUS_TEST_DIR=$main_dir.seed
start_server --posts 300
c=$(page "$BASE/api/v1/timelines/public?limit=40" | sed "s/127.0.0.1:$PORT/127.0.0.1:$first_port/g")
[ "$a" = "$c" ] || fail "the same seed gave different data in another run"
stop_server
start_server --posts 300 --seed 2
d=$(page "$BASE/api/v1/timelines/public?limit=40" | sed "s/127.0.0.1:$PORT/127.0.0.1:$first_port/g")
[ "$a" != "$d" ] || fail "another seed gave the same data"
stop_server
rm -rf "$CHORUS_TEST_DIR"
CHORUS_TEST_DIR=$main_dir

# The campaign in the data is what chorus finds.
if [ -x "${CHORUS:-}" ]; then
	"$CHORUS" scan --format mastodon "$CHORUS_TEST_DIR/mastodon.json" \
		--json "$CHORUS_TEST_DIR/scan.json" 2> "$CHORUS_TEST_DIR/scan.err" ||
		fail "chorus scan failed: $(cat "$CHORUS_TEST_DIR/scan.err")"
	"$PYTHON3" -c '
import json, sys
r = json.load(open(sys.argv[1]))
sizes = sorted((len(c["accounts"]) for c in r["clusters"]), reverse=True)
sys.exit(0 if sizes and sizes[0] >= 10 else 1)' "$CHORUS_TEST_DIR/scan.json" ||
		fail "chorus scan found no campaign of 10+ accounts in the served statuses"
fi
echo "ok"
