#!/usr/bin/env python3
"""Reads gazelle-sim's /__sim/stats JSON on stdin.

  sim_stats.py FIELD     requests answered for a root field (allUsers, ...)
  sim_stats.py --now     the simulated clock
  sim_stats.py --summary one line: requests per root field
"""
import json
import sys

stats = json.load(sys.stdin)
arg = sys.argv[1]
if arg == "--now":
    print(stats["now"])
elif arg == "--summary":
    roots = stats["byRootField"]
    print(", ".join("%s %d" % (k, v) for k, v in sorted(roots.items()) if v) or "none")
else:
    print(stats["byRootField"].get(arg, 0))
