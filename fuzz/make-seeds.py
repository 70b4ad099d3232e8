#!/usr/bin/env python3
"""Writes small valid heap snapshots as fuzzing seeds (fuzz/seeds/): the layouts of Node 14,
Node 20 and Chromium, with shortcut, weak, WeakMap, shallow-size and detached-DOM cases, and
one with allocation traces (stacks and timeline samples)."""
import json
import os

NODE_TYPES = ["hidden", "array", "string", "object", "code", "closure", "regexp", "number",
              "native", "synthetic", "concatenated string", "sliced string", "symbol", "bigint",
              "object shape"]
EDGE_TYPES = ["context", "element", "property", "internal", "hidden", "shortcut", "weak"]


def snapshot(node_fields, user_roots, detached, traces=False):
    strings = ["<dummy>"]

    def s(text):
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    nodes = []  # (type, name, id, size, detachedness)
    edges = {}  # source -> [(type, name, target)]

    def node(ty, name, nid, size, det=0):
        nodes.append((ty, name, nid, size, det))
        return len(nodes) - 1

    def edge(a, ty, name, b):
        edges.setdefault(a, []).append((ty, name, b))

    root = node("synthetic", "", 1, 0)
    gc = node("synthetic", "(GC roots)", 3, 0)
    edge(root, "element", 1, gc)
    top = gc
    if user_roots:
        top = node("object", "global", 5, 40)
        edge(root, "shortcut", "global", top)
        edge(gc, "element", 1, top)
    obj = node("object", "Object", 7, 16)
    arr = node("array", "(object elements)", 9, 64)
    key = node("object", "Key", 11, 16)
    val = node("object", "Value", 13, 24)
    table = node("array", "(table)", 15, 32)
    fn = node("closure", "validate12", 17, 32)
    ctx = node("object", "system / Context", 19, 24)
    st = node("string", "hello", 21, 16)
    cons = node("concatenated string", "(concatenated string)", 23, 20)
    div = node("native", '<div id="x">', 24, 40, 2 if detached else 0)
    span = node("native", "<span>", 26, 30, 0)
    edge(top, "property", "o", obj)
    edge(top, "property", "k", key)
    edge(top, "property", "f", fn)
    edge(top, "weak", "w", val)
    edge(top, "element", 0, div)
    edge(obj, "internal", "elements", arr)
    edge(obj, "property", "type", st)
    edge(obj, "property", "required", cons)
    edge(obj, "internal", "table", table)
    pair = "part of key (Key @11) -> value (Value @13) pair in WeakMap (table @15)"
    edge(table, "internal", "1 / " + pair, val)
    edge(key, "internal", "2 / " + pair, val)
    edge(fn, "internal", "context", ctx)
    edge(ctx, "context", "schema", st)
    edge(cons, "internal", "first", st)
    edge(cons, "internal", "second", st)
    edge(div, "element", 1, span)
    edge(arr, "element", 0, obj)

    fields = len(node_fields)
    flat_nodes, flat_edges = [], []
    # Allocation stacks: the object by handle(), the closure by compile() called from handle().
    trace_of = {obj: 2, fn: 3} if traces else {}
    functions = [("(root)", "", 0, 0, 0), ("handle", "/app/a.js", 5, 3, 7),
                 ("compile", "/app/node_modules/lib/x.js", 6, 10, 2)] if traces else []
    trace_function_infos = []
    for i, (fname, script, sid, line, col) in enumerate(functions):
        trace_function_infos += [i, s(fname), s(script), sid, line, col]
    for i, (ty, name, nid, size, det) in enumerate(nodes):
        out = edges.get(i, [])
        record = {"type": NODE_TYPES.index(ty), "name": s(name), "id": nid, "self_size": size,
                  "edge_count": len(out), "trace_node_id": trace_of.get(i, 0),
                  "detachedness": det}
        flat_nodes += [record[f] for f in node_fields]
        for ty, name, b in out:
            ename = name if ty in ("element", "hidden") else s(name)
            flat_edges += [EDGE_TYPES.index(ty), ename, b * fields]
    meta = {
        "node_fields": node_fields,
        "node_types": [NODE_TYPES] + ["string"] + ["number"] * (fields - 2),
        "edge_fields": ["type", "name_or_index", "to_node"],
        "edge_types": [EDGE_TYPES, "string_or_number", "node"],
        "location_fields": ["object_index", "script_id", "line", "column"],
        "trace_function_info_fields": ["function_id", "name", "script_name", "script_id", "line",
                                       "column"],
        "trace_node_fields": ["id", "function_info_index", "count", "size", "children"],
        "sample_fields": ["timestamp_us", "last_assigned_id"],
    }
    return json.dumps({
        "snapshot": {"meta": meta, "node_count": len(nodes), "edge_count": len(flat_edges) // 3,
                     "trace_function_count": len(functions)},
        "nodes": flat_nodes, "edges": flat_edges,
        "trace_function_infos": trace_function_infos,
        "trace_tree": [1, 0, 0, 0, [2, 1, 3, 96, [3, 2, 2, 64, []]]] if traces else [],
        "samples": [0, 5, 50000, 13, 100000, 27] if traces else [],
        "locations": [fn * fields, 3, 0, 19],
        "strings": strings,
    }, separators=(",", ":"))


here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
os.makedirs(here, exist_ok=True)
base = ["type", "name", "id", "self_size", "edge_count"]
cases = {
    "node20.json": (base + ["trace_node_id", "detachedness"], True, False),
    "node14.json": (base + ["trace_node_id"], True, False),
    "chromium.json": (base + ["detachedness"], False, True),
    "tracked.json": (base + ["trace_node_id", "detachedness"], True, False),
}
for name, (fields, user_roots, detached) in cases.items():
    with open(os.path.join(here, name), "w") as f:
        f.write(snapshot(fields, user_roots, detached, traces=name == "tracked.json"))
