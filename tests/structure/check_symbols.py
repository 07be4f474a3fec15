#!/usr/bin/env python3
"""Nothing the library exports looks public without being public: every
global symbol defined in a layer's archive is either named in a header of
include/gazsync/ or carries the one private prefix, gs__. The command-line
tool's own globals start with cli_ or cmd_ (and main).

The layers stay static libraries (the CLI, the tests and the tools link
them), so private functions shared between files must be global; the prefix
is what keeps them apart from the API, the way libgit2 uses git__.

usage: check_symbols.py BUILD_DIR SOURCE_DIR
Exit 0 when every symbol passes; 1 with one line per symbol otherwise."""
import os
import re
import subprocess
import sys

PRIVATE = "gs__"
TOOL = ("cli_", "cmd_")


def public_names(src):
    names = set()
    folder = os.path.join(src, "include", "gazsync")
    for f in sorted(os.listdir(folder)):
        if f.endswith(".h"):
            text = open(os.path.join(folder, f)).read()
            names |= set(re.findall(r"\b(gs_\w+)\b", text))
    return names


def globals_of(paths):
    """(object, symbol) for every global defined symbol in @paths."""
    out = subprocess.run(["nm", "-A", "-g", "--defined-only"] + paths,
                         check=True, capture_output=True, text=True).stdout
    found = []
    for line in out.splitlines():
        m = re.match(r"(.*?):\s*[0-9a-f]*\s+([A-Za-z])\s+(\S+)$", line)
        if m:
            found.append((os.path.basename(m.group(1)), m.group(3)))
    return found


def layer_archives(build, src):
    text = open(os.path.join(src, "CMakeLists.txt")).read()
    names = re.findall(r"^gs_layer\((\w+)", text, re.M)
    return [os.path.join(build, f"lib{n}.a") for n in names]


def main():
    build, src = sys.argv[1], sys.argv[2]
    public = public_names(src)
    archives = layer_archives(build, src)
    problems = []
    lib = globals_of(archives)
    for obj, sym in lib:
        if sym not in public and not sym.startswith(PRIVATE):
            problems.append(f"{obj}: {sym} is global, in no public header "
                            f"and without the private prefix {PRIVATE}")
    cli_dir = os.path.join(build, "CMakeFiles", "gazsync.dir", "engine", "cli")
    objs = sorted(os.path.join(cli_dir, f) for f in os.listdir(cli_dir)
                  if f.endswith(".o"))
    tool = globals_of(objs)
    for obj, sym in tool:
        if sym != "main" and not sym.startswith(TOOL):
            problems.append(f"{obj}: {sym} is a global of the tool outside "
                            f"{'/'.join(TOOL)}")
    for p in problems:
        print("check_symbols: " + p)
    print(f"check_symbols: {len(lib)} library globals in {len(archives)} "
          f"archives, {len(tool)} tool globals, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
