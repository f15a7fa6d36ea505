#!/usr/bin/env python3
"""server.py - the collectors' test HTTP server (Python 3 standard library).

Serves deterministic data (from --seed) in the documented formats of
Mastodon, Bluesky XRPC, RSS/Atom feeds and Telegram channel previews, and
misbehaves on demand under /x/MODE/...; see tests/collect/README.md for the
routes, the data and the modes.

    python3 server.py --port-file F [--tls-cert C --tls-key K] [--log F]
                      [--seed N] [--posts N]

Binds 127.0.0.1 on a free port (and a second, TLS, port when a certificate
is given) and writes the port(s) to F, one per line, plain first, once
listening (F.tmp renamed to F).  Every request except /control/* is logged
as one JSON line (method, path+query, request headers) to --log and kept
for GET /control/log.
"""

import argparse
import base64
import datetime as dt
import email.utils
import hashlib
import html
import json
import os
import random
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

START = dt.datetime(2020, 4, 27, tzinfo=dt.timezone.utc)
START_MS = int(START.timestamp() * 1000)
SPAN_MS = 4 * 86400 * 1000  # posts spread over four days
MASTO_DOMAIN = "social.example"
REMOTE_DOMAIN = "mastodon.kz.example"

# ---------------------------------------------------------------------------
# Text generation

RU_WORDS = """сегодня Алматы прошла встреча жителей района вопросам экологии новый парк
цены продукты выросли снова погода завтра будет тёплой концерт филармонии дети школа
автобус маршрут изменился весна город ремонт дороги футбол команда победила книга
выставка музей открылся после карантина врачи больница волонтёры помогают пожилым
магазин доставка интернет работает медленно Астана Шымкент фестиваль кофе утро друзья
соседи двор субботник деревья вода свет отключили аким обещал библиотека кино театр
студенты экзамены весной горы снег озеро лыжи""".split()
KK_WORDS = """бүгін Алматыда жиналыс өтті халық қала жаңа саябақ баға көтерілді ауа райы
ертең жылы болады балалар мектеп автобус көктем жол жөндеу футбол команда жеңді кітап
көрме мұражай ашылды дәрігерлер аурухана еріктілер көмектеседі қарттарға дүкен жеткізу
интернет баяу жұмыс істейді Астана Шымкент мереке шай таң достар ауыл тау өзен жаңбыр
күн көрші аула ағаш су жарық кітапхана кино театр студенттер емтихан қар көл""".split()
EN_WORDS = """today Almaty meeting residents district ecology new park prices groceries rose
again weather tomorrow warm concert philharmonic children school bus route changed spring
city repairs road football team won book exhibition museum opened after quarantine doctors
hospital volunteers help elderly shop delivery internet works slowly Astana Shymkent
festival coffee morning friends neighbours yard trees water power outage mayor promised
library cinema theatre students exams mountains snow lake""".split()
VOCAB = {"ru": RU_WORDS, "kk": KK_WORDS, "en": EN_WORDS}
HASHTAGS = ["almaty", "kazakhstan", "news", "qazaqstan", "astana", "kibhr", "economy", "weather"]
EMOJI = ["🔥", "👍", "😀", "🇰🇿", "❗", "😡", "🙏"]
LINKS = ["https://tengrinews.example/news/", "https://informburo.example/cifra/",
         "https://vlast.example/politika/"]

RU_CAMPAIGN = ("Так называемое Казахстанское международное бюро по правам человека опять "
               "отрабатывает иностранные гранты и порочит нашу страну. Хватит терпеть этих "
               "грантоедов!")
KK_CAMPAIGN = ("Қазақстан халықаралық адам құқықтары бюросы тағы да шетелдік гранттарды "
               "ақтап, біздің елімізді қаралауда. Жетер енді, бұған тосқауыл қою керек!")
RU_EDITS = [("опять", "снова"), ("порочит", "позорит"), ("страну", "республику"),
            ("Хватит", "Довольно"), ("этих", "всех этих"), ("иностранные", "зарубежные"),
            ("Так называемое", "Так-называемое")]
KK_EDITS = [("тағы да", "тағы"), ("Жетер енді", "Жетер"), ("біздің", ""),
            ("керек", "қажет"), ("шетелдік", "сырттан келген")]

FIRST = ["Айгуль", "Ерлан", "Дина", "Нурлан", "Асель", "Marat", "Alina", "Сергей", "Ольга",
         "Бауыржан", "Жанар", "Dmitry", "Madina", "Timur", "Гульнара", "Арман", "Sabina",
         "Ainur", "Kairat", "Елена"]
LAST = ["Ахметова", "Серікұлы", "Ким", "Иванов", "Жумабаев", "Petrova", "Omarov",
        "Нургалиева", "Smagulov", "Ли", "Тулегенов", "Abenova"]
NICK = ["almaty", "qazaq", "steppe", "nomad", "tulpar", "alatau", "zhetysu", "baiterek",
        "arman", "saryarka", "kokshe", "irbis", "batyr", "kumis", "dombra", "altyn"]
CAMPAIGN_NICK = ["patriot", "truth", "voice", "citizen", "honest", "proud"]


def campaign_variants(rng, base, edits, count):
    """count near-identical copies of base, each with one to three small edits
    (synonyms, an emoji, a hashtag, a look-alike letter, punctuation)."""
    out = []
    for i in range(count):
        text = base
        for a, b in rng.sample(edits, rng.randint(1, 2)):
            text = text.replace(a, b, 1).replace("  ", " ")
        extra = rng.random()
        if extra < 0.3:
            text += " " + rng.choice(["😡", "🇰🇿", "❗❗", "👎"])
        elif extra < 0.55:
            text += " #kibhr"
        elif extra < 0.7:
            # a Latin "o" in place of a Cyrillic "о" (troll factories do this)
            k = text.find("о", 10 + i)
            if k > 0:
                text = text[:k] + "o" + text[k + 1:]
        elif extra < 0.8:
            text = text.replace("!", "!!!", 1)
        out.append(text)
    return out


def normal_text(rng, usernames):
    lang = rng.choices(["ru", "kk", "en"], [5, 3, 2])[0]
    words = rng.sample(VOCAB[lang], rng.randint(8, 16))
    text = " ".join(words)
    text = text[0].upper() + text[1:] + "."
    if rng.random() < 0.12:
        more = rng.sample(VOCAB[lang], rng.randint(4, 8))
        text += "\n" + more[0][0].upper() + " ".join(more)[1:] + "."
    if rng.random() < 0.25:
        text += " #" + rng.choice(HASHTAGS)
    if rng.random() < 0.15:
        text += " " + rng.choice(LINKS) + str(rng.randint(10000, 99999))
    if rng.random() < 0.15:
        text += " " + rng.choice(EMOJI)
    if rng.random() < 0.08:
        text = "@" + rng.choice(usernames) + " " + text
    return lang, text


def make_accounts(rng, prefix_nick, n_normal, n_ru, n_kk):
    """Accounts: n_normal ordinary, then the two campaigns' (created days
    before the campaign)."""
    accounts = []
    seen = set()
    for i in range(n_normal + n_ru + n_kk):
        campaign = i >= n_normal
        while True:
            if campaign:
                name = "%s_%s%d" % (rng.choice(NICK), rng.choice(CAMPAIGN_NICK), rng.randint(1, 99))
            else:
                name = "%s%s%d" % (prefix_nick, rng.choice(NICK), rng.randint(1, 999))
            if name not in seen:
                seen.add(name)
                break
        if campaign:
            created = START - dt.timedelta(days=rng.randint(3, 9))
        else:
            created = START - dt.timedelta(days=rng.randint(200, 2500))
        created = created.replace(hour=0, minute=0, second=0)
        accounts.append({
            "index": i, "username": name,
            "display_name": "%s %s" % (rng.choice(FIRST), rng.choice(LAST)),
            "created": created, "campaign": ("ru" if i < n_normal + n_ru else "kk") if campaign else None,
        })
    return accounts


def make_posts(rng, n, accounts, reblog_share=0.0):
    """n posts (dicts: ms, text, lang, account, reblog_of, reply_to), oldest
    first, times strictly increasing; a Russian campaign from the "ru"
    accounts within one hour on 28 April and a Kazakh one on 29 April."""
    usernames = [a["username"] for a in accounts]
    ru = [a for a in accounts if a["campaign"] == "ru"]
    kk = [a for a in accounts if a["campaign"] == "kk"]
    normal = [a for a in accounts if not a["campaign"]]
    items = []
    ru_t = START_MS + (33 * 3600 + rng.randint(0, 1800)) * 1000
    for acc, text in zip(ru, campaign_variants(rng, RU_CAMPAIGN, RU_EDITS, len(ru))):
        items.append({"ms": ru_t + rng.randint(0, 3600 * 1000), "text": text, "lang": "ru",
                      "account": acc})
    kk_t = START_MS + (62 * 3600 + rng.randint(0, 1800)) * 1000
    for acc, text in zip(kk, campaign_variants(rng, KK_CAMPAIGN, KK_EDITS, len(kk))):
        items.append({"ms": kk_t + rng.randint(0, 3600 * 1000), "text": text, "lang": "kk",
                      "account": acc})
    items = items[:n]
    while len(items) < n:
        lang, text = normal_text(rng, usernames)
        items.append({"ms": START_MS + rng.randint(0, SPAN_MS), "text": text, "lang": lang,
                      "account": rng.choice(normal)})
    items.sort(key=lambda p: p["ms"])
    last = -1
    for i, p in enumerate(items):
        p["ms"] = max(p["ms"], last + 1)
        last = p["ms"]
        p["seq"] = i
        p["reblog_of"] = None
        p["reply_to"] = None
        if i > 10 and rng.random() < reblog_share:
            target = rng.choice([q for q in items[:i] if q["reblog_of"] is None])
            p["reblog_of"] = target
            p["text"] = ""
            p["lang"] = None
        elif i > 10 and rng.random() < 0.05:
            p["reply_to"] = rng.choice([q for q in items[:i] if q["reblog_of"] is None])
    return items


def iso_ms(ms):
    t = dt.datetime.fromtimestamp(ms // 1000, dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ms % 1000)


def iso_s(ms):
    return dt.datetime.fromtimestamp(ms // 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def http_date(epoch):
    return email.utils.formatdate(epoch, usegmt=True)


# ---------------------------------------------------------------------------
# Mastodon

def masto_html(text):
    """Status content as Mastodon renders it: <p>, <br />, links for
    hashtags, mentions and URLs, HTML-escaped text."""
    def one_line(line):
        out = []
        for tok in re.split(r"(\s+)", line):
            if tok.startswith("#") and len(tok) > 1:
                tag = tok[1:]
                out.append('<a href="https://%s/tags/%s" class="mention hashtag" rel="tag">#<span>%s</span></a>'
                           % (MASTO_DOMAIN, urllib.parse.quote(tag.lower()), html.escape(tag)))
            elif tok.startswith("@") and len(tok) > 1:
                user = tok[1:]
                out.append('<span class="h-card" translate="no"><a href="https://%s/@%s" class="u-url mention">@<span>%s</span></a></span>'
                           % (MASTO_DOMAIN, user, html.escape(user)))
            elif tok.startswith("https://"):
                rest = tok[len("https://"):]
                out.append('<a href="%s" target="_blank" rel="nofollow noopener noreferrer" translate="no">'
                           '<span class="invisible">https://</span><span class="">%s</span><span class="invisible"></span></a>'
                           % (html.escape(tok), html.escape(rest)))
            else:
                out.append(html.escape(tok))
        return "".join(out)
    return "<p>" + "<br />".join(one_line(line) for line in text.split("\n")) + "</p>"


class Mastodon:
    """Statuses (with reblogs and replies) of a few dozen accounts."""

    def __init__(self, seed, n):
        rng = random.Random("%d:mastodon" % seed)
        self.accounts = make_accounts(rng, "", 60, 12, 6)
        for a in self.accounts:
            a["id"] = str(109312948729000 + a["index"] * 7919)
            a["remote"] = a["index"] % 5 == 4
            a["acct"] = a["username"] + ("@" + REMOTE_DOMAIN if a["remote"] else "")
        self.posts = make_posts(rng, n, self.accounts, reblog_share=0.06)
        for p in self.posts:
            p["id"] = (p["ms"] << 16) | (p["seq"] & 0xFFFF)
            p["tags"] = [t[1:].lower() for t in re.findall(r"#\w+", p["text"])]
            p["statuses_count"] = 0
        self.by_id = {p["id"]: p for p in self.posts}
        self.desc = sorted(self.posts, key=lambda p: -p["id"])

    def account_json(self, a):
        domain = REMOTE_DOMAIN if a["remote"] else MASTO_DOMAIN
        url = "https://%s/@%s" % (domain, a["username"])
        return {
            "id": a["id"], "username": a["username"], "acct": a["acct"],
            "display_name": a["display_name"], "locked": False, "bot": False,
            "discoverable": True, "group": False,
            "created_at": a["created"].strftime("%Y-%m-%dT00:00:00.000Z"),
            "note": "<p></p>", "url": url, "uri": "https://%s/users/%s" % (domain, a["username"]),
            "avatar": "https://%s/avatars/original/missing.png" % MASTO_DOMAIN,
            "avatar_static": "https://%s/avatars/original/missing.png" % MASTO_DOMAIN,
            "header": "https://%s/headers/original/missing.png" % MASTO_DOMAIN,
            "header_static": "https://%s/headers/original/missing.png" % MASTO_DOMAIN,
            "followers_count": 10 + a["index"] * 3, "following_count": 20 + a["index"],
            "statuses_count": sum(1 for p in self.posts if p["account"] is a),
            "last_status_at": "2020-04-30", "emojis": [], "fields": [],
        }

    def status_json(self, p):
        a = p["account"]
        domain = REMOTE_DOMAIN if a["remote"] else MASTO_DOMAIN
        sid = str(p["id"])
        uri = "https://%s/users/%s/statuses/%s" % (domain, a["username"], sid)
        reblog = self.status_json(p["reblog_of"]) if p["reblog_of"] else None
        reply = p["reply_to"]
        return {
            "id": sid, "created_at": iso_ms(p["ms"]),
            "in_reply_to_id": str(reply["id"]) if reply else None,
            "in_reply_to_account_id": reply["account"]["id"] if reply else None,
            "sensitive": False, "spoiler_text": "", "visibility": "public",
            "language": p["lang"],
            "uri": uri + ("/activity" if reblog else ""),
            "url": None if reblog else "https://%s/@%s/%s" % (domain, a["username"], sid),
            "replies_count": 0, "reblogs_count": 0, "favourites_count": p["seq"] % 7,
            "edited_at": None,
            "content": "" if reblog else masto_html(p["text"]),
            "reblog": reblog,
            "application": None if a["remote"] or reblog else {"name": "Web", "website": None},
            "account": self.account_json(a),
            "media_attachments": [], "mentions": [],
            "tags": [{"name": t, "url": "https://%s/tags/%s" % (MASTO_DOMAIN, t)} for t in p["tags"]],
            "emojis": [], "card": None, "poll": None,
        }

    def page(self, items, q):
        """Mastodon paging over items (newest first): limit, max_id, since_id,
        min_id.  Returns (page, more_older)."""
        def num(name):
            v = q.get(name)
            return int(v) if v is not None and v.isdigit() else None
        limit = q.get("limit")
        limit = min(abs(int(limit)), 40) if limit and re.fullmatch(r"-?\d+", limit) else 20
        max_id, since_id, min_id = num("max_id"), num("since_id"), num("min_id")
        sel = [p for p in items
               if (max_id is None or p["id"] < max_id)
               and (since_id is None or p["id"] > since_id)
               and (min_id is None or p["id"] > min_id)]
        page = (sel[-limit:] if limit else []) if min_id is not None else sel[:limit]
        more = bool(page) and any(p["id"] < page[-1]["id"] for p in items)
        return page, more

    def link(self, base, path, q, page, more):
        keep = [(k, v) for k, v in q.items() if k not in ("max_id", "min_id", "since_id")]
        parts = []
        if more:
            parts.append('<%s%s?%s>; rel="next"' % (base, path, urllib.parse.urlencode(keep + [("max_id", page[-1]["id"])])))
        parts.append('<%s%s?%s>; rel="prev"' % (base, path, urllib.parse.urlencode(keep + [("min_id", page[0]["id"])])))
        return ", ".join(parts)

    def timeline(self, req, items):
        page, more = self.page(items, req.q)
        headers = []
        if page:
            headers.append(("Link", self.link(req.base, req.path, req.q, page, more)))
        return json_resp(200, [self.status_json(p) for p in page], headers)

    def find_account(self, acct):
        acct = acct.lstrip("@")
        for a in self.accounts:
            if acct in (a["acct"], a["username"] + "@" + (REMOTE_DOMAIN if a["remote"] else MASTO_DOMAIN)):
                return a
            if not a["remote"] and acct == a["username"]:
                return a
        return None

    def search(self, req):
        q = req.q.get("q")
        if q is None:
            return json_resp(400, {"error": "param is missing or the value is empty: q"})
        if req.q.get("offset") and not req.bearer:
            return json_resp(401, {"error": "Search queries pagination is not supported without authentication"})
        limit = req.q.get("limit")
        limit = min(abs(int(limit)), 40) if limit and re.fullmatch(r"-?\d+", limit) else 20
        offset = int(req.q["offset"]) if req.q.get("offset", "").isdigit() else 0
        typ = req.q.get("type")
        terms = q.lower().split()
        statuses, accounts, tags = [], [], []
        if typ in (None, "statuses") and terms:
            hits = [p for p in self.desc if p["reblog_of"] is None
                    and all(t in p["text"].lower() for t in terms)]
            # max_id / min_id bound the status ids, newest first (as Mastodon)
            if re.fullmatch(r"\d+", req.q.get("max_id", "")):
                hits = [p for p in hits if p["id"] < int(req.q["max_id"])]
            if re.fullmatch(r"\d+", req.q.get("min_id", "")):
                hits = [p for p in hits if p["id"] > int(req.q["min_id"])]
            statuses = [self.status_json(p) for p in hits[offset:offset + limit]]
        if typ in (None, "accounts") and terms:
            hits = [a for a in self.accounts if any(t in a["acct"].lower() for t in terms)]
            accounts = [self.account_json(a) for a in hits[offset:offset + limit]]
        if typ in (None, "hashtags") and terms:
            hits = [t for t in HASHTAGS if any(x.lstrip("#") in t for x in terms)]
            tags = [{"name": t, "url": "https://%s/tags/%s" % (MASTO_DOMAIN, t), "history": []}
                    for t in hits[offset:offset + limit]]
        return json_resp(200, {"accounts": accounts, "statuses": statuses, "hashtags": tags})

    def route(self, req):
        path = req.path
        originals = [p for p in self.desc if p["reblog_of"] is None]
        if path == "/api/v1/timelines/public":
            return self.timeline(req, originals)
        m = re.fullmatch(r"/api/v1/timelines/tag/([^/]+)", path)
        if m:
            tag = urllib.parse.unquote(m.group(1)).lower()
            return self.timeline(req, [p for p in originals if tag in p["tags"]])
        if path == "/api/v1/accounts/lookup":
            a = self.find_account(req.q.get("acct", ""))
            return json_resp(200, self.account_json(a)) if a else json_resp(404, {"error": "Record not found"})
        m = re.fullmatch(r"/api/v1/accounts/([^/]+)/statuses", path)
        if m:
            a = next((x for x in self.accounts if x["id"] == m.group(1)), None)
            if not a:
                return json_resp(404, {"error": "Record not found"})
            items = [p for p in self.desc if p["account"] is a]
            if req.q.get("exclude_reblogs") in ("true", "1"):
                items = [p for p in items if p["reblog_of"] is None]
            if req.q.get("exclude_replies") in ("true", "1"):
                items = [p for p in items if p["reply_to"] is None]
            return self.timeline(req, items)
        m = re.fullmatch(r"/api/v1/accounts/([^/]+)", path)
        if m:
            a = next((x for x in self.accounts if x["id"] == m.group(1)), None)
            return json_resp(200, self.account_json(a)) if a else json_resp(404, {"error": "Record not found"})
        if path == "/api/v2/search":
            return self.search(req)
        return None


# ---------------------------------------------------------------------------
# Bluesky

B32_SORT = "234567abcdefghijklmnopqrstuvwxyz"


def tid(us, clock):
    v = (us << 10) | (clock & 0x3FF)
    out = ""
    for _ in range(13):
        out = B32_SORT[v & 31] + out
        v >>= 5
    return out


def b32(data):
    return base64.b32encode(data).decode().lower().rstrip("=")


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class Bluesky:
    def __init__(self, seed, n):
        rng = random.Random("%d:bluesky" % seed)
        self.accounts = make_accounts(rng, "", 60, 12, 6)
        for a in self.accounts:
            a["handle"] = a["username"].replace("_", "-") + ".bsky.social"
            a["did"] = "did:plc:" + b32(hashlib.sha256(a["handle"].encode()).digest())[:24]
        posts = make_posts(rng, n, self.accounts, reblog_share=0.06)
        self.posts = [p for p in posts if p["reblog_of"] is None]
        self.reposts = [p for p in posts if p["reblog_of"] is not None]
        for p in self.posts:
            p["rkey"] = tid(p["ms"] * 1000 + p["seq"] % 1000, p["seq"])
            p["indexed_ms"] = p["ms"] + 100 + p["seq"] % 700
        self.desc = sorted(self.posts, key=lambda p: -p["ms"])

    def profile(self, a):
        return {"did": a["did"], "handle": a["handle"], "displayName": a["display_name"],
                "avatar": "https://cdn.bsky.example/img/avatar/plain/%s/bafkrei@jpeg" % a["did"],
                "labels": [], "createdAt": a["created"].strftime("%Y-%m-%dT%H:%M:%S.000Z")}

    def post_view(self, p):
        a = p["account"]
        record = {"$type": "app.bsky.feed.post", "text": p["text"],
                  "createdAt": iso_ms(p["ms"]), "langs": [p["lang"]]}
        if p["reply_to"] is not None:
            r = p["reply_to"]
            ref = {"uri": self.uri(r), "cid": self.cid(r)}
            record["reply"] = {"root": ref, "parent": ref}
        return {"uri": self.uri(p), "cid": self.cid(p), "author": self.profile(a),
                "record": record, "replyCount": 0, "repostCount": p["seq"] % 3,
                "likeCount": p["seq"] % 11, "quoteCount": 0,
                "indexedAt": iso_ms(p["indexed_ms"]), "labels": []}

    def uri(self, p):
        return "at://%s/app.bsky.feed.post/%s" % (p["account"]["did"], p["rkey"])

    def cid(self, p):
        return "bafyrei" + b32(hashlib.sha256(("%s|%s" % (self.uri(p), p["text"])).encode()).digest())

    def find_actor(self, actor):
        for a in self.accounts:
            if actor in (a["handle"], a["did"]):
                return a
        return None

    def search(self, req):
        q = req.q.get("q")
        if not q:
            return xrpc_error(400, "InvalidRequest", 'Error: Params must have the property "q"')
        limit, err = xrpc_limit(req.q, 25)
        if err:
            return err
        try:
            since = parse_iso(req.q["since"]) if req.q.get("since") else None
            until = parse_iso(req.q["until"]) if req.q.get("until") else None
        except ValueError:
            return xrpc_error(400, "InvalidRequest", "Error: since/until must be a valid datetime")
        cursor = req.q.get("cursor", "0")
        if not cursor.isdigit():
            return xrpc_error(400, "InvalidRequest", "Error: malformed cursor")
        terms = q.lower().split()
        hits = [p for p in self.desc if all(t in p["text"].lower() for t in terms)
                and (since is None or p["indexed_ms"] >= since)
                and (until is None or p["indexed_ms"] < until)]
        off = int(cursor)
        page = hits[off:off + limit]
        body = {"posts": [self.post_view(p) for p in page]}
        if off + limit < len(hits):
            body["cursor"] = str(off + limit)
        return json_resp(200, body)

    def author_feed(self, req):
        a = self.find_actor(req.q.get("actor", ""))
        if not a:
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        limit, err = xrpc_limit(req.q, 50)
        if err:
            return err
        items = [(p["indexed_ms"], p, None) for p in self.posts if p["account"] is a]
        items += [(r["ms"], r["reblog_of"], r) for r in self.reposts if r["account"] is a]
        items.sort(key=lambda x: -x[0])
        cursor = req.q.get("cursor")
        if cursor:
            try:
                c = parse_iso(cursor)
            except ValueError:
                return xrpc_error(400, "InvalidRequest", "Error: malformed cursor")
            items = [x for x in items if x[0] < c]
        page = items[:limit]
        feed = []
        for ms, post, repost in page:
            item = {"post": self.post_view(post)}
            if repost is not None:
                item["reason"] = {"$type": "app.bsky.feed.defs#reasonRepost",
                                  "by": self.profile(a), "indexedAt": iso_ms(ms)}
            feed.append(item)
        body = {"feed": feed}
        if len(items) > limit:
            body["cursor"] = iso_ms(page[-1][0])
        return json_resp(200, body)


def parse_iso(s):
    """Milliseconds since the epoch of an ISO 8601 date-time (ValueError)."""
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return int(t.timestamp() * 1000)


def xrpc_error(status, error, message):
    return json_resp(status, {"error": error, "message": message})


def xrpc_limit(q, default):
    v = q.get("limit")
    if v is None:
        return default, None
    if not v.isdigit() or not 1 <= int(v) <= 100:
        return None, xrpc_error(400, "InvalidRequest", "Error: limit must be between 1 and 100")
    return int(v), None


# ---------------------------------------------------------------------------
# Feeds

JOURNALISTS = ["Айгерим Садыкова", "Сергей Ким", "Dana Omarova", "Бекжан Нұрланұлы",
               "Elena Li", "Асхат Жумабаев", "Mira Tulegenova", "Ольга Петрова"]


class Feeds:
    def __init__(self, seed, n):
        rng = random.Random("%d:feeds" % seed)
        accounts = make_accounts(rng, "", 40, 12, 6)
        self.items = make_posts(rng, n, accounts)
        for p in self.items:
            p["author"] = JOURNALISTS[p["account"]["index"] % len(JOURNALISTS)] \
                if not p["account"]["campaign"] else p["account"]["display_name"]
            p["slug"] = "%d-%d" % (p["ms"] // 1000, p["seq"])
        self.items.reverse()  # newest first, as feeds list them
        self.cache = {}

    def desc_html(self, p):
        words = p["text"].split(" ")
        k = p["seq"] % len(words)
        words[k] = "&laquo;%s&raquo;" % html.escape(words[k], quote=False)
        body = " ".join(w if w.startswith("&laquo;") else html.escape(w, quote=False) for w in words)
        body = body.replace("\n", "</p><p>")
        return "<p>%s&nbsp;&mdash; %s</p>" % (body, "читать далее" if p["lang"] != "en" else "read more")

    def title(self, p):
        words = p["text"].replace("\n", " ").split(" ")
        return " ".join(words[:8]) + (" & co" if p["seq"] % 9 == 0 else "")

    def link(self, p):
        return "https://news.example/%s/%s.html" % (iso_s(p["ms"])[:10].replace("-", "/"), p["slug"])

    def rss(self):
        out = ['<?xml version="1.0" encoding="UTF-8"?>',
               '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">',
               "<channel>", "<title>Новости &#171;Степь&#187; &amp; мир</title>",
               "<link>https://news.example/</link>",
               "<description>Новости Казахстана и мира</description>", "<language>ru</language>",
               "<lastBuildDate>%s</lastBuildDate>" % rfc822(self.items[0]["ms"], 0),
               '<atom:link href="https://news.example/feeds/news.rss" rel="self" type="application/rss+xml"/>']
        for p in self.items:
            out.append("<item>")
            out.append("<title>%s</title>" % html.escape(self.title(p), quote=False))
            out.append("<link>%s</link>" % self.link(p))
            if p["seq"] % 2:
                out.append('<guid isPermaLink="true">%s</guid>' % self.link(p))
            else:
                out.append('<guid isPermaLink="false">news-%s</guid>' % p["slug"])
            desc = self.desc_html(p)
            if p["seq"] % 3 == 0:
                out.append("<description><![CDATA[%s]]></description>" % desc)
            else:
                out.append("<description>%s</description>" % html.escape(desc, quote=False))
            out.append("<pubDate>%s</pubDate>" % rfc822(p["ms"], 6 if p["seq"] % 4 == 0 else 0))
            if p["seq"] % 5 != 0:
                out.append("<dc:creator>%s</dc:creator>" % html.escape(p["author"]))
            out.append("<category>%s</category>" % ("Общество" if p["lang"] != "en" else "Society"))
            out.append("</item>")
        out += ["</channel>", "</rss>", ""]
        return "\n".join(out).encode()

    def atom(self):
        out = ['<?xml version="1.0" encoding="utf-8"?>',
               '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru">',
               "<id>urn:uuid:6f1f3f4e-2a5b-4c1e-9a57-0c6b1d2e3f40</id>",
               "<title>Новости «Степь» &amp; мир</title>",
               "<updated>%s</updated>" % iso_s(self.items[0]["ms"]),
               '<link rel="self" type="application/atom+xml" href="https://news.example/feeds/news.atom"/>',
               '<link rel="alternate" type="text/html" href="https://news.example/"/>']
        for p in self.items:
            out.append("<entry>")
            out.append("<id>tag:news.example,2020:%s</id>" % p["slug"])
            out.append('<title type="text">%s</title>' % html.escape(self.title(p), quote=False))
            out.append('<link rel="alternate" type="text/html" href="%s"/>' % self.link(p))
            out.append("<published>%s</published>" % rfc3339(p["ms"], 6 if p["seq"] % 4 == 0 else 0))
            out.append("<updated>%s</updated>" % rfc3339(p["ms"] + 600000, 0))
            out.append("<author><name>%s</name></author>" % html.escape(p["author"]))
            out.append('<content type="html">%s</content>' % html.escape(self.desc_html(p), quote=False))
            out.append("</entry>")
        out += ["</feed>", ""]
        return "\n".join(out).encode()

    def xxe(self):
        lol = ['<!ENTITY lol "lol">']
        for i in range(1, 10):
            prev = "lol" if i == 1 else "lol%d" % (i - 1)
            lol.append('<!ENTITY lol%d "%s">' % (i, ("&%s;" % prev) * 10))
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n%s\n]>\n'
                '<rss version="2.0"><channel><title>XXE test</title>'
                "<link>https://news.example/</link><description>hostile feed</description>\n"
                "<item><title>&xxe;</title><link>https://news.example/xxe.html</link>"
                "<guid>xxe-1</guid><description>external entity</description>"
                "<pubDate>Tue, 28 Apr 2020 09:14:05 +0000</pubDate></item>\n"
                "<item><title>laughs</title><link>https://news.example/lol.html</link>"
                "<guid>xxe-2</guid><description>&lol9;</description>"
                "<pubDate>Tue, 28 Apr 2020 09:15:05 +0000</pubDate></item>\n"
                "<item><title>Обычная новость</title><link>https://news.example/ok.html</link>"
                "<guid>xxe-3</guid><description>Ничего особенного</description>"
                "<pubDate>Tue, 28 Apr 2020 09:16:05 +0000</pubDate></item>\n"
                "</channel></rss>\n" % "\n".join(lol)).encode()

    def get(self, kind):
        if kind not in self.cache:
            body = {"rss": self.rss, "atom": self.atom, "xxe": self.xxe}[kind]()
            self.cache[kind] = (body, '"%s"' % hashlib.sha256(body).hexdigest()[:40])
        return self.cache[kind]

    def route(self, req):
        kinds = {"/feeds/news.rss": ("rss", "application/rss+xml; charset=utf-8"),
                 "/feeds/news.atom": ("atom", "application/atom+xml; charset=utf-8"),
                 "/feeds/xxe.rss": ("xxe", "application/rss+xml; charset=utf-8")}
        if req.path not in kinds:
            return None
        kind, ctype = kinds[req.path]
        body, etag = self.get(kind)
        lm_epoch = self.items[0]["ms"] // 1000
        headers = [("ETag", etag), ("Last-Modified", http_date(lm_epoch))]
        if not_modified(req.headers, etag, lm_epoch):
            return Resp(304, headers, b"")
        return Resp(200, headers + [("Content-Type", ctype)], body)


def rfc822(ms, offset_h):
    t = dt.datetime.fromtimestamp(ms // 1000, dt.timezone(dt.timedelta(hours=offset_h)))
    return email.utils.format_datetime(t)


def rfc3339(ms, offset_h):
    t = dt.datetime.fromtimestamp(ms // 1000, dt.timezone(dt.timedelta(hours=offset_h)))
    return t.isoformat().replace("+00:00", "Z")


def not_modified(headers, etag, lm_epoch):
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or etag in tags or "W/" + etag in tags
    ims = headers.get("If-Modified-Since")
    if ims:
        try:
            return email.utils.parsedate_to_datetime(ims).timestamp() >= lm_epoch
        except (TypeError, ValueError):
            return False
    return False


# ---------------------------------------------------------------------------
# Telegram channel previews (t.me/s/NAME)

def tg_emoji_html(ch):
    code = "".join("%02X" % b for b in ch.encode("utf-8"))
    return ('<i class="emoji" style="background-image:url(\'//telegram.org/img/emoji/40/%s.png\')">'
            "<b>%s</b></i>" % (code, ch))


def tg_text_html(text, bold_word):
    out = []
    for line_no, line in enumerate(text.split("\n")):
        if line_no:
            out.append("<br/>")
        toks = re.split(r"(\s+)", line)
        for tok in toks:
            if tok in EMOJI or tok in ("😡", "👎", "❗❗"):
                out.append("".join(tg_emoji_html(c) if c != "\ufe0f" else c for c in _emoji_split(tok)))
            elif tok.startswith("https://"):
                out.append('<a href="%s" target="_blank" rel="noopener" onclick="return confirm(\'Open this link?\\n\\n\'+this.href);">%s</a>'
                           % (html.escape(tok), html.escape(tok[len("https://"):])))
            elif tok.startswith("#") and len(tok) > 1:
                out.append('<a href="?q=%s">%s</a>' % (urllib.parse.quote(tok), html.escape(tok)))
            elif tok.startswith("@") and len(tok) > 1:
                out.append('<a href="https://t.me/%s">%s</a>' % (tok[1:], html.escape(tok)))
            elif bold_word and tok == bold_word:
                out.append("<b>%s</b>" % html.escape(tok))
            else:
                out.append(html.escape(tok))
    return "".join(out)


def _emoji_split(tok):
    """Flags are two regional indicators: one emoji."""
    if tok == "🇰🇿":
        return [tok]
    return list(tok)


def tg_views(seq):
    v = 300 + (seq * 7919) % 25000
    return "%.1fK" % (v / 1000) if v >= 1000 else str(v)


class Telegram:
    def __init__(self, seed, n):
        self.seed = seed
        self.n = n
        self.cache = {}
        self.lock = threading.Lock()

    def channel(self, name):
        with self.lock:
            if name in self.cache:
                return self.cache[name]
        rng = random.Random("%d:telegram:%s" % (self.seed, name.lower()))
        title = "%s | %s" % (name.replace("_", " ").title(), rng.choice(["Новости", "Жаңалықтар", "News"]))
        usernames = ["%s%d" % (rng.choice(NICK), i) for i in range(20)]
        msgs = []
        k = zlib.crc32(name.lower().encode())
        ru = campaign_variants(random.Random(k), RU_CAMPAIGN, RU_EDITS, 1)[0]
        kk = campaign_variants(random.Random(k + 1), KK_CAMPAIGN, KK_EDITS, 1)[0]
        campaign_at = {START_MS + (33 * 3600 + k % 3600) * 1000: ("ru", ru),
                       START_MS + (62 * 3600 + k % 3000) * 1000: ("kk", kk)}
        times = sorted([START_MS + rng.randint(0, SPAN_MS) for _ in range(max(self.n - 3, 0))]
                       + list(campaign_at))
        for i, ms in enumerate([START_MS - 86400 * 1000 * 30] + times[:self.n - 1]):
            m = {"id": i + 1, "ms": ms, "kind": "text", "forward": None, "bold": None}
            if i == 0:
                m["kind"] = "service"
                m["text"] = "Channel created"
            elif ms in campaign_at:
                m["lang"], m["text"] = campaign_at[ms]
            else:
                m["lang"], m["text"] = normal_text(rng, usernames)
                r = rng.random()
                if r < 0.03:
                    m["kind"] = "photo"
                elif r < 0.05:
                    m["kind"] = "service"
                    m["text"] = "Channel photo updated"
                elif r < 0.10:
                    other = rng.choice(["kaz_inform", "almaty_today", "qazaq_times"])
                    m["forward"] = (other, other.replace("_", " ").title(), rng.randint(10, 900))
                if rng.random() < 0.1:
                    m["bold"] = m["text"].split(" ")[0]
            msgs.append(m)
        last = -1
        for m in msgs:
            m["ms"] = max(m["ms"], last + 1000)
            last = m["ms"]
        ch = {"name": name, "title": title, "msgs": msgs}
        with self.lock:
            self.cache[name] = ch
        return ch

    def message_html(self, ch, m):
        name = ch["name"]
        t = dt.datetime.fromtimestamp(m["ms"] // 1000, dt.timezone.utc)
        date = ('<a class="tgme_widget_message_date" href="https://t.me/%s/%d"><time datetime="%s" class="time">%s</time></a>'
                % (name, m["id"], t.strftime("%Y-%m-%dT%H:%M:%S+00:00"), t.strftime("%H:%M")))
        cls = "tgme_widget_message text_not_supported_wrap js-widget_message"
        if m["kind"] == "service":
            return ('<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="%s service_message" data-post="%s/%d" data-view="eyJjIjotMTAwMTIzLCJwIjoxfQ">\n'
                    '  <div class="tgme_widget_message_bubble"><div class="tgme_widget_message_service_date">%s</div>\n'
                    '  <div class="tgme_widget_message_footer js-message_footer"><div class="tgme_widget_message_info js-message_info"><span class="tgme_widget_message_meta">%s</span></div></div></div>\n'
                    "</div></div>" % (cls, name, m["id"], html.escape(m["text"]), date))
        parts = ['<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="%s" data-post="%s/%d" data-view="eyJjIjotMTAwMTIzLCJwIjoxfQ">' % (cls, name, m["id"]),
                 '  <div class="tgme_widget_message_user"><a href="https://t.me/%s"><i class="tgme_widget_message_user_photo bgcolor3" data-content="%s"><img src="https://cdn4.telesco.pe/file/avatar.jpg"></i></a></div>' % (name, html.escape(ch["title"][:1])),
                 '  <div class="tgme_widget_message_bubble">',
                 '    <i class="tgme_widget_message_bubble_tail"><svg class="bubble_icon" width="9px" height="20px" viewBox="0 0 9 20"><g fill="none"><path class="background" fill="#ffffff" d="M8,1 L9,1 L9,20 L8,20 L8,18 C7.807,15.161 7.124,12.233 5.950,9.218 C5.046,6.893 3.504,4.733 1.325,2.738 L1.325,2.738 C0.917,2.365 0.89,1.732 1.263,1.325 C1.452,1.118 1.72,1 2,1 L8,1 Z"></path></g></svg></i>',
                 '    <div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="https://t.me/%s"><span dir="auto">%s</span></a></div>' % (name, html.escape(ch["title"]))]
        if m["forward"]:
            other, other_title, other_id = m["forward"]
            parts.append('    <div class="tgme_widget_message_forwarded_from accent_color">Forwarded from <a class="tgme_widget_message_forwarded_from_name" href="https://t.me/%s/%d"><span dir="auto">%s</span></a></div>'
                         % (other, other_id, html.escape(other_title)))
        if m["kind"] == "photo":
            parts.append('    <a class="tgme_widget_message_photo_wrap 5312893 blured" href="https://t.me/%s/%d" style="width:800px;background-image:url(\'https://cdn4.telesco.pe/file/photo%d.jpg\')"><div class="tgme_widget_message_photo" style="padding-top:56.25%%"></div></a>'
                         % (name, m["id"], m["id"]))
        else:
            parts.append('    <div class="tgme_widget_message_text js-message_text" dir="auto">%s</div>' % tg_text_html(m["text"], m["bold"]))
        parts.append('    <div class="tgme_widget_message_footer compact js-message_footer">'
                     '<div class="tgme_widget_message_info short js-message_info">'
                     '<span class="tgme_widget_message_views">%s</span><span class="copyonly"> views</span>'
                     '<span class="tgme_widget_message_meta">%s</span></div></div>' % (tg_views(m["id"]), date))
        parts.append("  </div>")
        parts.append("</div></div>")
        return "\n".join(parts)

    def page(self, req, name):
        ch = self.channel(name)
        before = req.q.get("before")
        msgs = ch["msgs"]
        if before and before.isdigit():
            msgs = [m for m in msgs if m["id"] < int(before)]
        page = msgs[-20:]
        title = html.escape(ch["title"])
        out = ["<!DOCTYPE html>", "<html>", "  <head>", '    <meta charset="utf-8">',
               "    <title>%s – Telegram</title>" % title,
               '    <meta name="viewport" content="width=device-width, initial-scale=1.0">',
               '    <meta property="og:title" content="%s">' % title,
               '    <meta property="og:image" content="https://cdn4.telesco.pe/file/avatar.jpg">',
               '    <meta property="og:site_name" content="Telegram">',
               '    <meta property="og:description" content="Channel &amp; news">',
               '    <link rel="icon" type="image/svg+xml" href="//telegram.org/img/website_icon.svg?4">',
               '    <link href="//telegram.org/css/font-roboto.css?1" rel="stylesheet" type="text/css">',
               '    <link href="//telegram.org/css/widget-frame.css?66" rel="stylesheet" media="screen">',
               '    <link href="//telegram.org/css/telegram-web.css?40" rel="stylesheet" media="screen">',
               "    <script>TWidgetLogin={};window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches && document.documentElement.classList.add('theme_dark'); if (1 < 2 && \"<div>\") {}</script>",
               "  </head>",
               '  <body class="widget_frame_base tgme_webpage_body emoji_image no_transitions">',
               '    <header class="tgme_header search_collapsed"><div class="tgme_header_info"><div class="tgme_header_title_wrap"><div class="tgme_header_title"><span dir="auto">%s</span></div></div><div class="tgme_header_counter">%d subscribers</div></div></header>' % (title, 1000 + len(name) * 37),
               '    <main class="tgme_main">',
               '      <section class="tgme_channel_history js-message_history">']
        if page and page[0]["id"] > 1:
            first = page[0]["id"]
            out.append('<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/%s?before=%d" class="tme_messages_more js-messages_more" data-before="%d"></a></div>'
                       % (name, first, first))
        for m in page:
            out.append(self.message_html(ch, m))
        out += ["      </section>", "    </main>",
                '    <script src="//telegram.org/js/jquery.min.js"></script>',
                '    <script src="//telegram.org/js/widget-frame.js?65"></script>',
                "    <script>TWidgetAuth.init({}); var a = '</div>' + \"<a class='tgme_widget_message_date'>\";</script>",
                "  </body>", "</html>", ""]
        return Resp(200, [("Content-Type", "text/html; charset=utf-8")], "\n".join(out).encode())

    def route(self, req):
        m = re.fullmatch(r"/s/([A-Za-z][A-Za-z0-9_]{3,31})", req.path)
        return self.page(req, m.group(1)) if m else None


# ---------------------------------------------------------------------------
# HTTP plumbing

class Resp:
    """A response: status, headers (list of pairs), body bytes; stream is
    a special behaviour ("trickle", "truncate", "endless") or None."""

    def __init__(self, status, headers, body, stream=None):
        self.status, self.headers, self.body, self.stream = status, list(headers), body, stream

    def set_header(self, name, value):
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))


def json_resp(status, obj, headers=()):
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
    return Resp(status, [("Content-Type", "application/json; charset=utf-8")] + list(headers), body)


class Req:
    def __init__(self, method, target, headers, body, base):
        self.method, self.target, self.headers, self.body, self.base = method, target, headers, body, base
        sp = urllib.parse.urlsplit(target)
        self.path = sp.path
        self.query = sp.query
        self.q = dict(urllib.parse.parse_qsl(sp.query, keep_blank_values=True))
        auth = headers.get("Authorization", "")
        self.bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else None


class App:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.mastodon = Mastodon(args.seed, args.posts)
        self.bluesky = Bluesky(args.seed, args.posts)
        self.feeds = Feeds(args.seed, args.posts)
        self.telegram = Telegram(args.seed, args.posts)
        self.log_file = open(args.log, "a", encoding="utf-8") if args.log else None
        self.masto_token = os.environ.get("CHORUS_TEST_MASTODON_TOKEN")
        self.bsky_password = os.environ.get("CHORUS_TEST_BSKY_PASSWORD")
        self.bsky_ttl = int(os.environ.get("CHORUS_TEST_BSKY_TTL", "1000"))
        self.sessions = {}   # accessJwt -> {"did", "handle", "uses"}
        self.refresh = {}    # refreshJwt -> {"did", "handle"}
        self.token_serial = 0
        self.reset()

    def reset(self):
        with self.lock:
            self.modes = {}      # MODE + REST -> requests seen
            self.counters = {}   # rate-limit client -> requests seen
            self.log_lines = []
            for s in self.sessions.values():
                s["uses"] = 0

    def log(self, method, target, headers):
        line = json.dumps({"time": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                           "method": method, "path": target, "headers": dict(headers.items())},
                          ensure_ascii=False)
        with self.lock:
            self.log_lines.append(line)
            if self.log_file:
                self.log_file.write(line + "\n")
                self.log_file.flush()

    # -- rate limits -------------------------------------------------------
    def count(self, key):
        with self.lock:
            n = self.counters.get(key, 0) + 1
            self.counters[key] = n
        return n

    def masto_rl(self, req, resp):
        n = self.count("m:" + (req.bearer or "anon"))
        now = time.time()
        reset = (int(now) // 300 + 1) * 300
        resp.set_header("X-RateLimit-Limit", "300")
        # Wraps instead of reaching 0, so long test runs never wait; mode
        # ratelimit gives 0 on demand.
        resp.set_header("X-RateLimit-Remaining", str(299 - (n - 1) % 299))
        resp.set_header("X-RateLimit-Reset", iso_ms(reset * 1000))

    def bsky_rl(self, req, resp):
        n = self.count("b:" + (req.bearer or "anon"))
        reset = (int(time.time()) // 300 + 1) * 300
        resp.set_header("RateLimit-Limit", "3000")
        resp.set_header("RateLimit-Remaining", str(2999 - (n - 1) % 2999))
        resp.set_header("RateLimit-Reset", str(reset))
        resp.set_header("RateLimit-Policy", "3000;w=300")

    # -- Bluesky sessions --------------------------------------------------
    def new_tokens(self, did, handle):
        with self.lock:
            self.token_serial += 1
            serial = self.token_serial
        now = int(time.time())
        head = b64url(b'{"typ":"at+jwt","alg":"ES256K"}')
        def jwt(scope, ttl):
            payload = json.dumps({"scope": scope, "sub": did, "iat": now, "exp": now + ttl,
                                  "aud": "did:web:bsky.example", "jti": "%d-%s" % (serial, scope[-7:])})
            return "%s.%s.%s" % (head, b64url(payload.encode()), b64url(os.urandom(64)))
        access, refresh = jwt("com.atproto.access", 7200), jwt("com.atproto.refresh", 86400 * 60)
        with self.lock:
            self.sessions[access] = {"did": did, "handle": handle, "uses": 0}
            self.refresh[refresh] = {"did": did, "handle": handle}
        return {"did": did, "handle": handle, "accessJwt": access, "refreshJwt": refresh,
                "active": True}

    def create_session(self, req):
        try:
            body = json.loads(req.body or b"{}")
            ident, pw = body["identifier"], body["password"]
            assert isinstance(ident, str) and isinstance(pw, str)
        except (ValueError, KeyError, AssertionError, TypeError):
            return xrpc_error(400, "InvalidRequest", "Input must have the properties identifier and password")
        if (self.bsky_password is not None and pw != self.bsky_password) or not pw:
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        handle = ident.lstrip("@") if "." in ident and "@" not in ident.lstrip("@") else "tester.bsky.social"
        did = "did:plc:" + b32(hashlib.sha256(handle.encode()).digest())[:24]
        return json_resp(200, self.new_tokens(did, handle))

    def refresh_session(self, req):
        with self.lock:
            s = self.refresh.pop(req.bearer, None) if req.bearer else None
        if s is None:
            if req.bearer in self.sessions:
                return xrpc_error(400, "InvalidToken", "Invalid token type")
            return xrpc_error(400, "ExpiredToken", "Token has been revoked")
        return json_resp(200, self.new_tokens(s["did"], s["handle"]))

    def bsky_auth(self, req, required):
        """None when the request may go on, else the error response."""
        if req.bearer is None:
            return xrpc_error(401, "AuthenticationRequired", "Authentication Required") if required else None
        with self.lock:
            s = self.sessions.get(req.bearer)
            if s is not None:
                s["uses"] += 1
                expired = s["uses"] > self.bsky_ttl
        if s is None:
            if req.bearer in self.refresh:
                return xrpc_error(400, "InvalidToken", "Invalid token type")
            return xrpc_error(401, "InvalidToken", "Token could not be verified")
        if expired:
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        return None

    def xrpc(self, req):
        name = req.path[len("/xrpc/"):]
        if name == "com.atproto.server.createSession" and req.method == "POST":
            return self.create_session(req)
        if name == "com.atproto.server.refreshSession" and req.method == "POST":
            return self.refresh_session(req)
        if name == "app.bsky.feed.searchPosts" and req.method == "GET":
            return self.bsky_auth(req, True) or self.bluesky.search(req)
        if name == "app.bsky.feed.getAuthorFeed" and req.method == "GET":
            return self.bsky_auth(req, False) or self.bluesky.author_feed(req)
        return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")

    # -- dispatch -----------------------------------------------------------
    def serve(self, req):
        """The normal response to req (no misbehaviour)."""
        if req.path.startswith("/api/"):
            if req.bearer is not None and self.masto_token is not None and req.bearer != self.masto_token:
                resp = json_resp(401, {"error": "The access token is invalid"})
            else:
                resp = self.mastodon.route(req) or json_resp(404, {"error": "Not Found"})
            self.masto_rl(req, resp)
            return resp
        if req.path.startswith("/xrpc/"):
            resp = self.xrpc(req)
            self.bsky_rl(req, resp)
            return resp
        if req.path == "/blob":
            n = int(req.q.get("n", "0")) if req.q.get("n", "0").isdigit() else 0
            body = bytes((i * 7 + 13) % 256 for i in range(n))
            return Resp(200, [("Content-Type", "application/octet-stream")], body,
                        "chunked" if req.q.get("chunked") == "1" else None)
        resp = self.feeds.route(req) or self.telegram.route(req)
        if resp:
            return resp
        return Resp(404, [("Content-Type", "text/plain; charset=utf-8")], b"not found\n")

    def control(self, req):
        if req.path == "/control/reset" and req.method == "POST":
            self.reset()
            return json_resp(200, {"ok": True})
        if req.path == "/control/log" and req.method == "GET":
            with self.lock:
                body = "".join(line + "\n" for line in self.log_lines)
            return Resp(200, [("Content-Type", "application/x-ndjson; charset=utf-8")], body.encode())
        return Resp(404, [("Content-Type", "text/plain")], b"no such control\n")

    def misbehave(self, req, handler):
        """/x/MODE/REST: MODE for the first N requests of REST, then REST."""
        m = re.fullmatch(r"/x/([^/]+)(/.*)", req.path)
        if not m:
            return Resp(404, [("Content-Type", "text/plain")], b"bad /x/ path\n")
        mode, rest = m.group(1), m.group(2) + ("?" + req.query if req.query else "")
        args = mode.split(":")
        name = args[0]
        nums = [int(a) for a in args[1:] if a.isdigit()]
        if len(nums) != len(args) - 1 or name not in MODES or len(nums) not in MODES[name]:
            return Resp(400, [("Content-Type", "text/plain")], ("bad mode %s\n" % mode).encode())
        limit = nums[0] if nums else 1
        key = mode + " " + rest
        with self.lock:
            seen = self.modes.get(key, 0) + 1
            self.modes[key] = seen
        inner = Req(req.method, rest, req.headers, req.body, req.base)
        if seen > limit:
            return self.serve(inner)
        return getattr(self, "mode_" + name.replace("429", "t429").replace("500", "e500"))(inner, nums, mode, handler)

    def mode_t429s(self, req, nums, mode, handler):
        return json_resp(429, {"error": "Too many requests"}, [("Retry-After", str(nums[1]))])

    def mode_t429d(self, req, nums, mode, handler):
        return json_resp(429, {"error": "Too many requests"}, [("Retry-After", http_date(time.time() + nums[1]))])

    def mode_t429r(self, req, nums, mode, handler):
        # Mastodon's way: no Retry-After, only the rate-limit headers.
        reset = time.time() + nums[1]
        return json_resp(429, {"error": "Too many requests"},
                         [("X-RateLimit-Limit", "300"), ("X-RateLimit-Remaining", "0"),
                          ("X-RateLimit-Reset", iso_ms(int(reset * 1000)))])

    def mode_e500(self, req, nums, mode, handler):
        return json_resp(500, {"error": "Internal server error"})

    def mode_trickle(self, req, nums, mode, handler):
        return Resp(200, [("Content-Type", "application/json; charset=utf-8")], b"", "trickle")

    def mode_truncate(self, req, nums, mode, handler):
        body = self.serve(req).body
        body = (body + b" " * 100)[:100]
        return Resp(200, [("Content-Type", "application/json; charset=utf-8")], body, "truncate")

    def mode_endless(self, req, nums, mode, handler):
        return Resp(200, [("Content-Type", "application/json; charset=utf-8")], b"", "endless")

    def mode_loop(self, req, nums, mode, handler):
        return Resp(302, [("Location", "%s/x/%s%s" % (req.base, mode, req.target))], b"")

    def mode_loop2(self, req, nums, mode, handler):
        # A relative Location, so clients resolve it against the request URL.
        other = mode.replace("loop2", "loop2b", 1)
        return Resp(302, [("Location", "/x/%s%s" % (other, req.target))], b"")

    def mode_loop2b(self, req, nums, mode, handler):
        other = mode.replace("loop2b", "loop2", 1)
        return Resp(302, [("Location", "/x/%s%s" % (other, req.target))], b"")

    def mode_offhost(self, req, nums, mode, handler):
        scheme = req.base.split(":", 1)[0]
        return Resp(302, [("Location", "%s://localhost:%d%s" % (scheme, handler.server.server_port, req.target))], b"")

    def mode_badjson(self, req, nums, mode, handler):
        body = self.serve(req).body
        if len(body) < 4:
            body = b'{"id":"1","content":"<p>cut here'
        return Resp(200, [("Content-Type", "application/json; charset=utf-8")], body[:len(body) // 2])

    def mode_html(self, req, nums, mode, handler):
        return Resp(200, [("Content-Type", "text/html")], b"<html><body>502 Bad Gateway</body></html>")

    def mode_ratelimit(self, req, nums, mode, handler):
        resp = self.serve(req)
        reset = time.time() + nums[1]
        resp.set_header("X-RateLimit-Remaining", "0")
        resp.set_header("X-RateLimit-Reset", iso_ms(int(reset * 1000)))
        resp.set_header("RateLimit-Remaining", "0")
        resp.set_header("RateLimit-Reset", str(int(reset)))
        return resp

    def mode_slowpage(self, req, nums, mode, handler):
        time.sleep(nums[1] / 1000.0)
        return self.serve(req)


# mode name -> the numbers of arguments it takes
MODES = {"429s": (2,), "429d": (2,), "429r": (2,), "500": (1,), "ratelimit": (2,), "slowpage": (2,),
         "trickle": (0, 1), "truncate": (0, 1), "endless": (0, 1), "loop": (0, 1),
         "loop2": (0, 1), "loop2b": (0, 1), "offhost": (0, 1), "badjson": (0, 1),
         "html": (0, 1)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "chorus-test/1"
    timeout = 60  # idle keep-alive connections end

    def log_message(self, fmt, *args):
        pass  # quiet: the request log is the record

    def do_GET(self):
        self.answer("GET")

    def do_POST(self):
        self.answer("POST")

    def do_HEAD(self):
        self.answer("HEAD")

    def answer(self, method):
        app = self.server.app
        n = self.headers.get("Content-Length", "0")
        body = self.rfile.read(min(int(n), 1 << 20)) if n.isdigit() and int(n) > 0 else b""
        host = self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_port
        req = Req(method, self.path, self.headers, body, "%s://%s" % (self.server.scheme, host))
        try:
            if req.path.startswith("/control/"):
                resp = app.control(req)
            else:
                app.log(method, self.path, self.headers)
                resp = app.misbehave(req, self) if req.path.startswith("/x/") else app.serve(req)
        except Exception as e:  # a bug in this server: say so, answer 500
            print("server.py: %s %s: %r" % (method, self.path, e), file=sys.stderr)
            resp = json_resp(500, {"error": "test server bug: %r" % e})
        self.send(resp, method)

    def send(self, resp, method):
        self.send_response(resp.status)
        for k, v in resp.headers:
            self.send_header(k, v)
        if resp.stream in ("endless", "chunked"):
            self.send_header("Transfer-Encoding", "chunked")
        elif resp.stream == "trickle":
            self.send_header("Content-Length", "1000000")
        elif resp.stream == "truncate":
            self.send_header("Content-Length", "1000")
        elif resp.status != 304:
            self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        try:
            if resp.stream:
                getattr(self, "stream_" + resp.stream)(resp)
            elif resp.status != 304 and method != "HEAD":
                self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout, OSError):
            self.close_connection = True

    def stream_trickle(self, resp):
        while True:  # until the client gives up
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(1)

    def stream_truncate(self, resp):
        self.wfile.write(resp.body)
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def stream_endless(self, resp):
        chunk = b"%x\r\n%s\r\n" % (65536, b"[" * 65536)
        while True:  # about 1 MB/s until the client gives up
            self.wfile.write(chunk)
            self.wfile.flush()
            time.sleep(1 / 16)

    def stream_chunked(self, resp):
        body = resp.body
        for i in range(0, len(body), 4096):
            piece = body[i:i + 4096]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.wfile.write(b"0\r\n\r\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app, scheme, tls_context=None):
        self.app, self.scheme, self.tls_context = app, scheme, tls_context
        super().__init__(("127.0.0.1", 0), Handler)

    def finish_request(self, request, client_address):
        if self.tls_context is not None:
            # The handshake runs here, in the connection's thread.
            try:
                request.settimeout(30)
                request = self.tls_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass  # a client that went away is no news


def main():
    ap = argparse.ArgumentParser(description="chorus collectors' test HTTP server")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--log")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--posts", type=int, default=500)
    args = ap.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if args.posts < 1 or args.posts > 60000:
        ap.error("--posts must be 1..60000")
    app = App(args)
    servers = [Server(app, "http")]
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        servers.append(Server(app, "https", ctx))
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("".join("%d\n" % s.server_port for s in servers))
    os.replace(tmp, args.port_file)
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    try:
        servers[0].serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
