#!/usr/bin/env python3
"""What does it cost to be how fresh? Runs N nights of one simulator seed
for each of several policy sets (gazsync INI files) on identical
simulators, and reports for each: Gazelle requests, bytes, nodes, wall time
under the latency model (modelled from the request and node counts),
Supabase requests, and divergence from the simulator's truth (the cache and
the Supabase target, every night: bench/divergence.py). Writes a JSON
document, a Markdown table and, with gnuplot, a PNG of Gazelle requests per
night against divergent rows per night (one point per policy set).

Needs PostgreSQL behind the PostgREST double: run outside the harness, it
starts one (tools/harness/pg-harness.sh) and runs itself inside it."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import bench  # noqa: E402  (Sim, Gazsync, Double, night_figures)
import divergence  # noqa: E402

EPILOG = """examples:
  bench/experiment.py --nights 60 --scale 0.2 bench/policies/*.ini
  bench/experiment.py --nights 5 --scale 0.05 --no-plot a.ini b.ini

Each INI is a gazsync config (usually only [entity.NAME] policy lines; the
Gazelle and Supabase endpoints come from the environment). Its name (the
file name without .ini) labels its row and point. The first sync of each
set is a full mirror; it is reported apart, not in the nightly figures."""


def parse_args():
    p = argparse.ArgumentParser(
        prog="bench/experiment.py", description=__doc__.split("\n\n")[0],
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("policies", nargs="+", metavar="POLICY.ini")
    p.add_argument("--nights", type=int, default=60)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--scale", type=float, default=1.0,
                   help="size of the simulated business (default 1)")
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--out", default="experiment",
                   help="output prefix: PREFIX.json, PREFIX.md, PREFIX.png")
    p.add_argument("--latency-ms", type=float, default=bench.LATENCY_MS)
    p.add_argument("--latency-per-node-ms", type=float,
                   default=bench.LATENCY_PER_NODE_MS)
    p.add_argument("--no-plot", action="store_true",
                   help="skip the PNG (gnuplot is then not needed)")
    args = p.parse_args()
    args.build = os.path.abspath(args.build)
    args.out = os.path.abspath(args.out)
    args.policies = [os.path.abspath(x) for x in args.policies]
    if args.scale == int(args.scale):
        args.scale = int(args.scale)
    args.default_scale = args.scale  # what bench.Sim and run_flow expect
    return args


def modelled(requests, nodes, args, factor=1.0):
    return factor * (requests * args.latency_ms +
                     nodes * args.latency_per_node_ms) / 1000


def run_set(args, work, ini):
    name = os.path.basename(ini)[:-4] if ini.endswith(".ini") else \
        os.path.basename(ini)
    bench.truncate_target()
    sim = bench.Sim(args.build, work, args.seed, args.scale)
    dbl = bench.Double()
    db = os.path.join(work, "exp-%s.db" % name)
    bench.fresh(db)
    gs = bench.Gazsync(args, db, sim, ini)
    trackers = {"cache": divergence.Tracker(), "target": divergence.Tracker()}
    nights = []
    users_changes = 0
    try:
        gs.cmd("init")
        sim.reset()
        dbl.reset()
        seconds, _ = gs.cmd("sync", now=sim.now())
        first = bench.night_figures(sim.stats(), dbl.stats(), seconds)
        for night in range(args.nights):
            summary = sim.advance(1)
            users_changes += (summary["users"]["created"] +
                              summary["users"]["updated"])
            sim.reset()
            dbl.reset()
            seconds, _ = gs.cmd("sync", now=sim.now())
            nights.append(bench.night_figures(sim.stats(), dbl.stats(),
                                              seconds))
            found = divergence.measure(sim.url, db, os.environ["PG_URL"])
            for place, tracker in trackers.items():
                tracker.add(found[place])
        sim.reset()
        dbl.reset()
        seconds, _ = gs.cmd("sync", now=sim.now())
        quiet = bench.night_figures(sim.stats(), dbl.stats(), seconds)
    finally:
        sim.stop()
    n = len(nights)

    def total(key):
        return sum(x[key] for x in nights)
    g_req, nodes = total("gazelle_requests"), total("nodes")
    bench.log("%s: %d Gazelle requests, %d divergent row-nights (cache)" %
              (name, g_req, trackers["cache"].summary()
               ["divergent_row_nights"]))
    return {
        "name": name, "ini": open(ini).read(), "nights": n,
        "gazelle_requests": g_req,
        "gazelle_requests_per_night": g_req / n if n else 0,
        "users_requests": sum(x["entities"]["users"]["gazelle_requests"]
                              for x in nights),
        "users_changes": users_changes,
        "per_entity_gazelle": {e: sum(x["entities"][e]["gazelle_requests"]
                                      for x in nights)
                               for e in bench.ENTITIES},
        "bytes_received": total("bytes_received"),
        "nodes": nodes,
        "supabase_requests": total("supabase_requests"),
        "seconds": total("seconds"),
        "modelled_seconds_per_night": modelled(g_req, nodes, args) / n
        if n else 0,
        "first_sync": dict(first, modelled_seconds=modelled(
            first["gazelle_requests"], first["nodes"], args)),
        "quiet_night": dict(quiet, modelled_seconds=modelled(
            quiet["gazelle_requests"], quiet["nodes"], args)),
        "divergence": {place: t.summary() for place, t in trackers.items()},
    }


def fmt(x, digits=0):
    if isinstance(x, float):
        return "{:,.{}f}".format(x, digits)
    return "{:,}".format(x)


def markdown(doc):
    a = doc["args"]
    lines = [
        "Command: `%s`" % doc["command"], "",
        "Seed %d, scale %s, %d nights per policy set, on identical "
        "simulators. Latency model %g ms per request + %g ms per node "
        "(modelled from the counts: gazsync sends one request at a time). "
        "Divergent rows: missing + gone + stale in the cache, each night; "
        "declared (users between forced reads, timeline edits between "
        "full reads) apart." % (a["seed"], a["scale"], a["nights"],
                                a["latency_ms"], a["latency_per_node_ms"]),
        "",
        "| policy set | Gazelle req./night | MB/night | modelled s/night "
        "| Supabase req. | divergent row-nights (cache) | (target) "
        "| worst night | longest (nights) | declared row-nights "
        "| users req. / changes | quiet night: Gazelle, Supabase |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: |"]
    for r in doc["sets"]:
        c, t = r["divergence"]["cache"], r["divergence"]["target"]
        n = max(r["nights"], 1)
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | "
                     "%d / %d | %d, %d |" % (
                         r["name"], fmt(r["gazelle_requests_per_night"], 1),
                         fmt(r["bytes_received"] / n / 1e6, 2),
                         fmt(r["modelled_seconds_per_night"], 1),
                         fmt(r["supabase_requests"]),
                         fmt(c["divergent_row_nights"]),
                         fmt(t["divergent_row_nights"]),
                         fmt(c["worst_night"]), fmt(c["longest_nights"]),
                         fmt(c["total"]["declared"]), r["users_requests"],
                         r["users_changes"],
                         r["quiet_night"]["gazelle_requests"],
                         r["quiet_night"]["supabase_requests"]))
    lines += ["", "Divergent row-nights per entity (cache; missing / gone / "
              "stale / declared):", "",
              "| policy set | " + " | ".join(bench.ENTITIES) +
              " | referenced users missing |",
              "| --- |" + " ---: |" * (len(bench.ENTITIES) + 1)]
    for r in doc["sets"]:
        ent = r["divergence"]["cache"]["entities"]
        cells = ["%d / %d / %d / %d" % tuple(
            ent[e][k]["row_nights"] for k in divergence.KINDS)
            for e in bench.ENTITIES]
        lines.append("| %s | %s | %d |" % (
            r["name"], " | ".join(cells),
            r["divergence"]["cache"]["referenced_users_missing_row_nights"]))
    return "\n".join(lines) + "\n"


def plot(doc, png):
    """Gazelle requests per night against divergent rows per night."""
    data = png[:-4] + ".dat"
    with open(data, "w") as f:
        for r in doc["sets"]:
            n = max(r["nights"], 1)
            f.write('"%s" %f %f\n' % (r["name"], r["gazelle_requests_per_night"],
                                      r["divergence"]["cache"]
                                      ["divergent_row_nights"] / n))
    # Sets close in cost share a spot: each label gets its own height.
    labels = "".join(
        'set label %d "%s" at %f,%f offset 1,%g left font ",10"\n' % (
            i + 1, r["name"], r["gazelle_requests_per_night"],
            r["divergence"]["cache"]["divergent_row_nights"] /
            max(r["nights"], 1), 0.8 + 1.3 * (i % 4))
        for i, r in enumerate(doc["sets"]))
    script = """set terminal pngcairo size 900,560 font ",11"
set output '%s'
set title "Cost against freshness: %d nights, seed %d, scale %s"
set xlabel "Gazelle requests per night"
set ylabel "divergent rows per night (cache, declared excluded)"
set grid
set key off
set logscale x
set offsets graph 0.05, graph 0.3, graph 0.15, graph 0.1
%splot '%s' using 2:3 with points pt 7 ps 1.6 lc rgb "#1f77b4"
""" % (png, doc["args"]["nights"], doc["args"]["seed"], doc["args"]["scale"],
       labels, data)
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.unlink(data)


def main():
    args = parse_args()
    if "PG_URL" not in os.environ:
        env = dict(os.environ, GS_BUILD_DIR=args.build)
        sys.exit(subprocess.run(
            ["bash", os.path.join(ROOT, "tools/harness/pg-harness.sh"), "run",
             "--", sys.executable, os.path.abspath(__file__)] + sys.argv[1:],
            env=env).returncode)
    work = tempfile.mkdtemp(prefix="gazsync-experiment.")
    doc = {"command": "bench/experiment.py " + " ".join(sys.argv[1:]),
           "args": {"nights": args.nights, "seed": args.seed,
                    "scale": args.scale, "latency_ms": args.latency_ms,
                    "latency_per_node_ms": args.latency_per_node_ms},
           "sets": []}
    try:
        for ini in args.policies:
            bench.log("experiment: %s, %d nights" % (ini, args.nights))
            doc["sets"].append(run_set(args, work, ini))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with open(args.out + ".json", "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    md = markdown(doc)
    if not args.no_plot:
        plot(doc, args.out + ".png")
        md = "![cost against freshness](%s.png)\n\n" % \
            os.path.basename(args.out) + md
    with open(args.out + ".md", "w") as f:
        f.write(md)
    bench.log("wrote %s.json and %s.md%s" % (
        args.out, args.out, "" if args.no_plot else " and .png"))


if __name__ == "__main__":
    main()
