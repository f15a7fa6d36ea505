#!/usr/bin/env python3
"""dump.py WORKSPACE_DIR - the content of workspace.sqlite as canonical text.

Every table in name order, every row sorted, one line per row; the one
column that differs between two runs of the same night (runs.finished_at,
the wall clock) and runs.command_line (the workspace's path) are
blanked.  Opening the file read-write also replays a
hot rollback journal left by a killed run, as chorus would.
"""
import sqlite3
import sys

con = sqlite3.connect(sys.argv[1] + "/workspace.sqlite")
print("user_version", con.execute("PRAGMA user_version").fetchone()[0])
tables = [r[0] for r in con.execute(
    "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
for t in tables:
    cols = [r[1] for r in con.execute(f"PRAGMA table_info({t})")]
    rows = []
    for r in con.execute(f"SELECT * FROM {t}"):
        r = list(r)
        if t == "runs":
            r[cols.index("finished_at")] = ""
            r[cols.index("command_line")] = ""
        rows.append(repr(r))
    print(f"== {t} ({len(rows)} rows)")
    for r in sorted(rows):
        print(r)
con.close()
