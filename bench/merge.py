#!/usr/bin/env python3
"""Merges two bench/bench.py documents: the year (and no-change night) of
the first, ingest, push and memory of the second. For publishing a long year
run beside more runs of the shorter timing phases:

    bench/run.sh --runs 1 --json /tmp/year.json --md -
    bench/run.sh --phases ingest,push --runs 3 --json /tmp/ip.json --md -
    python3 bench/merge.py /tmp/year.json /tmp/ip.json > docs/benchmarks.json
    python3 bench/report.py docs/benchmarks.json > docs/benchmarks.md
"""
import json
import sys

year = json.load(open(sys.argv[1]))
timing = json.load(open(sys.argv[2]))
doc = dict(timing)
for key in ("year", "no_change"):
    if key in year:
        doc[key] = year[key]
doc["runs"] = {"year": year["runs"] if isinstance(year["runs"], int)
               else year["runs"]["year"],
               # the timing document may itself be a merge
               "ingest_push": timing["runs"] if isinstance(timing["runs"], int)
               else timing["runs"]["ingest_push"]}
doc["date"] = year["date"]
doc["timing_date"] = timing.get("timing_date", timing["date"])
doc["command"] = "\n".join(c for c in (year.get("command"), timing.get("command")) if c)
json.dump(doc, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
