#!/usr/bin/env python3
"""Divergence: how far a cache (and its Supabase target) is from the
simulator's truth (`GET /__sim/dump`), per entity.

Three kinds, per row:
  missing  live upstream, absent (or marked deleted) here
  gone     live here, deleted upstream
  stale    here and upstream, but a field gazsync received differs from the
           truth (only the fields gazsync asks for are compared: the keys of
           the stored `raw`, recursively)
A stale row the policy declares (users between forced reads: `if-empty`;
timeline entries between full reads: `since`) is counted under its own name
(`declared`), never hidden and never mixed with the others.

As a command it prints one comparison as JSON (every divergent id):
  bench/divergence.py --sim URL --db CACHE [--pg CONNINFO]
As a module, Tracker adds nights up: divergent row-nights, the worst night
and the longest run of nights one row stayed divergent."""
import argparse
import json
import sqlite3
import subprocess
import sys
import urllib.request

ENTITIES = ["users", "clients", "contacts", "pianos", "appointments",
            "timeline_entries"]
DUMP_KEY = {"users": "users", "clients": "clients", "pianos": "pianos",
            "appointments": "events", "timeline_entries": "timeline"}
# What a policy says it will not see until a later read.
DECLARED = {"users": "users profile edit between forced reads",
            "timeline_entries": "timeline edit between full reads"}
KINDS = ["missing", "gone", "stale", "declared"]


def fetch_dump(sim_url):
    with urllib.request.urlopen(sim_url + "/__sim/dump", timeout=600) as r:
        return json.loads(r.read())


def truth_rows(dump):
    """{entity: {id: node}}; contacts from their clients (archived too)."""
    out = {e: {} for e in ENTITIES}
    for e, key in DUMP_KEY.items():
        for node in dump.get(key, []):
            out[e][node["id"]] = node
    for client in dump.get("clients", []):
        for c in (client.get("contacts") or {}).get("nodes", []):
            out["contacts"][c["id"]] = c
    return out


def referenced_users(dump):
    ids = set()
    for c in dump.get("clients", []):
        if c.get("preferredTechnicianId"):
            ids.add(c["preferredTechnicianId"])
    for key in ("events", "timeline"):
        for n in dump.get(key, []):
            for field in ("user", "createdBy"):
                if isinstance(n.get(field), dict):
                    ids.add(n[field]["id"])
    return ids


def cache_rows(db):
    """{entity: {id: (live, raw)}} from a gazsync cache."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        out = {}
        for e in ENTITIES:
            out[e] = {rid: (deleted is None, json.loads(raw)) for rid, deleted,
                      raw in con.execute("SELECT id, deleted_at, raw FROM %s"
                                         % e)}
        return out
    finally:
        con.close()


def target_rows(conninfo):
    """The same from the Supabase tables (PostgreSQL behind the double)."""
    out = {}
    for e in ENTITIES:
        sql = ("SELECT coalesce(json_agg(json_build_array(external_id, "
               "deleted_at IS NULL, raw)), '[]') FROM gazelle_%s" % e)
        text = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1",
                               conninfo, "-c", sql], check=True,
                              capture_output=True, text=True).stdout
        out[e] = {rid: (live, raw) for rid, live, raw in json.loads(text)}
    return out


def same(held, true):
    """Every field held agrees with the truth (fields the truth lacks, such
    as a contact's clientId that gazsync adds, are not compared)."""
    if isinstance(held, dict) and isinstance(true, dict):
        return all(same(v, true[k]) for k, v in held.items() if k in true)
    if isinstance(held, list) and isinstance(true, list):
        return len(held) == len(true) and all(
            same(a, b) for a, b in zip(held, true))
    return held == true


def compare(truth, rows, users_needed=()):
    """{entity: {kind: sorted ids}} plus 'referenced_users_missing'."""
    out = {}
    for e in ENTITIES:
        t, h = truth[e], rows.get(e, {})
        kinds = {k: [] for k in KINDS}
        for rid, node in t.items():
            if rid not in h or not h[rid][0]:
                kinds["missing"].append(rid)
            elif not same(h[rid][1], node):
                kinds["declared" if e in DECLARED else "stale"].append(rid)
        for rid, (live, _) in h.items():
            if live and rid not in t:
                kinds["gone"].append(rid)
        out[e] = {k: sorted(v) for k, v in kinds.items()}
    live_users = {rid for rid, (live, _) in rows.get("users", {}).items()
                  if live}
    out["referenced_users_missing"] = sorted(set(users_needed) - live_users)
    return out


class Tracker:
    """Adds nights up for one place (cache or target)."""

    def __init__(self):
        self.nights = 0
        self.row_nights = {e: {k: 0 for k in KINDS} for e in ENTITIES}
        self.worst = {e: {k: [0, None] for k in KINDS} for e in ENTITIES}
        self.runs = {}      # (entity, kind, id) -> nights in a row so far
        self.longest = {e: {k: 0 for k in KINDS} for e in ENTITIES}
        self.referenced_users_missing = 0
        self.per_night = []  # divergent rows (declared excluded) per night

    def add(self, result):
        self.nights += 1
        now = set()
        undeclared = 0
        for e in ENTITIES:
            for k in KINDS:
                ids = result[e][k]
                n = len(ids)
                self.row_nights[e][k] += n
                if k != "declared":
                    undeclared += n
                if n > self.worst[e][k][0]:
                    self.worst[e][k] = [n, self.nights]
                for rid in ids:
                    key = (e, k, rid)
                    now.add(key)
                    run = self.runs.get(key, 0) + 1
                    self.runs[key] = run
                    if run > self.longest[e][k]:
                        self.longest[e][k] = run
        self.runs = {key: v for key, v in self.runs.items() if key in now}
        self.referenced_users_missing += len(result["referenced_users_missing"])
        self.per_night.append(undeclared)

    def summary(self):
        ent = {}
        for e in ENTITIES:
            ent[e] = {k: {"row_nights": self.row_nights[e][k],
                          "worst_night": self.worst[e][k][0],
                          "worst_night_at": self.worst[e][k][1],
                          "longest_nights": self.longest[e][k]}
                      for k in KINDS}
        total = {k: sum(self.row_nights[e][k] for e in ENTITIES)
                 for k in KINDS}
        return {"nights": self.nights, "entities": ent, "total": total,
                "divergent_row_nights": sum(v for k, v in total.items()
                                            if k != "declared"),
                "worst_night": max(self.per_night, default=0),
                "longest_nights": max(
                    (self.longest[e][k] for e in ENTITIES for k in KINDS
                     if k != "declared"), default=0),
                "referenced_users_missing_row_nights":
                    self.referenced_users_missing,
                "per_night": self.per_night}


def measure(sim_url, db, conninfo=None):
    """One comparison of the cache (and the target when conninfo)."""
    dump = fetch_dump(sim_url)
    truth = truth_rows(dump)
    needed = referenced_users(dump)
    out = {"cache": compare(truth, cache_rows(db), needed)}
    if conninfo:
        out["target"] = compare(truth, target_rows(conninfo), needed)
    return out


def main():
    p = argparse.ArgumentParser(
        description="Compare a gazsync cache (and its Supabase target) with "
        "the simulator's truth; prints every divergent id as JSON.")
    p.add_argument("--sim", required=True, help="gazelle-sim base URL")
    p.add_argument("--db", required=True, help="the gazsync cache")
    p.add_argument("--pg", help="libpq conninfo of the target database")
    args = p.parse_args()
    json.dump(measure(args.sim, args.db, args.pg), sys.stdout, indent=1,
              sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
