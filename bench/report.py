#!/usr/bin/env python3
"""docs/benchmarks.md from the JSON bench/bench.py writes:
    python3 bench/report.py docs/benchmarks.json > docs/benchmarks.md
The notes (bench/notes.md, when present) are appended as they are."""
import json
import os
import sys

ENTITIES = ["users", "clients", "contacts", "pianos", "appointments",
            "timeline_entries"]


def n(x, digits=0):
    if x is None:
        return "-"
    if isinstance(x, float) and digits == 0:
        x = round(x)
    if digits:
        return "{:,.{}f}".format(x, digits)
    return "{:,}".format(x)


def mib(kib):
    return "-" if kib is None else "%.1f MiB" % (kib / 1024)


def ratio(x):
    return "-" if x is None else "%gx" % x


def targets(d):
    rows = []
    y = d.get("year")
    if y:
        rows.append(("users requests in the year <= user changes + 1",
                     "%s requests, %s changes" % (n(y["users_requests"]),
                                                  n(y["users_changes"])),
                     y["users_requests"] <= y["users_changes"] + 1))
        r = y["ratios"]["gazelle_requests_a"]
        rows.append(("Gazelle requests >= 20x fewer than baseline (a)",
                     ratio(r), r is not None and r >= 20))
        r = y["ratios"]["supabase_requests_a"]
        rows.append(("Supabase requests >= 200x fewer than baseline (a)",
                     ratio(r), r is not None and r >= 200))
        nc = y["nochange"]
        rows.append(("no-change night: 0 users, 0 Supabase requests",
                     "%s users, %s Supabase" % (n(nc["users_requests"]),
                                                n(nc["supabase_requests"])),
                     nc["users_requests"] == 0 and
                     nc["supabase_requests"] == 0))
    ing = d.get("ingest", {}).get("large")
    if ing:
        r = ing["ratio_replay_vs_shell"]
        rows.append(("ingest within 2x of the sqlite3 shell's time",
                     "%s of the shell's time" % ratio(r), r <= 2))
    push = d.get("push", {}).get("large")
    if push:
        r = push["ratio_push_vs_copy"]
        rows.append(("push within 3x of COPY's time",
                     "%s of COPY's time (%s counting the CSV export)" %
                     (ratio(r), ratio(push["ratio_push_vs_copy_with_export"])),
                     r <= 3))
    mem = d.get("memory")
    if mem:
        peak = max(v for k, v in mem.items() if "large" in k)
        rows.append(("peak memory < 64 MiB for the %sx business" %
                     d["scale"], mib(peak), peak < 64 * 1024))
    out = ["| target | measured | |", "| --- | --- | --- |"]
    for what, measured, ok in rows:
        out.append("| %s | %s | %s |" % (what, measured,
                                         "met" if ok else "**missed**"))
    return out


KINDS = ["missing", "gone", "stale", "declared"]


def latency_lines(label, f, model):
    """Wall time of one sync under the latency model, and at half and twice
    its figures (modelled from the counts: one request at a time)."""
    base = (f["gazelle_requests"] * model["ms_per_request"] +
            f["nodes"] * model["ms_per_node"]) / 1000
    return "| %s | %s | %s | %s | %s | %s | %.1f s | %.1f s | %.1f s | %.2f s |" % (
        label, n(f["gazelle_requests"]), n(f["nodes"]),
        n(f["bytes_received"]), n(f["supabase_requests"]),
        n(f.get("rows_sent")), base / 2, base, base * 2, f["seconds"])


def first_sync_section(y):
    model = y["latency_model"]
    nights = y["nights"]
    k = len(nights)
    mean = {key: sum(x[key] for x in nights) / k for key in
            ("gazelle_requests", "nodes", "bytes_received",
             "supabase_requests", "rows_sent", "seconds")}
    nc = dict(y["nochange"], rows_sent=0)
    return ["## 0. A first sync, an average night and a quiet night", "",
            "The default business on the real-API simulator (its schema "
            "is `schema/gazelle.graphql`). Wall time under the latency "
            "model: **%g ms per request + %g ms per node**, the reference "
            "of issue 12, beside half and twice those figures; modelled "
            "from the request and node counts (gazsync sends one request "
            "at a time, so the costs add up), and the measured wall time "
            "on this machine against a simulator with no latency "
            "(`gazelle-sim --latency-ms` / `--latency-per-node-ms` put the "
            "same model on the wire)." % (model["ms_per_request"],
                                          model["ms_per_node"]), "",
            "| sync | Gazelle requests | nodes | bytes | Supabase requests "
            "| rows sent | wall at half | **wall, reference** | wall at "
            "twice | measured (no latency) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: |",
            latency_lines("first sync (full mirror)", y["first_sync"], model),
            latency_lines("a night, mean of %d" % k, mean, model),
            latency_lines("a quiet night (right after a sync)", nc, model),
            ""]


def divergence_section(y):
    dv = y.get("divergence")
    if not dv:
        return []
    every = y.get("divergence_every", 1)
    out = ["### Divergence from the truth", "",
           "After %s, the cache and the Supabase target (PostgreSQL behind "
           "the double) compared with the simulator's truth (`GET "
           "/__sim/dump`) by `bench/divergence.py`: **missing** (live "
           "upstream, absent or marked deleted), **gone** (live here, "
           "deleted upstream), **stale** (a field gazsync asked for differs "
           "from the truth), and **declared**: stale rows a policy says it "
           "does not see until a later read (users between forced reads, "
           "timeline entries between full reads), counted apart, not "
           "hidden. %d comparisons; a row-night is one row divergent at one "
           "comparison." % ("every night" if every == 1 else
                            "every %dth night" % every,
                            dv["cache"]["nights"]), "",
           "| place | divergent row-nights | worst comparison (rows) | "
           "longest run (comparisons) | declared row-nights | referenced "
           "users missing |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for place in ("cache", "target"):
        t = dv[place]
        out.append("| %s | %s | %s | %s | %s | %s |" % (
            place, n(t["divergent_row_nights"]), n(t["worst_night"]),
            n(t["longest_nights"]), n(t["total"]["declared"]),
            n(t["referenced_users_missing_row_nights"])))
    out += ["", "Per entity (the cache; the target's are in "
            "`docs/benchmarks.json`): row-nights, then the worst "
            "comparison and the longest run of each kind.", "",
            "| entity | " + " | ".join(KINDS) + " |",
            "| --- |" + " ---: |" * len(KINDS)]
    for e in ENTITIES:
        ent = dv["cache"]["entities"][e]
        out.append("| %s | %s |" % (e, " | ".join(
            "%s (worst %s, longest %s)" % (n(ent[k]["row_nights"]),
                                           n(ent[k]["worst_night"]),
                                           n(ent[k]["longest_nights"]))
            for k in KINDS)))
    out.append("")
    return out


def year_section(d):
    y = d["year"]
    g, a, b = y["gazsync"], y["baseline_a"], y["baseline_b"]
    out = ["## 1. A year of nights", "",
           "The default business (simulator seed %d, scale %s), an initial "
           "mirror (not counted), then %d nights of `gazsync sync`, each "
           "after `POST /__sim/advance?days=1` and with `--now` = the "
           "simulator's clock. Gazelle requests are the simulator's count "
           "(`byRootField`), bytes its `bytesSent`, Supabase requests and "
           "rows the double's (`requests_by_table`, `by_table`). Baselines "
           "(a) and (b) run on their own simulator with the same seed and "
           "the same churn, through gazsync's own flags: an INI with "
           "`policy = always` for every entity (users `if-empty` in (b)) "
           "and `sync --all --batch 1`. They take minutes per night, so "
           "each ran **%d nights, scaled to %d** (every night of a full "
           "re-read costs about the same)." %
           (d["seed"], d["default_scale"], y["days"], y["baseline_nights"],
            y["days"]), ""]
    out += ["| per year | gazsync | baseline (a) | baseline (b) | (a) / gazsync |",
            "| --- | ---: | ---: | ---: | ---: |"]

    def line(label, key, digits=0, div=1.0):
        ga, aa, ba = g[key] / div, a[key] / div, b[key] / div
        out.append("| %s | %s | %s | %s | %s |" % (
            label, n(ga, digits), n(aa, digits), n(ba, digits),
            ratio(round(aa / ga, 1)) if ga else "-"))
    line("Gazelle requests", "gazelle_requests")
    line("bytes received from Gazelle (MB)", "bytes_received", 1, 1e6)
    line("Supabase requests", "supabase_requests")
    line("rows sent to Supabase", "rows_sent")
    line("wall time (s)", "seconds", 1)
    out += ["", "Per entity (requests per year; contacts travel inside "
            "clients; Supabase counts exclude the run-log table "
            "`gazsync_runs`):", "",
            "| entity | Gazelle: gazsync | (a) | (b) | Supabase: gazsync | (a) | (b) | rows sent: gazsync | (a) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for e in ENTITIES:
        ge, ae, be = g["entities"][e], a["entities"][e], b["entities"][e]
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            e, n(ge["gazelle_requests"]), n(ae["gazelle_requests"]),
            n(be["gazelle_requests"]), n(ge["supabase_requests"]),
            n(ae["supabase_requests"]), n(be["supabase_requests"]),
            n(ge["rows_sent"]), n(ae["rows_sent"])))
    out += ["", "Users: **%s users requests in the year for %s user "
            "changes** (hires and profile edits the simulator made: the sum "
            "of the advance summaries' `users.created + updated`). A hire "
            "is picked up when an appointment names the new technician; a "
            "profile edit alone is not seen until a forced users read." %
            (n(y["users_requests"]), n(y["users_changes"])),
            "", "A gazsync night takes %s s (median)." %
            n(g["median_night_seconds"], 2), ""]
    out += divergence_section(y)
    nc = y["nochange"]
    out += ["## 2. A night with no change", "",
            "`gazsync sync` right after a sync (median of %d):" % nc["runs"],
            "", "| Gazelle requests | of which users | Supabase requests | bytes received | wall time |",
            "| ---: | ---: | ---: | ---: | ---: |",
            "| %s | %s | %s | %s | %.2f s |" % (
                n(nc["gazelle_requests"]), n(nc["users_requests"]),
                n(nc["supabase_requests"]), n(nc["bytes_received"]),
                nc["seconds"]), "",
            "Gazelle requests per entity: " + ", ".join(
                "%s %s" % (e, n(v)) for e, v in
                nc["per_entity_gazelle"].items()) +
            ". Clients and pianos are read whole every night (`always`: "
            "no list can be asked by update time) and appointments their "
            "whole date window: that is the floor.", ""]
    return out


def ingest_section(d):
    out = ["## 3. Ingest", "",
           "A first pull into a fresh cache. *from the simulator*: "
           "`gazsync pull` against `gazelle-sim --scale X` (network, "
           "simulator rendering and gazsync's work). *recorded pages*: the "
           "same GraphQL answers recorded to files once (`bench/gs_bench "
           "record`), then fed through the pull's own code (`gs_bench "
           "ingest`: jansson parse, `gs_gazelle_page_parse`, "
           "`gs_pull_ingest_page` in one transaction per page with its "
           "checkpoint). *sqlite3 shell*: the same files inserted by the "
           "`sqlite3` shell with `readfile`, `json_each` and `json_extract` "
           "into a cache made by `gazsync init` (same tables, indexes and "
           "pragmas), the same columns from the same paths, one transaction "
           "per page (`gs_bench shell-sql` writes the script).", "",
           "| business | rows | from the simulator | recorded pages | recorded pages, no seen ids | sqlite3 shell | gazsync / shell (time) |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for key in ("default", "large"):
        i = d["ingest"][key]
        out.append("| x%s (%s pages, %.0f MB) | %s | %s rows/s (%.1f s) | "
                   "%s rows/s (%.1f s) | %s rows/s (%.1f s) | %s rows/s "
                   "(%.1f s) | %s |" % (
                       i["scale"], n(i["recorded"]["pages"]),
                       i["recorded"]["bytes"] / 1e6, n(i["from_sim"]["rows"]),
                       n(i["from_sim"]["rows_per_s"]),
                       i["from_sim"]["seconds"],
                       n(i["replay"]["rows_per_s"]), i["replay"]["seconds"],
                       n(i["replay_no_seen"]["rows_per_s"]),
                       i["replay_no_seen"]["seconds"],
                       n(i["sqlite3_shell"]["rows_per_s"]),
                       i["sqlite3_shell"]["seconds"],
                       ratio(i["ratio_replay_vs_shell"])))
    out += ["", "What differs: gazsync also computes `row_hash` (the shell "
            "writes 0), writes `raw` with its keys sorted (the shell's "
            "`json()` keeps Gazelle's order), and, as a first pull is a "
            "full read, records every id it sees for the deletion sweep "
            "(the *no seen ids* column leaves that out). The shell reads "
            "each file with `readfile` and numbers `change_seq` from the "
            "same `counters` row.", ""]
    return out


def push_section(d):
    out = ["## 4. Push", "",
           "A first push of those caches (every row) through the PostgREST "
           "double into a truncated PostgreSQL, with the default batches "
           "(500 rows, 4 MB); beside `psql` `\\copy` of the same rows (CSV "
           "exported from the cache with `sqlite3 -csv`) into the same "
           "tables, in one transaction; and beside one request per row "
           "(`push clients pianos --batch 1` on the default business, "
           "scaled to the row count).", "",
           "| business | rows | gazsync push | requests | COPY | COPY + CSV export | one request per row (scaled) | push / COPY (time) | one per row / push |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for key in ("default", "large"):
        p = d["push"][key]
        out.append("| x%s | %s | %s rows/s (%.1f s) | %s | %s rows/s (%.1f s) | "
                   "%.1f s | %s rows/s (%s s) | %s | %s |" % (
                       p["scale"], n(p["rows"]), n(p["gazsync"]["rows_per_s"]),
                       p["gazsync"]["seconds"], n(p["gazsync"]["requests"]),
                       n(p["copy"]["rows_per_s"]), p["copy"]["seconds"],
                       p["copy"]["seconds"] + p["copy"]["export_seconds"],
                       n(p["one_request_per_row"]["rows_per_s"]),
                       n(p["one_request_per_row"]["scaled_seconds"], 1),
                       ratio(p["ratio_push_vs_copy"]),
                       ratio(p["ratio_one_per_row_vs_push"])))
    out.append("")
    return out


def memory_section(d):
    m = d["memory"]
    out = ["## 5. Memory", "",
           "Peak resident set (`/usr/bin/time -v`, *Maximum resident set "
           "size*) of the first pull from the simulator and the first push "
           "above.", "", "| business | pull | push |", "| --- | ---: | ---: |",
           "| x%s | %s | %s |" % (d["default_scale"],
                                 mib(m.get("pull_default_kib")),
                                 mib(m.get("push_default_kib"))),
           "| x%s | %s | %s |" % (d["scale"], mib(m.get("pull_large_kib")),
                                 mib(m.get("push_large_kib"))), ""]
    return out


def main():
    d = json.load(open(sys.argv[1]))
    m = d["machine"]
    runs = d["runs"]
    if isinstance(runs, dict):
        # Merged from runs of different phases (bench/merge.py).
        how = ("The year ran %d time(s) (its request and row counts are "
               "deterministic for a seed); ingest, push and memory figures are "
               "medians of %d runs; every comparison is a ratio measured in the "
               "same run." % (runs["year"], runs["ingest_push"]))
    else:
        how = ("Every figure is the median of %d run(s); every comparison is "
               "a ratio measured in the same run." % runs)
    out = ["# Benchmarks", "",
           "Written by `bench/run.sh` (figures: `docs/benchmarks.json`). " +
           how, "",
           "Machine: %s CPUs (`nproc`), %s, %s GiB memory, Linux %s; %s; "
           "%s. Run on %s. The machine is shared with other work, so "
           "timings carry noise." % (m["nproc"], m["cpu"], m["memory_gib"],
                                      m["kernel"], "sqlite3 " + m["sqlite3"],
                                      m["psql"], d["date"]), "",
           "Reproduce (needs only what `scripts/demo.sh` installs):", "",
           "```sh"] + (d["command"] or "bench/run.sh").split("\n") + [
           "bench/run.sh --help      # options; --quick is a one-minute "
           "smoke run", "```", "", "## Targets", ""]
    out += targets(d)
    out.append("")
    if "year" in d and "first_sync" in d["year"]:
        out += first_sync_section(d["year"])
    if "year" in d:
        out += year_section(d)
    if "ingest" in d:
        if d.get("timing_date") and d["timing_date"] != d["date"]:
            out += ["*Sections 3 to 5 (ingest, push, memory) were not rerun "
                    "with the year: they are the run of %s, on the simulator "
                    "before the real-API rebuild. They measure the pull's "
                    "page ingest and the push, which the rebuild did not "
                    "change in kind; the year's request counts above are "
                    "the new simulator's.*" % d["timing_date"], ""]
        out += ingest_section(d)
    if "push" in d:
        out += push_section(d)
    if "memory" in d:
        out += memory_section(d)
    frontier = os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])),
                            "frontier.md")
    if os.path.exists(frontier):
        out += ["## 6. Cost against freshness: the policy frontier", "",
                "Written by `bench/experiment.py` (figures: "
                "`docs/frontier.json`).", "",
                open(frontier).read().rstrip(), ""]
    # Measured by hand with bench/run.sh --target postgres (see the file).
    pg = os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])),
                      "benchmarks-postgres.md")
    if os.path.exists(pg):
        out += ["## 7. The PostgreSQL target (`[push] target = postgres`)", "",
                open(pg).read().strip(), ""]
    # Written by hand from bench/packing.py and bench/experiment.py runs.
    packing = os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])),
                           "packing.md")
    if os.path.exists(packing):
        out += ["## 8. Many pages per request (`[gazsync] pack`)", "",
                open(packing).read().strip(), ""]
    notes = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "notes.md")
    if os.path.exists(notes):
        out += [open(notes).read().rstrip(), ""]
    print("\n".join(out))


if __name__ == "__main__":
    main()
