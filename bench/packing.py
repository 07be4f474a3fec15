#!/usr/bin/env python3
"""What packing many pages into one Gazelle request buys (issue 13), and
what happens as the service's cost limit shrinks. For each combination of
--pack and --max-complexity, on its own simulator (same seed): a first pull
into an empty cache, then a quiet night (a pull right after it), then, with
--nights N, N nights of `advance?days=1` + pull. Each row gives Gazelle
requests, nodes, the simulator's limit refusals, the budget gazsync learned,
and the wall time under the latency model (modelled from the counts: one
request at a time, so the costs add up) beside the measured one.

Only pulls: no target is needed. Writes a JSON document and a Markdown
table (--out PREFIX: PREFIX.json, PREFIX.md)."""
import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import bench  # noqa: E402  (Sim, Gazsync, modelled_seconds, fresh)

EPILOG = """examples:
  bench/packing.py --pack on,off                      # the default business
  bench/packing.py --pack on --max-complexity none,100000,20000,5000
  bench/packing.py --scale 20 --pack on --no-quiet    # the x20 first pull

The quiet night is the pull right after the first one: nothing changed
upstream, every read the policies ask for is made."""


def parse_args():
    p = argparse.ArgumentParser(
        prog="bench/packing.py", description=__doc__.split("\n\n")[0],
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pack", default="on,off",
                   help="comma list of on, off and default (gazsync's own, "
                   "no key written); default on,off")
    p.add_argument("--max-complexity", default="none",
                   help="comma list of the simulator's --max-complexity "
                   "values; none = no limit (default none)")
    p.add_argument("--request-nodes", type=int, default=0,
                   help="[gazsync] request_nodes (default: gazsync's)")
    p.add_argument("--nights", type=int, default=0,
                   help="nights of advance + pull after the quiet night")
    p.add_argument("--no-quiet", action="store_true",
                   help="only the first pull")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--out", default="packing",
                   help="output prefix: PREFIX.json, PREFIX.md")
    args = p.parse_args()
    args.build = os.path.abspath(args.build)
    args.out = os.path.abspath(args.out)
    if args.scale == int(args.scale):
        args.scale = int(args.scale)
    args.pack = [x.strip() for x in args.pack.split(",") if x.strip()]
    for x in args.pack:
        if x not in ("on", "off", "default"):
            p.error("--pack: %r is not on, off or default" % x)
    args.limits = []
    for x in args.max_complexity.split(","):
        x = x.strip()
        args.limits.append(None if x in ("", "none") else int(x))
    return args


def learned_budget(db):
    """What the cache remembers of the budget that passed (issue 13)."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        rows = con.execute("SELECT key, value FROM meta "
                           "WHERE key LIKE 'pull.request%'").fetchall()
    finally:
        con.close()
    return {k: v for k, v in rows}


def figures(sim, seconds):
    s = sim.stats()
    return {
        "gazelle_requests": s["graphqlRequests"],
        "nodes": s["nodes"],
        "bytes_received": s["bytesSent"],
        "limit_refusals": s.get("limitRefusals", 0),
        "by_root_field": s.get("byRootField", {}),
        "seconds": round(seconds, 2),
        "modelled_seconds": round(bench.modelled_seconds(
            s["graphqlRequests"], s["nodes"]), 1),
    }


def write_ini(path, pack, request_nodes):
    with open(path, "w") as f:
        f.write("; bench/packing.py\n[gazsync]\n")
        if pack != "default":
            f.write("pack = %s\n" % pack)
        if request_nodes:
            f.write("request_nodes = %d\n" % request_nodes)


def run_one(args, work, pack, limit):
    name = "pack-%s-limit-%s" % (pack, limit if limit else "none")
    ini = os.path.join(work, name + ".ini")
    write_ini(ini, pack, args.request_nodes)
    db = os.path.join(work, name + ".db")
    bench.fresh(db)
    extra = ["--max-complexity", str(limit)] if limit else []
    sim = bench.Sim(args.build, work, args.seed, args.scale, extra)
    gs = bench.Gazsync(args, db, sim, ini)
    out = {"pack": pack, "max_complexity": limit}
    try:
        gs.cmd("init")
        sim.reset()
        t0 = time.monotonic()
        gs.cmd("pull", now=sim.now())
        out["first_pull"] = figures(sim, time.monotonic() - t0)
        bench.log("%s: first pull %d requests" %
                  (name, out["first_pull"]["gazelle_requests"]))
        if not args.no_quiet:
            sim.reset()
            t0 = time.monotonic()
            gs.cmd("pull", now=sim.now())
            out["quiet_night"] = figures(sim, time.monotonic() - t0)
        nights = []
        for _ in range(args.nights):
            sim.advance(1)
            sim.reset()
            t0 = time.monotonic()
            gs.cmd("pull", now=sim.now())
            nights.append(figures(sim, time.monotonic() - t0))
        if nights:
            out["nights"] = {
                "count": len(nights),
                "gazelle_requests": sum(n["gazelle_requests"] for n in nights),
                "nodes": sum(n["nodes"] for n in nights),
                "limit_refusals": sum(n["limit_refusals"] for n in nights),
                "modelled_seconds": round(sum(n["modelled_seconds"]
                                              for n in nights), 1),
            }
        out["learned"] = learned_budget(db)
    finally:
        sim.stop()
    return out


def fmt(x):
    if x is None:
        return "-"
    if isinstance(x, float):
        return "{:,.1f}".format(x)
    if isinstance(x, int):
        return "{:,}".format(x)
    return str(x)


def markdown(doc):
    lines = [
        "Command: `%s`; seed %d, scale %s; latency model 300 ms a request "
        "+ 0.5 ms a node." % (doc["command"], doc["seed"], doc["scale"]), "",
        "| pack | max complexity | first pull: requests | nodes | refusals "
        "| modelled | measured | quiet night: requests | refusals | modelled "
        "| learned budget |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| --- |"]
    for r in doc["runs"]:
        f, q = r["first_pull"], r.get("quiet_night", {})
        learned = ", ".join("%s=%s" % kv for kv in sorted(r["learned"].items()))
        lines.append("| %s | %s | %s | %s | %s | %s s | %s s | %s | %s | %s | %s |" % (
            r["pack"], fmt(r["max_complexity"]) if r["max_complexity"]
            else "none", fmt(f["gazelle_requests"]), fmt(f["nodes"]),
            fmt(f["limit_refusals"]), fmt(f["modelled_seconds"]),
            fmt(f["seconds"]), fmt(q.get("gazelle_requests")),
            fmt(q.get("limit_refusals")),
            fmt(q.get("modelled_seconds")) + (" s" if q else ""),
            learned or "-"))
    if any("nights" in r for r in doc["runs"]):
        lines += ["", "| pack | max complexity | nights | requests | per night "
                  "| nodes | refusals | modelled |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for r in doc["runs"]:
            n = r.get("nights")
            if not n:
                continue
            lines.append("| %s | %s | %d | %s | %s | %s | %s | %s s |" % (
                r["pack"], fmt(r["max_complexity"]) if r["max_complexity"]
                else "none", n["count"], fmt(n["gazelle_requests"]),
                fmt(n["gazelle_requests"] / n["count"]), fmt(n["nodes"]),
                fmt(n["limit_refusals"]), fmt(n["modelled_seconds"])))
    return "\n".join(lines) + "\n"


def main():
    args = parse_args()
    doc = {"command": "bench/packing.py " + " ".join(sys.argv[1:]),
           "seed": args.seed, "scale": args.scale,
           "date": time.strftime("%Y-%m-%d"), "runs": []}
    with tempfile.TemporaryDirectory(prefix="gs-packing-") as work:
        for limit in args.limits:
            for pack in args.pack:
                doc["runs"].append(run_one(args, work, pack, limit))
    with open(args.out + ".json", "w") as f:
        json.dump(doc, f, indent=1)
    with open(args.out + ".md", "w") as f:
        f.write(markdown(doc))
    print(markdown(doc))


if __name__ == "__main__":
    main()
