#!/usr/bin/env python3
"""Checks the Supabase tables (over psql, $PG_URL) against a gazsync cache.

usage: compare_target.py CACHE.db --full | --landed

Reads every gazelle_<entity> table in one psql call (json_agg, timestamps in
UTC) and compares it with the cache's entity table: `external_id` is the
cache's `id`, and every other cache column but the bookkeeping ones
(row_hash, change_seq, pulled_at) must be equal after normalising types
(timestamps as instants, 0/1 as booleans, JSON text as values).

--full    the target holds exactly the cache: the same id set, every row
          equal, no duplicate external_id.
--landed  what a failed push may leave: every target row is a cache row and
          equals it (nothing stale, nothing invented, no duplicate), and
          every row the cache counts as pushed (change_seq <= its entity's
          push_state.last_pushed_seq, not in push_failures) is in the
          target. A row marked pushed but missing is a lost row.

Prints one line per entity; exits 1 with the differences otherwise.
"""
import datetime
import json
import os
import sqlite3
import subprocess
import sys

ENTITIES = ["users", "clients", "contacts", "pianos", "appointments",
            "timeline_entries"]
BOOKKEEPING = {"id", "row_hash", "change_seq", "pulled_at"}


def target_tables():
    query = "select json_build_object(%s)" % ", ".join(
        "'%s', (select coalesce(json_agg(row_to_json(t)), '[]') from gazelle_%s t)"
        % (e, e) for e in ENTITIES)
    psql = os.path.join(os.environ["PG_BIN"], "psql") if os.environ.get("PG_BIN") else "psql"
    env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning -c timezone=UTC")
    out = subprocess.run([psql, "-XAtq", "-v", "ON_ERROR_STOP=1", "-d",
                          os.environ["PG_URL"], "-c", query],
                         env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def instant(text):
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def same(cache, target):
    if cache is None or target is None:
        return cache is None and target is None
    if isinstance(target, bool):
        return bool(cache) == target
    if isinstance(target, (dict, list)):
        return (json.loads(cache) if isinstance(cache, str) else cache) == target
    if isinstance(target, str) and isinstance(cache, str):
        a, b = instant(cache), instant(target)
        if a and b and ("T" in cache or " " in cache):
            return a == b
        return cache == target
    return cache == target


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("--full", "--landed"):
        print(__doc__)
        return 2
    full = sys.argv[2] == "--full"
    con = sqlite3.connect(sys.argv[1])
    con.row_factory = sqlite3.Row
    tables = target_tables()
    problems = []
    for entity in ENTITIES:
        cache = {r["id"]: dict(r) for r in con.execute("select * from %s" % entity)}
        rows = tables[entity]
        target = {r["external_id"]: r for r in rows}
        if len(target) != len(rows):
            problems.append("%s: %d duplicate external_id" % (entity, len(rows) - len(target)))
        pushed_upto = con.execute(
            "select coalesce(max(last_pushed_seq), 0) from push_state where entity = ?",
            (entity,)).fetchone()[0]
        quarantined = {r[0] for r in con.execute(
            "select id from push_failures where entity = ?", (entity,))}
        invented = sorted(set(target) - set(cache))
        if invented:
            problems.append("%s: %d rows in the target not in the cache, e.g. %s"
                            % (entity, len(invented), invented[:3]))
        if full:
            must = set(cache)
        else:
            must = {i for i, r in cache.items()
                    if r["change_seq"] <= pushed_upto and i not in quarantined}
        missing = sorted(must - set(target))
        if missing:
            problems.append("%s: %d rows %s missing from the target, e.g. %s"
                            % (entity, len(missing),
                               "of the cache" if full else "marked pushed", missing[:3]))
        differ = 0
        for rid in set(cache) & set(target):
            for col, value in cache[rid].items():
                if col in BOOKKEEPING:
                    continue
                if not same(value, target[rid].get(col)):
                    differ += 1
                    if differ <= 3:
                        problems.append(("%s %s %s: cache %r, target %r"
                                         % (entity, rid, col, value,
                                            target[rid].get(col)))[:300])
                    break
        if differ:
            problems.append("%s: %d rows differ" % (entity, differ))
        print("  %-17s cache %5d, target %5d, marked pushed %5d, quarantined %d"
              % (entity, len(cache), len(rows), len(must) if not full else
                 sum(1 for r in cache.values() if r["change_seq"] <= pushed_upto),
                 len(quarantined)))
    for problem in problems:
        print("DIFF", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
