#!/usr/bin/env python3
"""Checks that a gazsync cache holds exactly a gazelle-sim dump.

usage: compare_cache.py CACHE.db DUMP.json [--stale-before ENTITY=ISO]

Independent of gazsync's C code: the column mapping is read from
engine/entity/entity_map.c and applied here in Python, so a mapping bug in the C
extractor shows up as a difference. Every live row must match a dump node
(raw as a subset of the node, each typed column equal to the mapped value)
and every dump node must be a live row.

--stale-before timeline_entries=T accepts, and counts, timeline entries that
occurred before T and differ from upstream (edited after the cache read
them): the `since` policy cannot see those edits (a timeline entry has no
updatedAt at all); only its periodic full read repairs them.
"""
import json
import os
import re
import sqlite3
import sys

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DUMP_KEYS = {"users": "users", "clients": "clients", "pianos": "pianos",
             "appointments": "events", "timeline_entries": "timeline"}
ARRAYS = {"users": "user_columns", "clients": "client_columns",
          "contacts": "contact_columns", "pianos": "piano_columns",
          "appointments": "appointment_columns",
          "timeline_entries": "timeline_columns"}


def load_mapping():
    text = open(os.path.join(SRC, "engine", "entity", "entity_map.c")).read()
    mapping = {}
    for entity, array in ARRAYS.items():
        body = re.search(r"%s\[\] = \{(.*?)\n\};" % array, text, re.S).group(1)
        # a column may name the entity it refers to (a fourth field), and
        # clang-format may wrap a long one
        mapping[entity] = re.findall(
            r'\{\s*"(\w+)",\s*GS_COL_(\w+),\s*"([^"]+)"(?:,\s*"\w+")?\s*\}',
            body)
    return mapping


def extract(node, path):
    parts = path.split(".")
    for i, part in enumerate(parts):
        if part.endswith("[]"):
            items = node.get(part[:-2]) if isinstance(node, dict) else None
            if not isinstance(items, list):
                return None
            rest = ".".join(parts[i + 1:])
            return [extract(item, rest) for item in items]
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def typed(kind, value):
    if value is None:
        return None
    if kind == "BOOL":
        return 1 if value else 0
    if kind == "JSON":
        return value
    return value


def subset(part, whole, where):
    if isinstance(part, dict):
        if not isinstance(whole, dict):
            return "%s: object vs %r" % (where, whole)
        for key, value in part.items():
            if key not in whole:
                return "%s.%s: not in dump" % (where, key)
            problem = subset(value, whole[key], where + "." + key)
            if problem:
                return problem
        return None
    if isinstance(part, list):
        if not isinstance(whole, list) or len(part) != len(whole):
            return "%s: list differs" % where
        for i, (a, b) in enumerate(zip(part, whole)):
            problem = subset(a, b, "%s[%d]" % (where, i))
            if problem:
                return problem
        return None
    return None if part == whole else "%s: %r != %r" % (where, part, whole)


def client_contacts(client):
    """Every contact of a client (archived ones too) as the dump lists
    them: `allContacts` or `contacts`, a list or a connection's nodes."""
    listed = client.get("allContacts", client.get("contacts"))
    if isinstance(listed, dict):
        listed = listed.get("nodes")
    return [c for c in listed or [] if isinstance(c, dict) and c.get("id")]


def expected_nodes(dump):
    nodes = {e: dump[k] for e, k in DUMP_KEYS.items()}
    contacts = []
    for client in dump["clients"]:
        for contact in client_contacts(client):
            contact = dict(contact)
            contact["clientId"] = client["id"]
            contacts.append(contact)
    nodes["contacts"] = contacts
    return nodes


def main():
    db = sqlite3.connect(sys.argv[1])
    dump = json.load(open(sys.argv[2]))
    stale_before = {}
    if len(sys.argv) > 4 and sys.argv[3] == "--stale-before":
        entity, _, bound = sys.argv[4].partition("=")
        stale_before[entity] = bound
    stale = 0
    mapping = load_mapping()
    problems = []
    for entity, nodes in expected_nodes(dump).items():
        columns = mapping[entity]
        names = [c[0] for c in columns]
        rows = db.execute("SELECT %s, raw FROM %s WHERE deleted_at IS NULL"
                          % (", ".join('"%s"' % n for n in names), entity))
        cache = {row[0]: row for row in rows}
        want = {node["id"]: node for node in nodes}
        missing = sorted(set(want) - set(cache))
        extra = sorted(set(cache) - set(want))
        if missing:
            problems.append("%s: %d rows missing, e.g. %s" % (entity, len(missing), missing[:3]))
        if extra:
            problems.append("%s: %d rows not upstream, e.g. %s" % (entity, len(extra), extra[:3]))
        for rid in set(want) & set(cache):
            row, node = cache[rid], want[rid]
            bound = stale_before.get(entity)
            # Timeline entries have no stamp: an edit below the since bound
            # shows as a difference the policy tolerates (and counts).
            if bound and node.get("occurredAt", "") < bound and any(
                    row[i] != typed(kind, extract(node, path))
                    for i, (name, kind, path) in enumerate(columns)
                    if kind != "JSON"):
                stale += 1
                continue
            for i, (name, kind, path) in enumerate(columns):
                value = row[i]
                if kind == "JSON" and value is not None:
                    value = json.loads(value)
                expect = typed(kind, extract(node, path))
                if value != expect:
                    problems.append("%s %s column %s: cache %r, upstream %r"
                                    % (entity, rid, name, value, expect))
            if entity != "contacts":
                problem = subset(json.loads(row[-1]), node, entity + " " + rid)
                if problem:
                    problems.append("raw: " + problem)
        print("%-17s %6d rows upstream, %6d live in cache" % (entity, len(want), len(cache)))
    if stale_before:
        print("%d edited rows older than the since bound, stale by policy" % stale)
    for problem in problems[:20]:
        print("DIFF", problem)
    if problems:
        print("%d differences" % len(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
