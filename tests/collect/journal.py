#!/usr/bin/env python3
"""journal.py STORE [EXPR] [FORMAT] - the records of a chorus store's journal.

Prints each record for which the Python expression EXPR (over the record r;
default True) holds, as FORMAT (a Python expression over r; default: the
record as compact JSON), one per line.  For the collector tests:

  journal.py st 'r["kind"] == "gap"'                  # the pauses
  journal.py st '"page" in r' 'r["url"] + " " + r["sha256"]'   # pages kept
"""
import json
import sys

store = sys.argv[1]
expr = sys.argv[2] if len(sys.argv) > 2 else "True"
fmt = sys.argv[3] if len(sys.argv) > 3 else None
with open(store + "/journal.jsonl", encoding="utf-8") as f:
    for line in f:
        if not line.endswith("\n"):
            break  # a torn last record (chorus drops it too)
        r = json.loads(line)
        if eval(expr, {}, {"r": r}):
            print(eval(fmt, {}, {"r": r}) if fmt else json.dumps(r, ensure_ascii=False))
