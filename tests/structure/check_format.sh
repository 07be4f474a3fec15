#!/usr/bin/env bash
# The C of the library, its public headers and its unit tests is as the
# repository's .clang-format writes it. store/schema_sql.c is generated (see
# store/README.md) and left out. To fix: clang-format -i FILE...
# Usage: check_format.sh SOURCE_DIR
set -euo pipefail
cd "$1"
command -v clang-format >/dev/null || {
    echo "check_format: clang-format is not installed (scripts/deps.sh)"
    exit 1
}
mapfile -t files < <(git ls-files -co --exclude-standard \
    'engine/*.[ch]' 'store/*.[ch]' 'include/*.h' 'tests/unit/*.[ch]' \
    'tests/support/*.[ch]' | grep -v '^store/schema_sql\.c$' | sort -u)
bad=()
for f in "${files[@]}"; do
    [ -f "$f" ] || continue
    clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
for f in "${bad[@]}"; do echo "check_format: $f differs from clang-format"; done
echo "check_format: ${#files[@]} files, ${#bad[@]} to format"
[ ${#bad[@]} -eq 0 ]
