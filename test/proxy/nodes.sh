# Sourced by the scale-out test and benchmark: a PL/Proxy proxy and its
# partitions, each a throwaway cluster of its own on a loopback TCP port,
# stopped and removed when the calling script exits. As root the servers run
# as the "postgres" user (PostgreSQL refuses root).
#
#   node_start NAME PORT [postgres -c options...]   initdb (once) and start
#
# Take PORTs below the kernel's ephemeral range (32768 and up by default):
# there a client socket of the tests' own connections can hold the port a
# server is about to listen on ("Address already in use").
#   node_stop NAME [fast|immediate]
#   on NAME [psql options...]                       psql to NAME as postgres
#   partition_setup NAME                            job_control, the proxy's role
#   proxy_setup NAME PARTITION...                   job_control_proxy on NAME
#   node_conninfo NAME                              libpq conninfo of NAME

. scripts/cluster.sh  # as_server_user, cluster_initdb
NODES_DIR=$(mktemp -d /tmp/job_control_nodes.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres: "$NODES_DIR"
# The role the proxy connects to the partitions as.
PROXY_ROLE=job_control_proxy

node_start() {
    local name=$1 port=$2
    shift 2
    local dir=$NODES_DIR/$name
    if [ ! -d "$dir" ]; then
        cluster_initdb "$dir" "$NODES_DIR/$name.initdb.log" || return 1
        echo "$port" >"$NODES_DIR/$name.port"
    fi
    local opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$NODES_DIR"
    opts="$opts -c fsync=${CLUSTER_FSYNC:-off} -c max_connections=100"
    local extra
    for extra in "$@"; do opts="$opts -c $extra"; done
    echo "$opts" >"$NODES_DIR/$name.opts"
    as_server_user "$PG_BINDIR/pg_ctl" -D "$dir" -l "$NODES_DIR/$name.log" -o "$opts" -w start \
        >/dev/null || { tail -20 "$NODES_DIR/$name.log"; return 1; }
}

node_restart() {
    as_server_user "$PG_BINDIR/pg_ctl" -D "$NODES_DIR/$1" -l "$NODES_DIR/$1.log" \
        -o "$(cat "$NODES_DIR/$1.opts")" -w start >/dev/null
}

node_stop() {
    as_server_user "$PG_BINDIR/pg_ctl" -D "$NODES_DIR/$1" -m "${2:-fast}" -w stop >/dev/null 2>&1 || true
}

nodes_stop_all() {
    local dir
    for dir in "$NODES_DIR"/*/; do
        [ -d "$dir" ] && node_stop "$(basename "$dir")" immediate
    done
    rm -rf "$NODES_DIR"
}
trap nodes_stop_all EXIT

node_port() { cat "$NODES_DIR/$1.port"; }
node_conninfo() { echo "host=127.0.0.1 port=$(node_port "$1") dbname=postgres"; }

on() {
    local name=$1
    shift
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(node_port "$name")" -U postgres -d postgres "$@"
}

# job_control with its history and notifications on, and the login the proxy uses: every level
# of job_control (the proxy checks the callers' levels itself).
partition_setup() {
    on "$1" <<SQL
CREATE EXTENSION job_control;
SELECT job_control.create_access_roles();
CREATE ROLE $PROXY_ROLE LOGIN IN ROLE job_control_admin;
ALTER DATABASE postgres SET job_control.history = on;
ALTER DATABASE postgres SET job_control.notify = on;
SQL
}

# job_control_proxy, its cluster of the given partitions (p0, p1, ... in that
# order) and the access roles.
proxy_setup() {
    local name=$1 options="" i=0 part
    shift
    for part in "$@"; do
        options="$options${options:+, }p$i '$(node_conninfo "$part") connect_timeout=2'"
        i=$((i + 1))
    done
    on "$name" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION job_control_proxy CASCADE;
CREATE SERVER job_control FOREIGN DATA WRAPPER plproxy OPTIONS ($options);
CREATE USER MAPPING FOR PUBLIC SERVER job_control OPTIONS (user '$PROXY_ROLE');
SELECT job_control.create_access_roles();
SQL
}
