# Sourced by the demo, test and benchmark scripts: a throwaway PostgreSQL
# cluster in a temporary directory, on a Unix socket only, stopped and removed
# when the calling script exits. PostgreSQL refuses to run as root, so as root
# the server runs as the "postgres" user.
#
#   cluster_start [postgres -c options...]   sets PGHOST, PGPORT, PGUSER, PGDATABASE
#   cluster_restart                           starts it again (after a crash)
#   cluster_stop
#
# Tests run with fsync off (faster, nothing to keep); CLUSTER_FSYNC=on keeps
# real flushes, as the benchmark needs for synchronous_commit = on.

PG_BINDIR=${PG_BINDIR:-$("${PG_CONFIG:-pg_config}" --bindir)}

as_server_user() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A data directory with trust authentication for the postgres user.
cluster_initdb() {  # cluster_initdb <data directory> <log file>
    as_server_user "$PG_BINDIR/initdb" -D "$1" -U postgres \
        --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >"$2" 2>&1 || { cat "$2"; return 1; }
}

cluster_start() {
    CLUSTER_DIR=$(mktemp -d /tmp/job_control_cluster.XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres: "$CLUSTER_DIR"
    cluster_initdb "$CLUSTER_DIR/data" "$CLUSTER_DIR/initdb.log" || return 1
    export PGHOST=$CLUSTER_DIR PGPORT=${PGPORT:-54329} PGUSER=postgres PGDATABASE=postgres
    local opts="-c listen_addresses='' -c unix_socket_directories='$CLUSTER_DIR' -c port=$PGPORT"
    opts="$opts -c fsync=${CLUSTER_FSYNC:-off}"
    local extra
    for extra in "$@"; do opts="$opts -c $extra"; done
    CLUSTER_OPTS=$opts
    cluster_restart || return 1
    trap cluster_stop EXIT
}

cluster_restart() {
    as_server_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" \
        -o "$CLUSTER_OPTS" -w start >/dev/null || { tail -20 "$CLUSTER_DIR/server.log"; return 1; }
}

cluster_stop() {
    [ -n "${CLUSTER_DIR:-}" ] || return 0
    as_server_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$CLUSTER_DIR"
    CLUSTER_DIR=
}
