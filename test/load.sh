# Sourced by the crash and standby tests: load of every call, and a crash
# of the whole server.

# Starts CLIENTS (8) load clients (build/load_client) on database <db> for
# <seconds>, each logging its acknowledged answers to <log prefix>.<n>;
# their pids are in LOAD_PIDS.
start_load() {  # start_load <db> <seconds> <log prefix> <seed>
    LOAD_PIDS=()
    local c
    for c in $(seq "${CLIENTS:-8}"); do
        PGDATABASE=$1 build/load_client --seed $(($4 + c)) --seconds "$2" \
            --log "$3.$c" 2>>"$3.errors" &
        LOAD_PIDS+=($!)
    done
}

# Waits for the load clients; fails if any met an error the spec does not
# allow (a lost connection is not one).
wait_load() {  # wait_load <log prefix>
    local pid failed=0
    for pid in "${LOAD_PIDS[@]}"; do wait "$pid" || failed=$((failed + 1)); done
    [ "$failed" -eq 0 ] || { echo "$failed load clients failed:"; cat "$1.errors"; return 1; }
}

# The server's processes killed at once, as in a crash of its machine (a
# backend that outlived its postmaster could still commit), and the lock
# files of the dead postmaster removed (a killed process may stay a zombie
# where nothing reaps orphans, and its pid would look alive).
kill_server() {  # kill_server <data directory> <socket directory> <port>
    local postmaster
    postmaster=$(head -1 "$1/postmaster.pid")
    kill -9 "$postmaster" $(pgrep -P "$postmaster") 2>/dev/null || true
    sleep 0.2
    rm -f "$1/postmaster.pid" "$2/.s.PGSQL.$3.lock"
}
