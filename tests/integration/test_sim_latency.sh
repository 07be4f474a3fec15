#!/usr/bin/env bash
# The latency model: --latency-ms and --latency-per-node-ms delay every
# GraphQL answer by a fixed cost plus a cost per node returned, and the wait
# runs outside the data lock, so concurrent connections wait side by side
# (a server that served them one after another would take their sum).
source "$2/tools/gazelle-sim/tests/sim_env.sh"
start_sim SIM --seed 3 --clients 120 --pianos 100 --events 200 --timeline 300 \
  --latency-ms 600 --latency-per-node-ms 10
start_sim FLAT --seed 3 --clients 120 --pianos 100 --events 200 --timeline 300
python3 - "$SIM" "$FLAT" <<'PY'
import sys, time, threading
from simlib import *
base, flat = sys.argv[1], sys.argv[2]
ONE = {"query": "{ allClients(first: 1) { nodes { id } } }"}
MANY = {"query": "{ allClients(first: 100) { nodes { id } } }"}

def timed(url, body):
    t0 = time.monotonic()
    r = request(url, "POST", "/graphql/private/", body, timeout=60)
    return time.monotonic() - t0, r

# The fixed cost plus one node: at least 610 ms; 100 nodes at least 1.6 s.
s1, r1 = timed(base, ONE)
check(r1[0] == 200 and b'"nodes":[{' in r1[2], f"answered: {r1[0]}")
check(s1 >= 0.61, f"one node waits >= 610 ms ({s1:.3f} s)")
s100, r100 = timed(base, MANY)
check(r100[2].count(b'"id"') == 100, "100 nodes returned")
check(s100 >= 1.6, f"100 nodes wait >= 600 + 100 x 10 ms ({s100:.3f} s)")
# The same answer without the model (the bodies are the same).
s0, r0 = timed(flat, ONE)
check(r0[2] == r1[2], "the model changes the time, not the answer")

# Four concurrent 1.6 s requests: served one after another they would take
# >= 6.4 s; side by side about 1.6 s (a wide margin for a shared machine).
done = []
def worker():
    done.append(timed(base, MANY))
threads = [threading.Thread(target=worker) for _ in range(4)]
t0 = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join(120)
total = time.monotonic() - t0
check(len(done) == 4 and all(r[0] == 200 for _, r in done), "four answers")
check(all(s >= 1.6 for s, _ in done), "each waited its own latency")
check(total < 6.4, f"concurrent requests overlap ({total:.3f} s for 4 x 1.6 s)")

# The dump and the instruments are not API traffic: no model there.
t0 = time.monotonic(); sim_json(base, "GET", "/__sim/stats"); ts = time.monotonic() - t0
check(ts < 0.6, f"/__sim/stats is not delayed ({ts:.3f} s)")
finish()
PY
