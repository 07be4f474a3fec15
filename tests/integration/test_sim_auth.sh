#!/usr/bin/env bash
# Bearer tokens and API keys; tokens expire after N requests or N simulated
# seconds; refresh (form or JSON) rotates both tokens; client_credentials is
# refused with unsupported_grant_type as Gazelle does.
source "$2/tools/gazelle-sim/tests/sim_env.sh"
start_sim SIM --seed 9 --clients 50 --pianos 50 --events 50 --timeline 50 \
    --token AT0 --api-key KEY1 --refresh-token RT0 --client-id CID \
    --client-secret SEC --token-ttl-requests 3 --token-ttl-seconds 7200
start_sim OPEN --seed 9 --clients 50 --pianos 50 --events 50 --timeline 50
python3 - "$SIM" "$OPEN" <<'PY'
import sys, urllib.parse
from simlib import *
base, open_base = sys.argv[1:3]
Q = "{ allUsers { id } }"

def status(headers):
    return request(base, "POST", "/graphql/private/", {"query": Q}, headers)[0]

def bearer(t):
    return {"Authorization": "Bearer " + t}

def refresh(rt, as_json=False, grant="refresh_token", secret="SEC"):
    body = {"grant_type": grant, "refresh_token": rt, "client_id": "CID", "client_secret": secret}
    if as_json:
        s, _, d = request(base, "POST", "/developer/oauth/token", body)
    else:
        s, _, d = request(base, "POST", "/developer/oauth/token", urllib.parse.urlencode(body),
                          {"Content-Type": "application/x-www-form-urlencoded"})
    return s, json.loads(d)

check(request(open_base, "POST", "/graphql/private/", {"query": Q})[0] == 200,
      "no credential flags: no auth needed")
check(status({}) == 401, "no credentials: 401")
check(status(bearer("wrong")) == 401, "wrong token: 401")
check(status({"x-gazelle-api-key": "KEY1"}) == 200, "API key works")
check(status({"x-gazelle-api-key": "nope"}) == 401, "wrong API key: 401")
check([status(bearer("AT0")) for _ in range(4)] == [200, 200, 200, 401],
      "token answers ttl-requests requests, then 401")
check(all(status({"x-gazelle-api-key": "KEY1"}) == 200 for _ in range(5)), "API keys do not expire")

s, d = refresh("RT0", grant="client_credentials")
check(s == 400 and d["error"] == "unsupported_grant_type", f"client_credentials refused: {s} {d}")
s, d = refresh("RT0", secret="bad")
check(s == 401 and d["error"] == "invalid_client", f"bad secret: {s} {d}")
s, d = refresh("RT-wrong")
check(s == 400 and d["error"] == "invalid_grant", f"bad refresh token: {s} {d}")

s, d = refresh("RT0")
check(s == 200 and set(d) >= {"access_token", "token_type", "expires_in", "created_at", "refresh_token"},
      f"form refresh: {d}")
at1, rt1 = d["access_token"], d["refresh_token"]
check(d["token_type"] == "Bearer" and d["expires_in"] == 7200, "token type and expiry")
check(status(bearer(at1)) == 200, "new access token works")
check(status(bearer("AT0")) == 401, "old access token is retired")
s, d = refresh("RT0")
check(s == 400, "old refresh token is retired (rotation)")

s, d = refresh(rt1, as_json=True)
check(s == 200 and d["access_token"] != at1, f"JSON refresh: {d}")
at2 = d["access_token"]
check(status(bearer(at2)) == 200, "token from JSON refresh works")
advance(base, 1)  # 86400 simulated seconds > ttl 7200
check(status(bearer(at2)) == 401, "token expires with simulated time")
check(status({"x-gazelle-api-key": "KEY1"}) == 200, "API key still fine")
s, _, body = request(base, "GET", "/developer/oauth/token")
check(s == 404, "token endpoint is POST only")
finish()
PY
