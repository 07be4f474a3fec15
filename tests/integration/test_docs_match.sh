#!/usr/bin/env bash
# The commands and options the documents list are the ones the binary has
# (issue 15): `gazsync --help`'s commands against docs/cli.md's command
# headings, the man page's SYNOPSIS and the README; each command's flags in
# `gazsync help CMD` against its docs/cli.md section (heading and flag table)
# and its SYNOPSIS entry, and each of them accepted by the binary; the global
# options of --help against docs/cli.md's table and the man page's OPTIONS.
# Usage: test_docs_match.sh BUILD_DIR SOURCE_DIR
source "$(dirname "$0")/lib.sh" "$1" "$2"
"$GAZSYNC" --help >"$GS_TMP/main.help"
for c in $(awk '/^Commands:/{on=1; next} on && /^$/{exit} on && /^  [a-z]/{print $1}' "$GS_TMP/main.help"); do
  [ "$c" = help ] && continue
  "$GAZSYNC" help "$c" >"$GS_TMP/help.$c" || fail "help $c exited $?"
done
python3 - "$GS_TMP" "$GS_SRC" <<'PY' || fail "the documents and the binary disagree (above)"
import glob, os, re, sys
tmp, src = sys.argv[1], sys.argv[2]
bad = []
def check(what, a, b, an, bn):
    if a != b:
        bad.append(f"{what}: {an} has {sorted(a - b)} that {bn} lacks; {bn} has {sorted(b - a)} that {an} lacks")
flag = re.compile(r"--[a-z][a-z-]*")
main = open(f"{tmp}/main.help").read()
cmds = {p.split(".", 1)[1] for p in map(os.path.basename, glob.glob(f"{tmp}/help.*"))}
cli_md = open(f"{src}/docs/cli.md").read()
man = open(f"{src}/docs/gazsync.1").read().replace("\\-", "-")
readme = open(f"{src}/README.md").read()

# Commands.
md_cmds = set(re.findall(r"^### `gazsync ([a-z]+)", cli_md, re.M)) - {"help"}
check("commands", cmds, md_cmds, "gazsync --help", "docs/cli.md")
synopsis = man.split(".SH SYNOPSIS", 1)[1].split(".SH", 1)[0]
entries = [e for e in synopsis.split(".br") if e.strip()]
man_cmds = {}
for e in entries:
    names = [n for n in re.findall(r"^\.B ([a-z]+)$", e, re.M) if n != "gazsync"]
    if names:
        man_cmds[names[0]] = set(flag.findall(e))
check("commands", cmds, set(man_cmds), "gazsync --help", "the man page's SYNOPSIS")
for c in cmds:
    if f"gazsync {c}" not in readme:
        bad.append(f"README.md never shows 'gazsync {c}'")

# Each command's flags.
for c in sorted(cmds):
    own = open(f"{tmp}/help.{c}").read().split("Global options", 1)[0]
    # The usage lines and the flag table, not the prose (which may name a
    # global option).
    usage = own.split("\n\n", 1)[0]
    rows = "\n".join(l for l in own.splitlines() if l.startswith("  --"))
    binary = set(flag.findall(usage + "\n" + rows)) - {"--help"}
    sec = re.search(r"^### `gazsync " + c + r"\b(.*?)(?=^### |^## )", cli_md, re.M | re.S)
    if not sec:
        bad.append(f"docs/cli.md has no section for {c}")
        continue
    body = sec.group(1)
    heading = body.split("\n", 1)[0]
    table = set()
    for row in re.findall(r"^\| `([^|]*)` \|", body, re.M):
        table |= set(flag.findall(row))
    check(f"{c} flags", binary, set(flag.findall(heading)) | table, f"gazsync help {c}", "docs/cli.md")
    check(f"{c} flags", binary, man_cmds.get(c, set()), f"gazsync help {c}", "the man page's SYNOPSIS")
    with open(f"{tmp}/flags.{c}", "w") as f:
        f.write("\n".join(sorted(binary)) + ("\n" if binary else ""))

# Global options.
glob_help = main.split("Global options", 1)[1].split("\nEnvironment", 1)[0]
binary = set(flag.findall(glob_help))
md_glob = cli_md.split("## Global options", 1)[1].split("\n## ", 1)[0]
md = set()
for row in re.findall(r"^\| `([^|]*)` \|", md_glob, re.M):
    md |= set(flag.findall(row))
for row in re.findall(r"^\| (`-[a-z]`, `--[a-z-]+`) \|", md_glob, re.M):
    md |= set(flag.findall(row))
check("global options", binary, md, "gazsync --help", "docs/cli.md")
man_opts = man.split(".SH OPTIONS", 1)[1].split(".SH ", 1)[0]
man_set = set()
for line in re.findall(r"^\.TP\n(.*)$", man_opts, re.M):
    man_set |= set(flag.findall(line))
check("global options", binary, man_set, "gazsync --help", "the man page's OPTIONS")
for b in bad:
    print("MISMATCH: " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
pass "commands, command flags and global options agree in --help, docs/cli.md, the man page and the README"

# Every flag the help lists is one the binary accepts.
for f in "$GS_TMP"/flags.*; do
  c=${f##*.}
  while read -r opt; do
    [ -n "$opt" ] || continue
    "$GAZSYNC" "$c" "$opt" --help >/dev/null 2>&1 || "$GAZSYNC" "$c" "$opt=1" --help >/dev/null 2>&1 \
      || "$GAZSYNC" "$c" "$opt=users" --help >/dev/null 2>&1 || fail "gazsync $c does not accept $opt"
  done <"$f"
  rc=0; "$GAZSYNC" "$c" --no-such-flag --help >/dev/null 2>&1 || rc=$?
  [ "$rc" = 2 ] || fail "gazsync $c accepted an unknown flag (the check above could not fail)"
done
pass "every listed flag is accepted; an unknown one is refused"
