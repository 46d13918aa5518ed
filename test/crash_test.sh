#!/usr/bin/env bash
# Crashes under load lose nothing and leave nothing half done. Eight clients
# (build/load_client) make a random mix of every call, with the history and
# deferred notifications on, each logging every answer whose commit was
# acknowledged; at a random moment the server (the postmaster and all its
# processes, odd rounds) or one
# backend in the middle of a call (even rounds) is killed with SIGKILL, and
# the server restarts (crash recovery). Then:
#   - every acknowledged answer is in the table's history: the job reached
#     that state at that time (an update that keeps the state, at least as
#     late as that time);
#   - the invariants of test/invariants.sql hold: nothing half done (a job
#     without its history row, queue entry or lease, or the reverse), every
#     history chain unbroken;
#   - pg_amcheck --heapallindexed finds every table and index consistent;
#   - the notifier comes back: a listener receives the next change.
# ROUNDS (10) crashes, each after 1 to 3 s of load. Starts its own
# throwaway cluster; needs build/load_client and build/notify_listener.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-10}
CLIENTS=${CLIENTS:-8}
export PGPORT=${CRASH_PGPORT:-54339}
. scripts/pg_major.sh
. scripts/cluster.sh
. test/checks.sh
. test/load.sh
# The calls' refusals (55000, P0002) are not logged: the log keeps what the
# server says of crashes and recovery.
cluster_start restart_after_crash=on log_min_messages=log
db=jc_crash
work=$(mktemp -d)
trap 'rm -rf "$work"; cluster_stop' EXIT
createdb $db
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION job_control" \
    -c "ALTER DATABASE $db SET job_control.history = on" \
    -c "ALTER DATABASE $db SET job_control.notify = deferred"

wait_ready() {
    for _ in $(seq 300); do
        "$PG_BINDIR/pg_isready" -q -d $db && return 0
        sleep 0.1
    done
    echo "crash_test: the server did not come back"; tail -20 "$CLUSTER_DIR/server.log"
    return 1
}

# Every acknowledged answer, against the history: the job moved to that
# state at that time. An update that keeps the state (a heartbeat, a
# pending job rescheduled) writes no history row: its answer, and a no-op's
# after it, carries its own time; then the job reached that state before,
# and its row is at least that new (the commit was kept: any later one that
# was kept comes after it in the WAL).
check_acknowledged() {
    psql -X -q -At -v ON_ERROR_STOP=1 -d $db <<SQL
CREATE TEMP TABLE acks (job_id uuid, state text, updated_at timestamptz, call text);
\\copy acks FROM '$work/acks'
SELECT 'acknowledged but lost: ' || a.call || ' ' || a.job_id || ' ' || a.state || ' at ' || a.updated_at
  FROM acks a
 WHERE NOT EXISTS (SELECT FROM job_control.job_transitions t
                    WHERE t.job_id = a.job_id AND t.to_state::text = a.state
                      AND t.transitioned_at = a.updated_at)
   AND NOT (EXISTS (SELECT FROM job_control.jobs j
                     WHERE j.job_id = a.job_id AND j.updated_at >= a.updated_at)
            AND EXISTS (SELECT FROM job_control.job_transitions t
                         WHERE t.job_id = a.job_id AND t.to_state::text = a.state
                           AND t.transitioned_at <= a.updated_at))
 LIMIT 20;
SQL
}

listener_receives_next_change() {
    PGDATABASE=$db build/notify_listener --count 1 --timeout 20 >"$work/listened" &
    local listener=$!
    until grep -q '^listening$' "$work/listened"; do
        kill -0 $listener 2>/dev/null || { echo "crash_test: the listener died"; return 1; }
        sleep 0.05
    done
    psql -X -q -d $db -c "SELECT job_control.job_create('nql-forecast', '{\"nql\": \"after the crash\"}', '{\"company_id\": 1}')" >/dev/null
    wait $listener || { echo "crash_test: no notification after the crash"; return 1; }
}

seed=$RANDOM
: >"$work/acks"
for round in $(seq "$ROUNDS"); do
    start_load $db 30 "$work/acks" $((seed + round * 100))
    sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 1 + 2 * r / 32767 }')"
    if [ $((round % 2)) -eq 1 ]; then
        # The server's processes die at once, as in a crash of its machine:
        # a backend that outlived its postmaster could still commit.
        victim="the postmaster"
        kill_server "$CLUSTER_DIR/data" "$CLUSTER_DIR" "$PGPORT"
    else
        victim=$(pgrep -f "postgres: postgres $db " | shuf -n 1 || true)
        [ -n "$victim" ] && kill -9 "$victim"
        victim="backend $victim"
    fi
    wait_load "$work/acks" || { echo "crash_test: round $round"; exit 1; }
    cat "$work"/acks.[0-9]* >>"$work/acks" && rm -f "$work"/acks.[0-9]*
    # After the postmaster's death the server is started again; after a
    # backend's, the postmaster restarts it by itself.
    if [ $((round % 2)) -eq 1 ]; then cluster_restart; fi
    wait_ready
    lost=$(check_acknowledged)
    if [ -n "$lost" ]; then echo "crash_test: round $round ($victim):"; echo "$lost"; exit 1; fi
    check_invariants $db same-state-updates || { echo "crash_test: round $round ($victim): invariants broken"; exit 1; }
    check_amcheck $db || { echo "crash_test: round $round ($victim)"; exit 1; }
    listener_receives_next_change || exit 1
done
if grep -E 'TRAP:|PANIC' "$CLUSTER_DIR/server.log"; then
    echo "crash_test: the server failed an assertion or panicked"; exit 1
fi
summary=$(psql -X -At -d $db -c "SELECT count(*) || ' jobs, ' || (SELECT count(*) FROM job_control.job_transitions) || ' transitions' FROM job_control.jobs")
echo "crash_test: $ROUNDS crashes (postmaster and backends killed in turn) under $CLIENTS clients: $(wc -l <"$work/acks") acknowledged answers all kept, $summary, invariants and amcheck clean after each, the notifier back each time"
