#!/usr/bin/env bash
# A streaming standby follows the primary through load of every call (with
# the history and deferred notifications on) and a crash of the primary in
# the middle of it. Once caught up, the standby's jobs, history and work
# index are identical to the primary's (sorted copies compared), amcheck is
# clean on the standby, the reading functions answer there, and every
# writing function fails with PostgreSQL's read-only error (25006). Starts
# its own primary and standby; needs build/load_client.
set -euo pipefail
cd "$(dirname "$0")/.."

export PGPORT=${STANDBY_PGPORT:-54349}
standby_port=$((PGPORT + 1))
. scripts/pg_major.sh
. scripts/cluster.sh
. test/checks.sh
. test/load.sh
cluster_start wal_keep_size=512MB log_min_messages=log
db=jc_standby
standby=$CLUSTER_DIR/standby
work=$(mktemp -d)
stop_all() {
    as_server_user "$PG_BINDIR/pg_ctl" -D "$standby" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$work"
    cluster_stop
}
trap stop_all EXIT
createdb $db
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION job_control" -c "CREATE EXTENSION amcheck" \
    -c "ALTER DATABASE $db SET job_control.history = on" \
    -c "ALTER DATABASE $db SET job_control.notify = deferred"

as_server_user "$PG_BINDIR/pg_basebackup" -D "$standby" -R -X stream -c fast
as_server_user "$PG_BINDIR/pg_ctl" -D "$standby" -l "$CLUSTER_DIR/standby.log" -w start \
    -o "-c port=$standby_port -c listen_addresses='' -c unix_socket_directories='$CLUSTER_DIR' -c fsync=off" >/dev/null
on_standby() { psql -X -q -At -p $standby_port -d $db "$@"; }
[ "$(on_standby -c "SELECT pg_is_in_recovery()")" = t ] || { echo "standby_test: not a standby"; exit 1; }

seed=$RANDOM
start_load $db 3 "$work/load" $seed
wait_load "$work/load"
start_load $db 30 "$work/load" $((seed + 100))
sleep 1.5
kill_server "$CLUSTER_DIR/data" "$CLUSTER_DIR" "$PGPORT"
wait_load "$work/load"
cluster_restart
start_load $db 2 "$work/load" $((seed + 200))
wait_load "$work/load"

# Caught up: the standby has replayed everything the primary wrote.
target=$(psql -X -At -d $db -c "SELECT pg_current_wal_lsn()")
for _ in $(seq 600); do
    [ "$(on_standby -c "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ] && break
    sleep 0.1
done
[ "$(on_standby -c "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ] \
    || { echo "standby_test: the standby did not catch up"; tail -20 "$CLUSTER_DIR/standby.log"; exit 1; }

rows=0
for table in jobs job_transitions job_queue job_leases; do
    copy="COPY (SELECT * FROM job_control.$table AS t ORDER BY t::text) TO STDOUT"
    psql -X -q -d $db -c "$copy" >"$work/primary.$table"
    on_standby -c "$copy" >"$work/standby.$table"
    cmp -s "$work/primary.$table" "$work/standby.$table" \
        || { echo "standby_test: $table differs on the standby"; exit 1; }
    rows=$((rows + $(wc -l <"$work/primary.$table")))
done
report=$("$PG_BINDIR/pg_amcheck" -p $standby_port --schema=job_control --heapallindexed -d $db 2>&1) \
    || { echo "standby_test: amcheck on the standby: $report"; exit 1; }

# Reading works on the hot standby.
id=$(on_standby -c "SELECT job_id FROM job_control.jobs WHERE state = 'running' LIMIT 1")
[ -n "$id" ] || id=$(on_standby -c "SELECT job_id FROM job_control.jobs LIMIT 1")
on_standby -v ON_ERROR_STOP=1 -c "SELECT job_control.job_get('$id') ->> 'job_id'" \
    -c "SELECT job_control.job_list(page_size => 5) ->> 'total_records'" \
    -c "SELECT sum(jobs) FROM job_control.job_stats" >/dev/null \
    || { echo "standby_test: a reading function failed on the standby"; exit 1; }
# Writing fails with 25006, whatever the path the call would take.
writes=(
    "job_control.job_create('nql-forecast', '{\"nql\": \"q\"}', '{\"company_id\": 1}')"
    "job_control.job_start('$id', 'w1')"
    "job_control.job_complete('$id')"
    "job_control.job_fail('$id', 'on a standby')"
    "job_control.job_cancel('$id')"
    "job_control.job_acknowledge_cancel('$id')"
    "job_control.job_heartbeat('$id', 'w1')"
    "job_control.job_reschedule('$id', true)"
    "job_control.job_claim('w1', 5)"
    "job_control.job_reap_stale('1 microsecond')"
    "job_control.job_fail_many(ARRAY['$id']::uuid[], 'on a standby')"
    "job_control.job_prune_batch('1 microsecond', 10)"
)
for call in "${writes[@]}"; do
    answer=$(on_standby -v VERBOSITY=sqlstate -c "SELECT $call" 2>&1 || true)
    [ "$answer" = "ERROR:  25006" ] \
        || { echo "standby_test: SELECT $call on the standby: $answer"; exit 1; }
done
echo "standby_test: the standby followed load and a crash of the primary: $rows rows of jobs, history and work index identical, amcheck clean, reads answer, ${#writes[@]} writing calls refused with 25006"
