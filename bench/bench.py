#!/usr/bin/env python3
"""The benchmarks of docs/benchmarks.md. Run by bench/run.sh inside
tools/harness/pg-harness.sh (PG_URL, SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY
come from there); writes a JSON document of every figure.

Phases: year (365 nights, beside baselines a and b), nochange, ingest,
push, memory. See bench/run.sh --help."""
import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import divergence

# The latency model of the reference (issue 12): a fixed cost per request
# and a cost per node returned. gazsync asks one request at a time, so a
# night's modelled wall time is the sum over its requests.
LATENCY_MS = 300.0
LATENCY_PER_NODE_MS = 0.5


def modelled_seconds(requests, nodes, factor=1.0):
    return factor * (requests * LATENCY_MS + nodes * LATENCY_PER_NODE_MS) / 1000

ENTITIES = ["users", "clients", "contacts", "pianos", "appointments",
            "timeline_entries"]
ROOT_FIELD = {"users": "allUsers", "clients": "allClients",
              "pianos": "allPianos", "appointments": "allEventsBatched",
              "timeline_entries": "allTimelineEntries"}
TABLE = {e: "gazelle_" + e for e in ENTITIES}


def log(*args):
    print("[bench]", *args, file=sys.stderr, flush=True)


def median(values):
    return statistics.median(values) if values else None


def http(method, url, body=None):
    req = urllib.request.Request(url, data=body, method=method)
    with urllib.request.urlopen(req, timeout=600) as resp:
        return json.loads(resp.read() or b"null")


class Sim:
    """A gazelle-sim process."""

    def __init__(self, build, work, seed, scale, extra=()):
        self.out = open(os.path.join(work, "sim-%d.out" % os.getpid()), "w+")
        args = [os.path.join(build, "tools/gazelle-sim/gazelle-sim"),
                "--port", "0", "--seed", str(seed)]
        if scale != 1:
            args += ["--scale", str(scale)]
        args += list(extra)  # e.g. --max-complexity N (bench/packing.py)
        self.proc = subprocess.Popen(args, stdout=self.out,
                                     stderr=subprocess.DEVNULL)
        for _ in range(1200):
            self.out.seek(0)
            line = self.out.readline().strip()
            if line.startswith("http"):
                self.url = line
                break
            if self.proc.poll() is not None:
                raise RuntimeError("gazelle-sim exited")
            time.sleep(0.1)
        else:
            raise RuntimeError("gazelle-sim did not start")

    def stats(self):
        return http("GET", self.url + "/__sim/stats")

    def reset(self):
        http("POST", self.url + "/__sim/stats/reset", b"")

    def advance(self, days=1):
        return http("POST", self.url + "/__sim/advance?days=%d" % days, b"")

    def now(self):
        return self.stats()["now"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.out.close()


class Double:
    def __init__(self):
        self.url = os.environ["SUPABASE_URL"]

    def stats(self):
        return http("GET", self.url + "/__double/stats")

    def reset(self):
        http("POST", self.url + "/__double/stats/reset", b"")


def psql(sql, db=None):
    conninfo = os.environ["PG_URL"]
    if db:
        conninfo = conninfo.replace("dbname=gazsync", "dbname=" + db)
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", conninfo,
                    "-c", sql], check=True, stdout=subprocess.DEVNULL)


def truncate_target():
    psql("TRUNCATE " + ", ".join(TABLE.values()) + ", gazsync_runs")


class Gazsync:
    def __init__(self, args, db, sim=None, config=None):
        self.bin = os.path.join(args.build, "gazsync")
        self.db = db
        self.sim = sim
        self.config = config

    def env(self):
        env = dict(os.environ)
        env["GAZSYNC_MIN_INTERVAL_MS"] = "0"
        env.pop("GAZSYNC_CONFIG", None)
        if self.sim:
            env["GAZELLE_API_URL"] = self.sim.url + "/graphql/private/"
        return env

    def cmd(self, *words, timed=False, now=None):
        args = [self.bin, "--db", self.db, "-q"]
        if self.config:
            args += ["--config", self.config]
        if now:
            args += ["--now", now]
        args += list(words)
        if timed:
            args = ["/usr/bin/time", "-v"] + args
        t0 = time.monotonic()
        proc = subprocess.run(args, env=self.env(), capture_output=True,
                              text=True)
        seconds = time.monotonic() - t0
        if proc.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(words),
                               proc.returncode, proc.stderr[-2000:]))
        rss_kib = None
        if timed:
            for line in proc.stderr.splitlines():
                if "Maximum resident set size" in line:
                    rss_kib = int(line.split(":")[1])
        return seconds, rss_kib

    def last_run(self):
        out = subprocess.run([self.bin, "--db", self.db, "runs", "--json",
                              "--limit", "1"], env=self.env(),
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout)[0]


def write_ini(path, users_policy, other_policy):
    """A baseline's config. Its pages are the seed's: its Python client asked
    `first: 100` for every list (issue 2 quotes its queries), whatever
    gazsync's own defaults are."""
    with open(path, "w") as f:
        for e in ENTITIES:
            if e == "contacts":
                continue
            f.write("[entity.%s]\npolicy = %s\npage_size = 100\n" %
                    (e, users_policy if e == "users" else other_policy))


# ---------------------------------------------------------------- year --

def night_figures(sim_stats, dbl_stats, seconds):
    by_root = sim_stats["byRootField"]
    per_entity = {}
    for e in ENTITIES:
        per_entity[e] = {
            "gazelle_requests": by_root.get(ROOT_FIELD.get(e, ""), 0),
            "supabase_requests": dbl_stats.get("requests_by_table", {})
            .get(TABLE[e], 0),
            "rows_sent": dbl_stats.get("by_table", {}).get(TABLE[e], 0),
        }
    return {
        "gazelle_requests": sim_stats["graphqlRequests"],
        "bytes_received": sim_stats["bytesSent"],
        "nodes": sim_stats["nodes"],
        "modelled_seconds": modelled_seconds(sim_stats["graphqlRequests"],
                                             sim_stats["nodes"]),
        "supabase_requests": dbl_stats["requests"],
        "rows_sent": dbl_stats["rows_written"],
        "seconds": seconds,
        "entities": per_entity,
    }


def run_flow(args, work, name, nights, ini=None, extra=(), diverge=False):
    """One flow on its own simulator (same seed) and cache: an initial
    mirror (not counted in the year, reported as the first sync), then
    `nights` nights of advance + sync; with `diverge`, the cache and the
    target are compared with the simulator's truth after every night."""
    truncate_target()
    sim = Sim(args.build, work, args.seed, args.default_scale)
    dbl = Double()
    db = os.path.join(work, "year-%s.db" % name)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    gs = Gazsync(args, db, sim, ini)
    try:
        gs.cmd("init")
        sim.reset()
        dbl.reset()
        seconds, _ = gs.cmd("sync", now=sim.now())  # the initial mirror
        result = {"nights": [], "users_changes": 0, "advance": [],
                  "first_sync": night_figures(sim.stats(), dbl.stats(),
                                              seconds)}
        trackers = {"cache": divergence.Tracker(),
                    "target": divergence.Tracker()} if diverge else None
        for night in range(nights):
            summary = sim.advance(1)
            result["users_changes"] += (summary["users"]["created"] +
                                        summary["users"]["updated"])
            sim.reset()
            dbl.reset()
            seconds, _ = gs.cmd("sync", *extra, now=sim.now())
            result["nights"].append(night_figures(sim.stats(), dbl.stats(),
                                                  seconds))
            if trackers and (night + 1) % args.divergence_every == 0:
                found = divergence.measure(sim.url, db, os.environ["PG_URL"])
                for place, tracker in trackers.items():
                    tracker.add(found[place])
            if (night + 1) % 30 == 0:
                log("%s: night %d/%d" % (name, night + 1, nights))
        if trackers:
            result["divergence"] = {place: t.summary()
                                    for place, t in trackers.items()}
        if name == "gazsync":
            result["nochange"] = nochange(args, gs, sim, dbl)
        return result
    finally:
        sim.stop()


def nochange(args, gs, sim, dbl):
    runs = []
    for _ in range(args.runs):
        sim.reset()
        dbl.reset()
        seconds, _ = gs.cmd("sync", now=sim.now())
        runs.append(night_figures(sim.stats(), dbl.stats(), seconds))
    return {
        "runs": len(runs),
        "gazelle_requests": median([r["gazelle_requests"] for r in runs]),
        "users_requests": median([r["entities"]["users"]["gazelle_requests"]
                                  for r in runs]),
        "supabase_requests": median([r["supabase_requests"] for r in runs]),
        "bytes_received": median([r["bytes_received"] for r in runs]),
        "nodes": median([r["nodes"] for r in runs]),
        "modelled_seconds": median([r["modelled_seconds"] for r in runs]),
        "seconds": median([r["seconds"] for r in runs]),
        "per_entity_gazelle": {
            e: median([r["entities"][e]["gazelle_requests"] for r in runs])
            for e in ENTITIES},
    }


def totals(flow, days):
    """Totals over the flow's nights, scaled to `days` nights."""
    nights = flow["nights"]
    k = days / len(nights)
    keys = ["gazelle_requests", "bytes_received", "supabase_requests",
            "rows_sent", "seconds", "nodes", "modelled_seconds"]
    out = {key: sum(n[key] for n in nights) * k for key in keys}
    out["entities"] = {
        e: {key: sum(n["entities"][e][key] for n in nights) * k
            for key in ("gazelle_requests", "supabase_requests", "rows_sent")}
        for e in ENTITIES}
    out["nights_measured"] = len(nights)
    out["scaled_to"] = days
    out["median_night_seconds"] = median([n["seconds"] for n in nights])
    return out


def phase_year(args, work):
    log("year: gazsync, %d nights" % args.days)
    main = run_flow(args, work, "gazsync", args.days, diverge=True)
    ini_a = os.path.join(work, "baseline-a.ini")
    ini_b = os.path.join(work, "baseline-b.ini")
    write_ini(ini_a, "always", "always")
    write_ini(ini_b, "if-empty", "always")
    log("year: baseline a, %d nights" % args.baseline_nights)
    base_a = run_flow(args, work, "a", args.baseline_nights, ini_a,
                      ("--all", "--batch", "1"))
    log("year: baseline b, %d nights" % args.baseline_nights)
    base_b = run_flow(args, work, "b", args.baseline_nights, ini_b,
                      ("--all", "--batch", "1"))
    t_main = totals(main, args.days)
    t_a = totals(base_a, args.days)
    t_b = totals(base_b, args.days)

    def ratio(x, y):
        return round(x / y, 1) if y else None
    return {
        "days": args.days,
        "baseline_nights": args.baseline_nights,
        "gazsync": t_main,
        "baseline_a": t_a,
        "baseline_b": t_b,
        "users_changes": main["users_changes"],
        "users_requests": t_main["entities"]["users"]["gazelle_requests"],
        "ratios": {
            "gazelle_requests_a": ratio(t_a["gazelle_requests"],
                                        t_main["gazelle_requests"]),
            "gazelle_requests_b": ratio(t_b["gazelle_requests"],
                                        t_main["gazelle_requests"]),
            "supabase_requests_a": ratio(t_a["supabase_requests"],
                                         t_main["supabase_requests"]),
            "supabase_requests_b": ratio(t_b["supabase_requests"],
                                         t_main["supabase_requests"]),
            "bytes_received_a": ratio(t_a["bytes_received"],
                                      t_main["bytes_received"]),
            "seconds_a": ratio(t_a["seconds"], t_main["seconds"]),
        },
        "nochange": main["nochange"],
        "first_sync": main["first_sync"],
        "divergence": main["divergence"],
        "divergence_every": args.divergence_every,
        "latency_model": {"ms_per_request": LATENCY_MS,
                          "ms_per_node": LATENCY_PER_NODE_MS},
        "nights": main["nights"],
    }


# -------------------------------------------------------------- ingest --

def fresh(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.unlink(path + suffix)


def cache_rows(db):
    total = 0
    for e in ENTITIES:
        out = subprocess.run(["sqlite3", db, "SELECT count(*) FROM %s" % e],
                             capture_output=True, text=True, check=True)
        total += int(out.stdout.strip())
    return total


SHELL_PRAGMAS = ("PRAGMA temp_store = MEMORY;\nPRAGMA cache_size = -32768;\n"
                 "PRAGMA wal_autocheckpoint = 10000;\n")


def phase_ingest(args, work, scale, keep_db):
    """Pull from the simulator (gazsync pull, fresh cache), record the
    pages, replay them through gazsync's code (gs_bench ingest) and through
    the sqlite3 shell; every one `runs` times, interleaved."""
    bench = os.path.join(args.build, "bench/gs_bench")
    sim = Sim(args.build, work, args.seed, scale)
    pages = os.path.join(work, "pages-%s" % scale)
    shutil.rmtree(pages, ignore_errors=True)
    os.makedirs(pages)
    out = {"scale": scale}
    try:
        env = dict(os.environ, GAZELLE_API_URL=sim.url + "/graphql/private/")
        rec = subprocess.run([bench, "record", pages], env=env,
                             capture_output=True, text=True, check=True)
        out["recorded"] = json.loads(rec.stdout)
        out["recorded"]["bytes"] = sum(
            os.path.getsize(os.path.join(pages, f)) for f in os.listdir(pages))
        now = sim.now()
        script = os.path.join(work, "shell-%s.sql" % scale)
        with open(script, "w") as f:
            f.write(SHELL_PRAGMAS)
            f.flush()
            subprocess.run([bench, "shell-sql", pages, now], stdout=f,
                           check=True)
        sim_runs, sim_rss, replay, replay_noseen, shell = [], [], [], [], []
        for run in range(args.runs):
            db = os.path.join(work, "ingest-sim-%s.db" % scale)
            fresh(db)
            gs = Gazsync(args, db, sim)
            gs.cmd("init")
            sim.reset()
            seconds, rss = gs.cmd("pull", timed=True, now=now)
            rows = cache_rows(db)
            sim_runs.append({"seconds": seconds, "rows": rows})
            sim_rss.append(rss)
            if run == 0 and keep_db:
                shutil.copy(db, keep_db)
                out["from_sim_gazelle_requests"] = sim.stats()[
                    "graphqlRequests"]
            for flag, sink in (([], replay), (["--no-seen"], replay_noseen)):
                db = os.path.join(work, "ingest-replay-%s.db" % scale)
                fresh(db)
                r = subprocess.run([bench, "ingest", db, pages] + flag,
                                   capture_output=True, text=True, check=True)
                figures = json.loads(r.stdout)
                figures["rows"] = cache_rows(db)  # contacts included
                sink.append(figures)
            db = os.path.join(work, "ingest-shell-%s.db" % scale)
            fresh(db)
            Gazsync(args, db).cmd("init")
            t0 = time.monotonic()
            with open(script) as f:
                subprocess.run(["sqlite3", "-bail", db], stdin=f, check=True,
                               stdout=subprocess.DEVNULL)
            shell.append({"seconds": time.monotonic() - t0,
                          "rows": cache_rows(db)})
            log("ingest x%s run %d: sim %.1fs, replay %.1fs, shell %.1fs" %
                (scale, run + 1, seconds, replay[-1]["seconds"],
                 shell[-1]["seconds"]))
    finally:
        sim.stop()
        shutil.rmtree(pages, ignore_errors=True)

    def summary(runs):
        s = median([r["seconds"] for r in runs])
        rows = runs[0]["rows"]
        return {"rows": rows, "seconds": round(s, 3),
                "rows_per_s": round(rows / s) if s else None,
                "runs": [round(r["seconds"], 3) for r in runs]}
    out["from_sim"] = summary(sim_runs)
    out["from_sim"]["peak_rss_kib"] = max(sim_rss)
    out["replay"] = summary(replay)
    out["replay_no_seen"] = summary(replay_noseen)
    out["sqlite3_shell"] = summary(shell)
    # ratios per run (the same run), then their median
    out["ratio_replay_vs_shell"] = round(median(
        [a["seconds"] / b["seconds"] for a, b in zip(replay, shell)]), 2)
    out["ratio_replay_no_seen_vs_shell"] = round(median(
        [a["seconds"] / b["seconds"] for a, b in zip(replay_noseen, shell)]),
        2)
    out["ratio_sim_vs_shell"] = round(median(
        [a["seconds"] / b["seconds"] for a, b in zip(sim_runs, shell)]), 2)
    return out


# ---------------------------------------------------------------- push --

def export_csv(db, work):
    """Every cache row as the CSV of its Supabase table's columns."""
    files = {}
    for e in ENTITIES:
        cols = subprocess.run(
            ["sqlite3", db, "SELECT name FROM pragma_table_info('%s')" % e],
            capture_output=True, text=True, check=True).stdout.split()
        owned = [c for c in cols if c not in ("id", "row_hash", "change_seq",
                                              "pulled_at", "deleted_at",
                                              "raw")]
        select = ", ".join(["id"] + owned + ["raw", "deleted_at",
                            "strftime('%Y-%m-%dT%H:%M:%SZ','now')"])
        path = os.path.join(work, "copy-%s.csv" % e)
        with open(path, "w") as f:
            subprocess.run(["sqlite3", "-csv", db,
                            "SELECT %s FROM %s" % (select, e)], stdout=f,
                           check=True)
        files[e] = (path, ["external_id"] + owned +
                    ["raw", "deleted_at", "synced_at"])
    return files


def copy_load(files):
    script = "".join(
        "\\copy %s (%s) FROM '%s' WITH (FORMAT csv)\n" %
        (TABLE[e], ", ".join('"%s"' % c for c in cols), path)
        for e, (path, cols) in files.items())
    t0 = time.monotonic()
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    os.environ["PG_URL"], "-c", "BEGIN"] +
                   sum([["-c", line] for line in script.splitlines()], []) +
                   ["-c", "COMMIT"], check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - t0


def target_rows():
    out = subprocess.run(
        ["psql", "-XAtq", os.environ["PG_URL"], "-c",
         "SELECT " + " + ".join("(SELECT count(*) FROM %s)" % t
                                for t in TABLE.values())],
        capture_output=True, text=True, check=True).stdout
    return int(out.strip())


def phase_push_postgres(args, work, source_db, scale):
    """--target postgres: the libpq target (COPY + merge) beside psql
    \\copy of the same rows, in the same run; no double, no per-row
    sample (that is the REST target's question)."""
    db = os.path.join(work, "push-pg-%s.db" % scale)
    ini = os.path.join(work, "push-pg.ini")
    with open(ini, "w") as f:
        f.write("[push]\ntarget = postgres\n")
        if args.batch_rows:
            f.write("batch_rows = %d\n" % args.batch_rows)
    os.environ["GAZSYNC_PG_URL"] = os.environ["PG_URL"]
    pushes, copies, rss = [], [], []
    rows = cache_rows(source_db)
    for run in range(args.runs):
        truncate_target()
        psql("TRUNCATE gazsync_push_state")
        fresh(db)
        shutil.copy(source_db, db)
        seconds, peak = Gazsync(args, db, config=ini).cmd("push", timed=True)
        pushes.append({"seconds": seconds, "rows": target_rows()})
        rss.append(peak)
        truncate_target()
        files = export_csv(source_db, work)
        copies.append(copy_load(files))
        for path, _ in files.values():
            os.unlink(path)
        log("push (postgres) x%s run %d: gazsync %.1fs, COPY %.1fs" %
            (scale, run + 1, seconds, copies[-1]))
    truncate_target()
    push_s = median([p["seconds"] for p in pushes])
    return {
        "scale": scale, "rows": rows, "target": "postgres",
        "gazsync": {"seconds": round(push_s, 3),
                    "rows_per_s": round(rows / push_s),
                    "rows_written": pushes[0]["rows"],
                    "runs": [round(p["seconds"], 3) for p in pushes],
                    "peak_rss_kib": max(rss)},
        "copy": {"seconds": round(median(copies), 3),
                 "runs": [round(c, 3) for c in copies]},
        "ratio_push_vs_copy": round(median(
            [p["seconds"] / c for p, c in zip(pushes, copies)]), 2),
    }


def phase_push(args, work, source_db, scale, sample_db):
    if args.target == "postgres":
        return phase_push_postgres(args, work, source_db, scale)
    dbl = Double()
    db = os.path.join(work, "push-%s.db" % scale)
    pushes, copies, exports, rss = [], [], [], []
    rows = cache_rows(source_db)
    for run in range(args.runs):
        truncate_target()
        fresh(db)
        shutil.copy(source_db, db)
        dbl.reset()
        seconds, peak = Gazsync(args, db).cmd("push", timed=True)
        st = dbl.stats()
        pushes.append({"seconds": seconds, "requests": st["requests"],
                       "rows": st["rows_written"]})
        rss.append(peak)
        truncate_target()
        t0 = time.monotonic()
        files = export_csv(source_db, work)
        exports.append(time.monotonic() - t0)
        copies.append(copy_load(files))
        for path, _ in files.values():
            os.unlink(path)
        log("push x%s run %d: gazsync %.1fs, COPY %.1fs (+ export %.1fs)" %
            (scale, run + 1, seconds, copies[-1], exports[-1]))
    # one request per row, on a sample: clients + pianos of the default
    # business, pushed with --batch 1
    per_row = []
    for run in range(args.runs):
        truncate_target()
        fresh(db)
        shutil.copy(sample_db, db)
        dbl.reset()
        seconds, _ = Gazsync(args, db).cmd("push", "clients", "pianos",
                                           "--batch", "1")
        st = dbl.stats()
        per_row.append({"seconds": seconds, "rows": st["rows_written"],
                        "requests": st["requests"]})
    truncate_target()
    push_s = median([p["seconds"] for p in pushes])
    copy_s = median(copies)
    row_rate = median([p["rows"] / p["seconds"] for p in per_row])
    return {
        "scale": scale,
        "rows": rows,
        "gazsync": {"seconds": round(push_s, 3),
                    "rows_per_s": round(rows / push_s),
                    "requests": pushes[0]["requests"],
                    "rows_written": pushes[0]["rows"],
                    "runs": [round(p["seconds"], 3) for p in pushes],
                    "peak_rss_kib": max(rss)},
        "copy": {"seconds": round(copy_s, 3),
                 "rows_per_s": round(rows / copy_s),
                 "export_seconds": round(median(exports), 3),
                 "runs": [round(c, 3) for c in copies]},
        "one_request_per_row": {
            "sample_rows": per_row[0]["rows"],
            "sample_requests": per_row[0]["requests"],
            "rows_per_s": round(row_rate),
            "scaled_seconds": round(rows / row_rate, 1)},
        "ratio_push_vs_copy": round(median(
            [p["seconds"] / c for p, c in zip(pushes, copies)]), 2),
        "ratio_push_vs_copy_with_export": round(median(
            [p["seconds"] / (c + x)
             for p, c, x in zip(pushes, copies, exports)]), 2),
        "ratio_one_per_row_vs_push": round((rows / row_rate) / push_s, 1),
    }


# ---------------------------------------------------------------- main --

def machine():
    model = ""
    for line in subprocess.run(["lscpu"], capture_output=True,
                               text=True).stdout.splitlines():
        if line.startswith("Model name"):
            model = line.split(":", 1)[1].strip()
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem_kib = int(line.split()[1])
    sqlite_v = subprocess.run(["sqlite3", "--version"], capture_output=True,
                              text=True).stdout.split()[0]
    pg_v = subprocess.run(["psql", "--version"], capture_output=True,
                          text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu": model,
            "memory_gib": round(mem_kib / 1048576, 1),
            "kernel": os.uname().release, "sqlite3": sqlite_v, "psql": pg_v}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--baseline-nights", type=int, default=3)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--scale", type=float, default=20)
    p.add_argument("--default-scale", type=float, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--phases", default="year,ingest,push")
    p.add_argument("--divergence-every", type=int, default=1)
    p.add_argument("--command", default="")
    p.add_argument("--batch-rows", type=int, default=0,
                   help="[push] batch_rows of the postgres target's pushes "
                        "(0: the default)")
    p.add_argument("--push-caches", default="",
                   help="DEFAULT.db,LARGE.db: push these pulled caches "
                        "instead of pulling them (the ingest phase is "
                        "skipped)")
    p.add_argument("--target", choices=("supabase", "postgres"),
                   default="supabase",
                   help="the push phase's target ([push] target)")
    args = p.parse_args()
    if args.scale == int(args.scale):
        args.scale = int(args.scale)
    if args.default_scale == int(args.default_scale):
        args.default_scale = int(args.default_scale)
    phases = args.phases.split(",")
    work = tempfile.mkdtemp(prefix="gazsync-bench.")
    doc = {"machine": machine(), "command": args.command,
           "default_scale": args.default_scale, "scale": args.scale,
           "seed": args.seed, "runs": args.runs,
           "date": time.strftime("%Y-%m-%d")}
    try:
        if "year" in phases:
            doc["year"] = phase_year(args, work)
        if args.push_caches and "push" in phases:
            small, big = args.push_caches.split(",")
            doc["push_caches"] = args.push_caches
            doc["push"] = {"default": phase_push(args, work, small,
                                                 args.default_scale, small),
                           "large": phase_push(args, work, big, args.scale,
                                               small)}
            doc["memory"] = {
                "push_default_kib": doc["push"]["default"]["gazsync"][
                    "peak_rss_kib"],
                "push_large_kib": doc["push"]["large"]["gazsync"][
                    "peak_rss_kib"]}
        elif "ingest" in phases or "push" in phases:
            big = os.path.join(work, "big.db")
            small = os.path.join(work, "small.db")
            doc["ingest"] = {
                "default": phase_ingest(args, work, args.default_scale,
                                        small),
                "large": phase_ingest(args, work, args.scale, big)}
            if "push" in phases:
                doc["push"] = {"default": phase_push(args, work, small,
                                                     args.default_scale,
                                                     small),
                               "large": phase_push(args, work, big,
                                                   args.scale, small)}
            doc["memory"] = {
                "pull_default_kib": doc["ingest"]["default"]["from_sim"][
                    "peak_rss_kib"],
                "pull_large_kib": doc["ingest"]["large"]["from_sim"][
                    "peak_rss_kib"]}
            if "push" in phases:
                doc["memory"]["push_default_kib"] = doc["push"]["default"][
                    "gazsync"]["peak_rss_kib"]
                doc["memory"]["push_large_kib"] = doc["push"]["large"][
                    "gazsync"]["peak_rss_kib"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    log("wrote", args.out)


if __name__ == "__main__":
    main()
