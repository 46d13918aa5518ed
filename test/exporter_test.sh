#!/usr/bin/env bash
# The Prometheus postgres_exporter (Debian's, scripts/exporter.sh) with
# monitoring/postgres_exporter.yaml against a database after a scripted
# lifecycle: its /metrics, scraped over loopback as Prometheus would, must
# carry the gauges and counters the lifecycle implies, and the exporter must
# report no failed query. Needs a running server.
set -euo pipefail
cd "$(dirname "$0")/.."

db=jc_exporter
port=${EXPORTER_PORT:-59187}
exporter=$(scripts/exporter.sh)
work=$(mktemp -d)
cleanup() {
    if [ -n "${exporter_pid:-}" ]; then
        kill "$exporter_pid" 2>/dev/null || true
        wait "$exporter_pid" 2>/dev/null || true  # 143: ended by the kill
    fi
    rm -rf "$work"
    dropdb --if-exists $db 2>/dev/null
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS regress_exporter" 2>/dev/null || true
}
trap cleanup EXIT
dropdb --if-exists $db 2>/dev/null
createdb $db
# Company 1's lifecycle: 7 forecasts and a view created; 4 forecasts
# claimed, one completed, one failed, one asked to cancel, one running; a
# waiting one cancelled.
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION job_control;
SELECT job_control.create_access_roles();
DROP ROLE IF EXISTS regress_exporter;
CREATE ROLE regress_exporter LOGIN IN ROLE job_control_reader;
SELECT job_control.job_create('nql-forecast', jsonb_build_object('nql', 'e' || n), '{"company_id": 1}')
  FROM generate_series(1, 7) AS n;
SELECT job_control.job_create('materialize-view', '{"nql": "v", "dataset_id": 1}', '{"company_id": 1}');
CREATE TABLE claimed AS
SELECT (j ->> 'job_id')::uuid AS id, row_number() OVER () AS n
  FROM job_control.job_claim('w1', 4, '{nql-forecast}') AS j;
SELECT job_control.job_complete(id) FROM claimed WHERE n = 1;
SELECT job_control.job_fail(id, 'warehouse timed out') FROM claimed WHERE n = 2;
SELECT job_control.job_cancel(id) FROM claimed WHERE n = 3;
SELECT job_control.job_cancel((SELECT job_id FROM job_control.job_queue
                                WHERE type = 'nql-forecast' ORDER BY created_at LIMIT 1));
SQL

DATA_SOURCE_NAME="host=$PGHOST port=$PGPORT user=regress_exporter dbname=$db sslmode=disable" \
    "$exporter" --web.listen-address="127.0.0.1:$port" \
    --extend.query-path=monitoring/postgres_exporter.yaml \
    --disable-default-metrics --disable-settings-metrics \
    --no-collector.database --no-collector.bgwriter >"$work/exporter.log" 2>&1 &
exporter_pid=$!

scrape() {  # GET /metrics over loopback, the body only
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    cat <&3
    exec 3<&-
}
for _ in $(seq 50); do
    scrape >"$work/metrics" 2>/dev/null && grep -q '^job_control_' "$work/metrics" && break
    sleep 0.2
done

failures=0
# expect <metric> <labels, each name="value", in any order> <value>
expect() {
    local name=$1 labels=$2 want=$3 got
    got=$(awk -v name="$name" -v labels="$labels" '
        $1 == name || index($1, name "{") == 1 {
            n = split(labels, wanted, ",")
            for (i = 1; i <= n; i++) if (index($1, wanted[i]) == 0) next
            print $2
        }' "$work/metrics")
    if [ "$got" != "$want" ]; then
        echo "exporter_test: $name{$labels} is '${got:-missing}', expected $want"
        failures=$((failures + 1))
    fi
}
expect job_control_jobs_pending 'type="nql-forecast"' 2
expect job_control_jobs_pending 'type="materialize-view"' 1
expect job_control_jobs_running 'type="nql-forecast"' 1
expect job_control_jobs_pending_cancellation 'type="nql-forecast"' 1
expect job_control_jobs_stale_working 'type="nql-forecast"' 0
expect job_control_events_total 'type="nql-forecast",event="created"' 7
expect job_control_events_total 'type="nql-forecast",event="claimed"' 4
expect job_control_events_total 'type="nql-forecast",event="completed"' 1
expect job_control_events_total 'type="nql-forecast",event="failed"' 1
expect job_control_events_total 'type="nql-forecast",event="cancel_requested"' 1
expect job_control_events_total 'type="nql-forecast",event="cancelled"' 1
expect job_control_events_total 'type="materialize-view",event="created"' 1
expect job_control_notifier_backlog '' 0
expect pg_exporter_last_scrape_error '' 0
expect pg_exporter_user_queries_load_error 'postgres_exporter.yaml' 0
expect pg_up '' 1
# The gauges that depend on the clock: present, and sane.
awk '/^job_control_jobs_oldest_pending_seconds\{.*type="nql-forecast"/ { ok = $2 > 0 }
     /^job_control_notifier_counting_since_seconds/ { since = $2 > 1.6e9 }
     /^job_control_events_per_second\{/ { rates++ }
     END { exit !(ok && since && rates >= 16) }' "$work/metrics" \
    || { echo "exporter_test: an age, the counters' start or the rates are missing"; failures=$((failures + 1)); }
if grep -iE 'level=(error|warn)' "$work/exporter.log" | grep -v 'collector' >/dev/null; then
    echo "exporter_test: the exporter reported:"; grep -iE 'level=(error|warn)' "$work/exporter.log" | head -5
    failures=$((failures + 1))
fi
if [ $failures -ne 0 ]; then
    echo "exporter_test: /metrics as scraped:"; grep '^job_control_' "$work/metrics" | head -40
    exit 1
fi
echo "exporter_test: postgres_exporter $("$exporter" --version 2>&1 | sed -n 's/.*version \([^ ]*\).*/\1/p' | head -1)," \
     "$(grep -c '^job_control_' "$work/metrics") job_control series scraped, every value as the lifecycle implies"
