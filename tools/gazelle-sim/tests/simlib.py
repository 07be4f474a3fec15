"""Helpers for the gazelle-sim integration tests (stdlib only)."""
import http.client
import json
import sys
import urllib.parse

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, file=sys.stderr)
    return cond


def finish():
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("ok")


def request(base, method, path, body=None, headers=None, timeout=60):
    """Returns (status, headers dict, body bytes)."""
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
        headers = dict(headers or {})
        headers.setdefault("Content-Type", "application/json")
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    hdrs = {k.lower(): v for k, v in resp.getheaders()}
    conn.close()
    return resp.status, hdrs, data


def gql(base, query, variables=None, headers=None, op=None):
    body = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if op:
        body["operationName"] = op
    status, _, data = request(base, "POST", "/graphql/private/", body, headers)
    return status, json.loads(data)


def sim_json(base, method, path, body=None):
    status, _, data = request(base, method, path, body)
    return status, json.loads(data)


def dump(base):
    return sim_json(base, "GET", "/__sim/dump")[1]


def advance(base, days):
    return sim_json(base, "POST", f"/__sim/advance?days={days}")[1]


ROOT_FIELDS = {
    "allUsers": "id createdAt updatedAt",
    "allClients": "id createdAt updatedAt",
    "allPianos": "id createdAt updatedAt",
    "allEventsBatched": "id start createdAt updatedAt",
    "allTimelineEntries": "id occurredAt createdAt updatedAt",
}
DUMP_KEY = {"allUsers": "users", "allClients": "clients",
            "allPianos": "pianos", "allEventsBatched": "events",
            "allTimelineEntries": "timeline"}


def page_all(base, root, args="", fields=None, first=100, between=None,
             shape="edges", variables_extra=None):
    """Pages a connection to the end. Returns (nodes, pages). between(i) is
    called after page i (e.g. to advance the clock)."""
    fields = fields or ROOT_FIELDS[root]
    decl = "$after: String, $first: Int"
    extra = ""
    if args:
        extra = ", " + args
    if shape == "edges":
        sel = f"edges {{ cursor node {{ {fields} }} }}"
    else:
        sel = f"nodes {{ {fields} }}"
    q = (f"query P({decl}{variables_extra or ''}) {{ {root}(first: $first, "
         f"after: $after{extra}) {{ {sel} pageInfo {{ hasNextPage endCursor "
         f"}} }} }}")
    nodes, after, pages = [], None, 0
    while True:
        status, doc = gql(base, q, {"after": after, "first": first})
        if not check(status == 200 and "errors" not in doc,
                     f"{root} page {pages}: {status} {str(doc)[:300]}"):
            return nodes, pages
        conn = doc["data"][root]
        page = ([e["node"] for e in conn["edges"]] if shape == "edges"
                else conn["nodes"])
        if shape == "edges" and conn["edges"]:
            check(conn["edges"][-1]["cursor"] == conn["pageInfo"]["endCursor"],
                  f"{root}: endCursor is the last edge's cursor")
        nodes.append(page)
        pages += 1
        if not conn["pageInfo"]["hasNextPage"]:
            return nodes, pages
        after = conn["pageInfo"]["endCursor"]
        if between:
            between(pages)
