#!/usr/bin/env bash
# A call cancelled in its middle leaves nothing half done: claims of 500
# jobs, job_fail_many of 3000 and pruning batches of 3000, each under a
# statement_timeout drawn at random around its running time (some finish,
# some are cancelled mid-way), and a move cancelled by pg_cancel_backend
# while it waits for the job's row lock. Each batch is all or nothing (the
# jobs it names all moved, or none), and after every call the invariants
# of test/invariants.sql hold; amcheck at the end. Needs a running server.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-12}
db=jc_cancel
. test/checks.sh
mover_err=$(mktemp)
trap 'rm -f "$mover_err"; dropdb --if-exists --force $db 2>/dev/null' EXIT
dropdb --if-exists --force $db 2>/dev/null
createdb $db
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
q -c "CREATE EXTENSION job_control" -c "ALTER DATABASE $db SET job_control.history = on"
# A run of 3000 jobs made long ago and finished, for the pruning.
seed_jobs() {  # seed_jobs <state> <count> <age>
    q -c "INSERT INTO job_control.jobs (company_id, request_source, state, type, input,
                                        created_at, updated_at, completed_at)
          SELECT 1, '{\"company_id\": 1}', '$1', 'nql-forecast', '{\"nql\": \"q\"}',
                 now() - interval '$3', now() - interval '$3',
                 CASE WHEN '$1' IN ('completed', 'failed', 'cancelled') THEN now() - interval '$3' END
            FROM generate_series(1, $2)"
}

# Runs `call` under a statement_timeout of `ms`: prints "done" or
# "cancelled"; any other error fails the test.
under_timeout() {  # under_timeout <ms> <sql>
    local out
    if out=$(q -c "SET statement_timeout = $1" -c "$2" 2>&1); then
        echo done
    elif grep -q "canceling statement due to statement timeout" <<<"$out"; then
        echo cancelled
    else
        echo "cancel_test: $2: $out" >&2; return 1
    fi
}

all_or_nothing() {  # all_or_nothing <what> <count before> <count after> <batch>
    local moved=$(($3 - $2))
    if [ "$moved" -ne 0 ] && [ "$moved" -ne "$4" ]; then
        echo "cancel_test: $1 moved $moved of its $4 jobs"; return 1
    fi
}

declare -A outcomes=()
for round in $(seq "$ROUNDS"); do
    ms=$((5 + RANDOM % 120))
    seed_jobs pending 3000 '1 second'
    # A claim of 500 of the oldest pending jobs.
    before=$(q -c "SELECT count(*) FROM job_control.jobs WHERE state = 'running'")
    outcome=$(under_timeout $((1 + RANDOM % 40)) "SELECT count(*) FROM job_control.job_claim('w$round', 500)")
    after=$(q -c "SELECT count(*) FROM job_control.jobs WHERE state = 'running'")
    all_or_nothing claim "$before" "$after" 500
    outcomes[claim $outcome]=$((${outcomes[claim $outcome]:-0} + 1))
    check_invariants $db || exit 1

    # job_fail_many of (up to) 3000 pending jobs.
    before=$(q -c "SELECT count(*) FROM job_control.jobs WHERE state = 'failed'")
    named=$(q -c "SELECT count(*) FROM (SELECT FROM job_control.jobs WHERE state = 'pending' LIMIT 3000) p")
    outcome=$(under_timeout $ms "SELECT count(*) FROM job_control.job_fail_many(
        ARRAY(SELECT job_id FROM job_control.jobs WHERE state = 'pending' ORDER BY job_id LIMIT 3000),
        'cancelled mid-way?')")
    after=$(q -c "SELECT count(*) FROM job_control.jobs WHERE state = 'failed'")
    all_or_nothing fail_many "$before" "$after" "$named"
    outcomes[fail_many $outcome]=$((${outcomes[fail_many $outcome]:-0} + 1))
    check_invariants $db || exit 1

    # A pruning batch of 3000 jobs finished long ago.
    seed_jobs completed 3000 '60 days'
    before=$(q -c "SELECT count(*) FROM job_control.jobs")
    outcome=$(under_timeout $((1 + RANDOM % 40)) "SELECT job_control.job_prune_batch('30 days', 3000)")
    after=$(q -c "SELECT count(*) FROM job_control.jobs")
    all_or_nothing prune "$before" "$after" -3000
    outcomes[prune $outcome]=$((${outcomes[prune $outcome]:-0} + 1))
    q -c "DELETE FROM job_control.jobs WHERE completed_at < now() - interval '30 days'"
    check_invariants $db || exit 1
done

# A move cancelled while it waits for the row lock another transaction holds.
id=$(q -c "SELECT job_control.job_create('nql-forecast', '{\"nql\": \"held\"}', '{\"company_id\": 1}') ->> 'job_id'")
q -c "SELECT job_control.job_start('$id', 'w1')" >/dev/null
q -c "BEGIN" -c "SELECT 1 FROM job_control.jobs WHERE job_id = '$id' FOR UPDATE" -c "SELECT pg_sleep(3)" -c "COMMIT" >/dev/null &
holder=$!
sleep 0.5
psql -X -q -At -d $db -c "SET application_name = 'cancel_test_mover'" \
    -c "SELECT job_control.job_fail('$id', 'never recorded')" >/dev/null 2>"$mover_err" &
mover=$!
for _ in $(seq 50); do
    waiting=$(q -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'cancel_test_mover' AND wait_event_type = 'Lock'")
    [ -n "$waiting" ] && break
    sleep 0.05
done
[ -n "$waiting" ] || { echo "cancel_test: the move never waited for the lock"; exit 1; }
q -c "SELECT pg_cancel_backend($waiting)" >/dev/null
wait $mover && { echo "cancel_test: the cancelled move succeeded"; exit 1; }
grep -q "canceling statement due to user request" "$mover_err" \
    || { echo "cancel_test: the move failed otherwise:"; cat "$mover_err"; exit 1; }
wait $holder
state=$(q -c "SELECT state || ' ' || jsonb_array_length(failures) FROM job_control.jobs WHERE job_id = '$id'")
[ "$state" = "running 0" ] || { echo "cancel_test: the cancelled move left the job $state"; exit 1; }
check_invariants $db || exit 1
check_amcheck $db || exit 1
summary=$(for k in "${!outcomes[@]}"; do echo "$k ${outcomes[$k]}"; done | sort | paste -sd, - | sed 's/,/, /g')
echo "cancel_test: $ROUNDS rounds of claim, fail_many and prune under random timeouts ($summary), each all or nothing; a move cancelled while waiting for its lock left its job as it was; invariants and amcheck clean"
