#!/usr/bin/env bash
# Every public header compiles on its own (STYLE.md "A header test"): a file
# that includes only include/gazsync/<h> builds with -Wall -Wextra -Werror
# -pedantic, as C11 and as C++ when a C++ compiler is there, so no header
# leans on another being included first.
# Usage: check_headers.sh SOURCE_DIR CC [CFLAGS of the packages...]
set -euo pipefail
SRC=$1; CC=$2; shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/gs-headers.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0 n=0
for h in "$SRC"/include/gazsync/*.h; do
    name=$(basename "$h")
    printf '#include "gazsync/%s"\n#include "gazsync/%s" /* twice: guards */\nint gs_header_check_%s;\n' \
        "$name" "$name" "${name%.h}" >"$work/one.c"
    if ! "$CC" -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only \
        -I"$SRC/include" "$@" "$work/one.c" 2>"$work/err"; then
        echo "check_headers: gazsync/$name does not compile on its own:"
        cat "$work/err"
        fail=1
    fi
    if command -v c++ >/dev/null; then
        cp "$work/one.c" "$work/one.cc"
        if ! c++ -std=c++11 -Wall -Wextra -Werror -fsyntax-only \
            -I"$SRC/include" "$@" "$work/one.cc" 2>"$work/err"; then
            echo "check_headers: gazsync/$name does not compile as C++:"
            cat "$work/err"
            fail=1
        fi
    fi
    n=$((n + 1))
done
echo "check_headers: $n public headers, $([ $fail = 0 ] && echo ok || echo FAILED)"
exit $fail
