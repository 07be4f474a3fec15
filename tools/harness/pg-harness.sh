#!/usr/bin/env bash
# pg-harness.sh: a throwaway PostgreSQL cluster with schema/supabase.sql
# applied and the PostgREST double in front of it, for tests, the demo and
# benchmarks. See README.md.
#
#   pg-harness.sh run -- CMD [ARGS...]   start, run CMD with the env vars
#                                        exported, tear down, exit with
#                                        CMD's status
#   pg-harness.sh start ENVFILE          start and write ENVFILE (then source it)
#   pg-harness.sh stop ENVFILE           tear down what ENVFILE describes
#
# Env file / exported variables: PG_URL (libpq conninfo), SUPABASE_URL (the
# double's base URL), SUPABASE_SERVICE_ROLE_KEY, DOUBLE_PID, PGDATA,
# GS_HARNESS_DIR (the temp folder), PG_BIN.
# Inputs: GS_BUILD_DIR (default <repo>/build) to find the double;
# GS_DOUBLE_MAX_BODY (bytes) to pass --max-body; GS_HARNESS_SQL (a file of
# SQL applied after the schema and before the double connects, so database
# settings such as statement_timeout reach the double's session).
#
# Runs as root on a fresh Debian machine (installs postgresql when missing
# and runs the server as the postgres user) or as an ordinary user.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${GS_BUILD_DIR:-$SRC/build}
DOUBLE_BIN=$BUILD/tools/postgrest-double/postgrest-double

say() { printf 'pg-harness: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Only the server binaries are wanted: keep the package from creating and
# starting a system cluster (it would outlive us on port 5432).
install_postgresql() {
    local policy=/usr/sbin/policy-rc.d added_policy= conf=/etc/postgresql-common/createcluster.conf
    export DEBIAN_FRONTEND=noninteractive
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added_policy=1
    fi
    # As PostgreSQL's own Docker image does: postgresql-common first, then
    # turn off the main cluster, then the server.
    local rc=0
    if apt-get update -qq >/dev/null &&
        apt-get install -y -qq postgresql-common >/dev/null &&
        { [ ! -f "$conf" ] || sed -ri 's/^#?\s*(create_main_cluster)\s*=.*$/\1 = false/' "$conf"; } &&
        apt-get install -y -qq postgresql >/dev/null; then
        rc=0
    else
        rc=$?
    fi
    [ -n "$added_policy" ] && rm -f "$policy"
    [ "$rc" = 0 ] || die "apt-get install postgresql failed"
}

# The newest PostgreSQL server binaries, installing them when missing.
find_pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
        [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed (need root to install it)"
        say "installing postgresql"
        install_postgresql
        dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    fi
    printf '%s\n' "$dir"
}

# As root, PostgreSQL refuses to run: use the postgres user.
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Running, not a zombie waiting for its reaper.
alive() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

random_port() {
    local p
    while :; do
        p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        port_in_use "$p" || { printf '%s\n' "$p"; return; }
    done
}

random_key() { od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }

# start_all [ENVFILE]: everything up, the env file written (default: inside
# the temp folder). Sets HARNESS_DIR and DOUBLE_PID_STARTED as soon as each
# exists so that a trap can take down what is already up.
start_all() {
    local envfile=${1:-} dir pg_bin port key url db_pid attempt
    pg_bin=$(find_pg_bin)
    [ -x "$DOUBLE_BIN" ] || die "no double at $DOUBLE_BIN (build it, or set GS_BUILD_DIR)"
    dir=$(mktemp -d "${TMPDIR:-/tmp}/gs-harness.XXXXXX")
    HARNESS_DIR=$dir
    [ -n "$envfile" ] || envfile=$dir/env
    mkdir -p "$dir/data" "$dir/sock"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" postgres
        chmod 755 "$dir"
        chown postgres "$dir/data" "$dir/sock"
    fi
    as_pg "$pg_bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
        --no-locale --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    # A free port can be taken between the check and the start: retry.
    for attempt in 1 2 3 4 5; do
        port=$(random_port)
        if as_pg "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/sock/postgres.log" -w -t 30 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null 2>&1; then
            break
        fi
        port=
    done
    [ -n "$port" ] || { cat "$dir/sock/postgres.log" >&2 || true; die "PostgreSQL did not start"; }

    local pg_url="host=127.0.0.1 port=$port dbname=gazsync user=postgres"
    "$pg_bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c "create database gazsync" >/dev/null
    PGOPTIONS="-c client_min_messages=warning" \
        "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$pg_url" \
        -f "$SRC/schema/supabase.sql" >/dev/null
    if [ -n "${GS_HARNESS_SQL:-}" ]; then
        PGOPTIONS="-c client_min_messages=warning" \
            "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$pg_url" \
            -f "$GS_HARNESS_SQL" >/dev/null || die "GS_HARNESS_SQL failed"
    fi

    key=$(random_key)
    local max_body=()
    [ -n "${GS_DOUBLE_MAX_BODY:-}" ] && max_body=(--max-body "$GS_DOUBLE_MAX_BODY")
    # The key travels in the environment, not argv, so `ps` does not show it.
    POSTGREST_DOUBLE_KEY=$key setsid "$DOUBLE_BIN" --port 0 --db "$pg_url" \
        "${max_body[@]}" >"$dir/double.url" 2>"$dir/double.log" </dev/null &
    db_pid=$!
    DOUBLE_PID_STARTED=$db_pid
    for _ in $(seq 100); do
        url=$(head -n1 "$dir/double.url" 2>/dev/null || true)
        [ -n "$url" ] && break
        kill -0 "$db_pid" 2>/dev/null || { cat "$dir/double.log" >&2; die "the double exited"; }
        sleep 0.1
    done
    [ -n "$url" ] || die "the double printed no URL"

    umask 077
    {
        printf 'export PG_URL=%q\n' "$pg_url"
        printf 'export SUPABASE_URL=%q\n' "$url"
        printf 'export SUPABASE_SERVICE_ROLE_KEY=%q\n' "$key"
        printf 'export DOUBLE_PID=%q\n' "$db_pid"
        printf 'export PGDATA=%q\n' "$dir/data"
        printf 'export GS_HARNESS_DIR=%q\n' "$dir"
        printf 'export PG_BIN=%q\n' "$pg_bin"
    } >"$envfile"
    say "PG_URL=$pg_url"
    say "SUPABASE_URL=$url"
    say "SUPABASE_SERVICE_ROLE_KEY=(in $envfile)"
    say "DOUBLE_PID=$db_pid PGDATA=$dir/data"
}

# stop_dir DIR [DOUBLE_PID] [PG_BIN]: the double, then PostgreSQL, then DIR.
stop_dir() {
    local dir=$1 pid=${2:-} pg_bin=${3:-} i pm
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 100); do alive "$pid" || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    # In run mode the double is our child: its exit status tells whether it
    # stopped cleanly (a sanitizer build exits non-zero on a leak or error).
    if [ -n "$pid" ]; then
        local st=0
        wait "$pid" 2>/dev/null || st=$?
        if [ "$st" != 0 ] && [ "$st" != 127 ]; then
            DOUBLE_FAILED=$st
            say "the double exited with status $st; its log:"
            sed 's/^/  double: /' "$dir/double.log" >&2 2>/dev/null || true
        fi
    fi
    if [ -f "$dir/data/postmaster.pid" ]; then
        [ -n "$pg_bin" ] || pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
        as_pg "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop \
            >/dev/null 2>&1 || true
        pm=$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null || true)
        if [ -n "$pm" ] && kill -0 "$pm" 2>/dev/null; then
            kill -KILL "$pm" 2>/dev/null || true
            sleep 0.2
        fi
    fi
    case $dir in
        */gs-harness.*) rm -rf -- "$dir" ;;
        *) say "not removing unexpected folder $dir" ;;
    esac
}

cmd_run() {
    [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || die "usage: pg-harness.sh run -- CMD [ARGS...]"
    HARNESS_DIR= DOUBLE_PID_STARTED= DOUBLE_FAILED=
    local child= status
    cleanup() {
        trap - EXIT INT TERM HUP
        [ -n "$child" ] && kill -TERM "$child" 2>/dev/null || true
        [ -n "$HARNESS_DIR" ] && stop_dir "$HARNESS_DIR" "$DOUBLE_PID_STARTED"
    }
    trap 'cleanup' EXIT
    trap 'cleanup; exit 130' INT
    trap 'cleanup; exit 143' TERM
    trap 'cleanup; exit 129' HUP
    start_all
    # shellcheck disable=SC1090
    . "$HARNESS_DIR/env"
    # In the background so a signal to the harness is handled at once.
    "$@" <&0 &
    child=$!
    set +e
    wait "$child"
    status=$?
    set -e
    child=
    cleanup
    if [ "$status" = 0 ] && [ -n "$DOUBLE_FAILED" ]; then
        status=1
    fi
    exit "$status"
}

cmd_start() {
    local envfile=${1:?usage: pg-harness.sh start ENVFILE}
    HARNESS_DIR= DOUBLE_PID_STARTED=
    # Until everything is up, any failure or signal takes it all down again.
    trap '[ -n "$HARNESS_DIR" ] && stop_dir "$HARNESS_DIR" "$DOUBLE_PID_STARTED"; rm -f "$envfile"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    start_all "$envfile"
    trap - EXIT INT TERM HUP
}

cmd_stop() {
    local envfile=${1:?usage: pg-harness.sh stop ENVFILE}
    [ -f "$envfile" ] || die "no env file $envfile"
    (
        # shellcheck disable=SC1090
        . "$envfile"
        stop_dir "$GS_HARNESS_DIR" "${DOUBLE_PID:-}" "${PG_BIN:-}"
    )
    rm -f -- "$envfile"
}

case ${1:-} in
    run) shift; cmd_run "$@" ;;
    start) shift; cmd_start "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    *) die "usage: pg-harness.sh run -- CMD... | start ENVFILE | stop ENVFILE" ;;
esac
