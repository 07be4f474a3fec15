"""Helpers for the gazelle-sim integration tests (stdlib only)."""
import http.client
import json
import re
import sys
import urllib.parse

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what[:400], file=sys.stderr)
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


# The node fields page_all asks for by default, per connection root.
# allUsers is not here: it is a plain list, with no paging at all.
ROOT_FIELDS = {
    "allClients": "id createdAt updatedAt",
    "allPianos": "id createdAt updatedAt",
    "allEventsBatched": "id start createdAt updatedAt",
    "allTimelineEntries": "id occurredAt",
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


# ---- the schema (schema/gazelle.graphql), read for assertions ----

def sdl(path):
    """Reads the SDL into (types, enums): types maps an object or input
    type to {field: (type text, argument text)}, enums an enum to its values
    in order. Enough for Gazelle's schema (no descriptions, one field a
    line)."""
    text = open(path, encoding="utf-8").read()
    types, enums = {}, {}
    for m in re.finditer(r"^(type|input|enum) (\w+) \{\n(.*?)^\}", text,
                         re.M | re.S):
        kind, name, body = m.groups()
        if kind == "enum":
            enums[name] = body.split()
            continue
        fields = {}
        for line in body.splitlines():
            fm = re.match(r"\s*(\w+)(\(.*\))?: (\S+)\s*$", line)
            if fm:
                fields[fm.group(1)] = (fm.group(3), fm.group(2) or "")
        types[name] = fields
    return types, enums


def type_ok(value, t, types, enums):
    """Whether a JSON value fits GraphQL type text t ("[String!]!")."""
    if t.endswith("!"):
        if value is None:
            return False
        t = t[:-1]
    elif value is None:
        return True
    if t.startswith("["):
        return isinstance(value, list) and all(
            type_ok(v, t[1:-1], types, enums) for v in value)
    if t in enums:
        return value in enums[t]
    if t in types:
        return isinstance(value, dict)
    if t == "Boolean":
        return isinstance(value, bool)
    if t in ("Int", "BigInt"):
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "Float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "CoreDateTime":
        return isinstance(value, str) and re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value) is not None
    if t in ("CoreDate", "ISO8601Date"):
        return isinstance(value, str) and re.fullmatch(
            r"\d{4}-\d\d-\d\d", value) is not None
    if t == "JSON":
        return True
    return isinstance(value, str)


def default_of(t, types, enums):
    """The value the simulator gives an unmodelled field of type t (a leaf
    or a list): null, [], false, 0, "", the epoch, {}, or the first enum
    value."""
    if not t.endswith("!"):
        return None
    t = t[:-1]
    if t.startswith("["):
        return []
    if t in enums:
        return enums[t][0]
    return {"Boolean": False, "Int": 0, "BigInt": 0, "Float": 0,
            "CoreDateTime": "1970-01-01T00:00:00Z", "CoreDate": "1970-01-01",
            "ISO8601Date": "1970-01-01", "JSON": {}}.get(t, "")


def leaf_fields(types, enums, type_name):
    """The fields of type_name that take no required argument and whose
    named type is a scalar or an enum, with their type texts."""
    out = {}
    for name, (t, args) in types[type_name].items():
        named = t.strip("[]!")
        if named in types or "!" in args:
            continue
        out[name] = t
    return out
