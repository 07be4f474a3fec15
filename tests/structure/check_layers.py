#!/usr/bin/env python3
"""The layers hold: no include and no call runs from a lower layer to a higher
one, and no two files of the library call each other (a file cycle).

The layers and what each may use are read from the gs_layer() lines of the
top-level CMakeLists.txt, so the build and this check cannot disagree; the
command-line tool (engine/cli) sits on top of them all.

usage: check_layers.py BUILD_DIR SOURCE_DIR
Exit 0 when the structure holds; 1 with one line per violation otherwise."""
import os
import re
import subprocess
import sys

CLI = ("gs_cli", "engine/cli")


def read_layers(src):
    """[(target, folder, set of lower targets it links)] bottom to top."""
    text = open(os.path.join(src, "CMakeLists.txt")).read()
    layers = []
    for m in re.finditer(r"^gs_layer\(([^)]*)\)", text, re.M):
        words = m.group(1).split()
        deps = {w for w in words[2:] if w.startswith("gs_")}
        layers.append((words[0], words[1], deps))
    return layers


def closure(layers):
    """target -> every target below it that it may use (transitively)."""
    below = {}
    for name, _, deps in layers:
        allowed = set()
        for d in deps:
            allowed |= {d} | below.get(d, set())
        below[name] = allowed
    below[CLI[0]] = {name for name, _, _ in layers}
    return below


def layer_files(src, layers):
    """path relative to src -> layer target, for every .c and .h."""
    owner = {}
    for name, folder, _ in layers + [(CLI[0], CLI[1], set())]:
        for f in sorted(os.listdir(os.path.join(src, folder))):
            if f.endswith((".c", ".h")):
                owner[os.path.join(folder, f)] = name
    return owner


def check_includes(src, layers, below, owner, problems):
    folder_of = {name: folder for name, folder, _ in layers}
    folder_of[CLI[0]] = CLI[1]
    for path, layer in owner.items():
        visible = [layer] + sorted(below[layer])
        for n, line in enumerate(open(os.path.join(src, path)), 1):
            m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
            if not m:
                continue
            inc = m.group(1)
            if os.path.exists(os.path.join(src, "include", inc)):
                continue  # the public headers
            found = [l for l in visible
                     if os.path.exists(os.path.join(src, folder_of[l], inc))]
            if found:
                continue
            above = [l for l, d in folder_of.items()
                     if os.path.exists(os.path.join(src, d, inc))]
            what = ("a header of " + ", ".join(above)) if above else "no header"
            problems.append(f"{path}:{n}: includes \"{inc}\", {what}; "
                            f"{layer} sees only {', '.join(visible)}")


def objects(build, layers):
    """[(layer, object name, nm output)] for every object of every layer."""
    out = []
    for name, _, _ in layers:
        archive = os.path.join(build, f"lib{name}.a")
        text = subprocess.run(["nm", "-A", archive], check=True,
                              capture_output=True, text=True).stdout
        out.append((name, text))
    cli_dir = os.path.join(build, "CMakeFiles", "gazsync.dir", "engine", "cli")
    objs = sorted(os.path.join(cli_dir, f) for f in os.listdir(cli_dir)
                  if f.endswith(".o"))
    text = subprocess.run(["nm", "-A"] + objs, check=True,
                          capture_output=True, text=True).stdout
    out.append((CLI[0], text))
    return out


def symbol_graph(build, layers):
    defined, used, layer_of = {}, {}, {}
    for layer, text in objects(build, layers):
        for line in text.splitlines():
            m = re.match(r"(.*?):\s*([0-9a-f]*)\s+([A-Za-z])\s+(\S+)$", line)
            if not m:
                continue
            obj = os.path.basename(m.group(1).split(":")[-1])
            obj = obj.replace(".c.o", ".c")
            layer_of[obj] = layer
            kind, sym = m.group(3), m.group(4)
            if kind in "TDBRVW" and kind.isupper():
                defined[sym] = obj
            elif kind == "U":
                used.setdefault(obj, set()).add(sym)
    calls = {obj: {defined[s] for s in syms if s in defined} - {obj}
             for obj, syms in used.items()}
    return calls, layer_of


def check_calls(calls, layer_of, below, problems):
    for obj, targets in sorted(calls.items()):
        for t in sorted(targets):
            lo, lt = layer_of[obj], layer_of[t]
            if lt != lo and lt not in below[lo]:
                problems.append(f"{obj} ({lo}) calls up into {t} ({lt})")


def check_cycles(calls, problems):
    """Tarjan's strongly connected components: any with two files is a
    cycle."""
    index, low, stack, on, counter, sccs = {}, {}, [], set(), [0], []

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(calls.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                sccs.append(sorted(scc))

    for v in sorted(calls):
        if v not in index:
            visit(v)
    for scc in sccs:
        problems.append("file cycle: " + " <-> ".join(scc))


def main():
    build, src = sys.argv[1], sys.argv[2]
    layers = read_layers(src)
    if len(layers) < 2:
        print("check_layers: no gs_layer() lines in CMakeLists.txt")
        return 1
    below = closure(layers)
    owner = layer_files(src, layers)
    problems = []
    check_includes(src, layers, below, owner, problems)
    calls, layer_of = symbol_graph(build, layers)
    check_calls(calls, layer_of, below, problems)
    check_cycles(calls, problems)
    for p in problems:
        print("check_layers: " + p)
    print(f"check_layers: {len(layers) + 1} layers, {len(owner)} files, "
          f"{sum(len(t) for t in calls.values())} file-to-file calls, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
