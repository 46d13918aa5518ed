#!/usr/bin/env bash
# job_control.notify = deferred, end to end: a libpq listener
# (test/tools/notify_listener.cpp) receives, from the notifier, every change
# of every committed transaction, in order within a transaction, identical
# payloads included, and nothing of a rolled-back one; then, the notifier
# stopped, the changes of four concurrent writers, each once, sent by the one
# notifier they start, more than the notifier deletes between two of its
# own vacuums of its queue (kVacuumEveryRows, 2000): the queue must have
# been vacuumed. Needs a running server and build/notify_listener.
# A stress run: WRITERS=8 JOBS_PER_WRITER=2000 test/notify_test.sh (16,006
# notifications, each delivered once, through eight of the notifier's own
# vacuums of its queue; 14 s here).
set -euo pipefail
cd "$(dirname "$0")/.."

db=jc_notify
out=$(mktemp)
listener=
cleanup() {
    [ -n "$listener" ] && kill "$listener" 2>/dev/null
    dropdb --if-exists --force $db 2>/dev/null
    rm -f "$out" "$out".writer*
}
trap cleanup EXIT
dropdb --if-exists --force $db 2>/dev/null
createdb $db
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION job_control" \
    -c "ALTER DATABASE $db SET job_control.notify = deferred"

writers=${WRITERS:-4} jobs_per_writer=${JOBS_PER_WRITER:-550}
expected=$((6 + writers * jobs_per_writer))
PGDATABASE=$db build/notify_listener --count $expected >"$out" &
listener=$!
until grep -q '^listening$' "$out"; do
    kill -0 $listener 2>/dev/null || { echo "notify_test: the listener died"; exit 1; }
    sleep 0.1
done

job=76000000-0000-0000-0000-000000000001
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null <<SQL
BEGIN;
INSERT INTO job_control.jobs (job_id, company_id, request_source, type, input)
VALUES ('$job', 7, '{"company_id": 7}', 'nql-forecast', '{"nql": "q"}');
SELECT job_control.job_start('$job', 'worker-1');
COMMIT;
BEGIN;
SELECT job_control.job_fail('$job', 'rolled back');
ROLLBACK;
BEGIN;
SELECT job_control.job_fail('$job', 'boom');
SELECT job_control.job_reschedule('$job', true);
SELECT job_control.job_start('$job', 'worker-1');
SELECT job_control.job_fail('$job', 'boom again');
COMMIT;
SQL
# The concurrent writers find no notifier (stopped here) and race to start
# one: one runs, none of them warns.
psql -X -q -At -d $db >/dev/null <<'SQL'
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
 WHERE backend_type = 'job_control notifier' AND datname = current_database();
DO $$ BEGIN
    WHILE EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'job_control notifier') LOOP
        PERFORM pg_sleep(0.05);
        PERFORM pg_stat_clear_snapshot();
    END LOOP;
END $$;
SQL
writer_pids=()
for w in $(seq $writers); do  # one transaction a job
    for _ in $(seq $jobs_per_writer); do
        echo "SELECT job_control.job_create('nql-forecast', '{\"nql\": \"q\"}', '{\"company_id\": $w}');"
    done | psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null 2>"$out.writer$w" &
    writer_pids+=($!)
done
for pid in "${writer_pids[@]}"; do wait "$pid"; done
warnings=$(cat "$out".writer* | grep -c WARNING || true)
status=0
wait $listener || status=$?
listener=

sequence=$(sed -n '2,7p' "$out")
expected_sequence="job_control notifier {\"job_id\": \"$job\", \"company_id\": 7, \"from\": null, \"to\": \"pending\", \"executor\": null}
job_control notifier {\"job_id\": \"$job\", \"company_id\": 7, \"from\": \"pending\", \"to\": \"running\", \"executor\": \"worker-1\"}
job_control notifier {\"job_id\": \"$job\", \"company_id\": 7, \"from\": \"running\", \"to\": \"failed\", \"executor\": \"worker-1\"}
job_control notifier {\"job_id\": \"$job\", \"company_id\": 7, \"from\": \"failed\", \"to\": \"pending\", \"executor\": null}
job_control notifier {\"job_id\": \"$job\", \"company_id\": 7, \"from\": \"pending\", \"to\": \"running\", \"executor\": \"worker-1\"}
job_control notifier {\"job_id\": \"$job\", \"company_id\": 7, \"from\": \"running\", \"to\": \"failed\", \"executor\": \"worker-1\"}"
concurrent=$(sed -n '8,$p' "$out" | grep -c '^job_control notifier .*"from": null, "to": "pending"' || true)
distinct=$(sed -n '8,$p' "$out" | sort -u | wc -l)
left=$(psql -X -At -d $db -c "SELECT count(*) FROM job_control.job_notifications")
notifiers=$(psql -X -At -d $db -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'job_control notifier'")
if [ $status -ne 0 ] || [ "$sequence" != "$expected_sequence" ] \
   || [ "$concurrent" -ne $((writers * jobs_per_writer)) ] \
   || [ "$distinct" -ne $((writers * jobs_per_writer)) ] || [ "$left" -ne 0 ] \
   || [ "$notifiers" -ne 1 ] || [ "$warnings" -ne 0 ]; then
    echo "notify_test: listener exit $status, $concurrent creations ($distinct distinct), $left left queued, $notifiers notifiers, $warnings warnings; received:"
    cat "$out".writer*
    cat "$out"
    exit 1
fi
# The notifier's vacuums are counted once its statistics reach the shared
# counters (it reports them at most once a second).
vacuums=0
for _ in $(seq 50); do
    vacuums=$(psql -X -At -d $db -c "SELECT vacuum_count FROM pg_stat_user_tables
                                      WHERE relid = 'job_control.job_notifications'::regclass")
    [ "$vacuums" -gt 0 ] && break
    sleep 0.2
done
if [ "$vacuums" -eq 0 ]; then
    echo "notify_test: $expected notifications sent, but the notifier never vacuumed its queue"
    exit 1
fi
echo "notify_test: the notifier delivered $expected notifications (6 in order, identical ones included, none rolled back; $((writers * jobs_per_writer)) from $writers concurrent writers, who started one new notifier; its queue vacuumed by it $vacuums time(s))"
