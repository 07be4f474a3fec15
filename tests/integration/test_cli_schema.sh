#!/usr/bin/env bash
# `gazsync schema` prints exactly schema/supabase.sql (embedded at build
# time), from any directory and with no configuration, and takes no
# argument; `gazsync help --help` and `help help` print the main help.
# Usage: test_cli_schema.sh BUILD_DIR SOURCE_DIR
source "$(dirname "$0")/lib.sh" "$1" "$2"
cd "$GS_TMP"
env -i PATH="$PATH" "$GAZSYNC" schema >"$GS_TMP/schema.sql" || fail "schema exited $?"
cmp -s "$GS_TMP/schema.sql" "$GS_SRC/schema/supabase.sql" \
  || fail "gazsync schema differs from schema/supabase.sql: $(diff "$GS_TMP/schema.sql" "$GS_SRC/schema/supabase.sql" | head -5)"
pass "schema equals schema/supabase.sql byte for byte"
rc=0; "$GAZSYNC" schema extra >/dev/null 2>"$GS_TMP/err" || rc=$?
[ "$rc" = 2 ] || fail "schema with an argument exited $rc"
pass "schema with an argument: usage error 2"
"$GAZSYNC" schema --help | grep -q '^Usage: gazsync schema' || fail "schema --help"
for args in "help --help" "help -h" "help help"; do
  # shellcheck disable=SC2086
  "$GAZSYNC" $args >"$GS_TMP/help.out" || fail "'gazsync $args' exited $?"
  grep -q '^Usage: gazsync \[OPTIONS\] COMMAND' "$GS_TMP/help.out" || fail "'gazsync $args' is not the main help"
done
pass "help --help, help -h, help help print the main help"
