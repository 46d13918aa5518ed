#!/usr/bin/env bash
# Instructions per call, counted by valgrind's callgrind: the deterministic
# complement of bench/run.sh. TPS on these shared 2-core VMs varies by 1.5x
# from run to run; the number of instructions a call executes does not. It
# measures CPU work only (no lock waits, no WAL flush, no cache misses), which
# is what decides with synchronous_commit off.
#
#   bench/instructions.sh                # 1000 calls per contender and workload
#   CALLS=300 bench/instructions.sh      # quicker
#   bench/instructions.sh --pg 17        # on PostgreSQL 17 (or 18), in its root
#   DEBUG_KEEP=1 bench/instructions.sh   # keep the cluster directory and its
#                                        # callgrind.out, for callgrind_annotate
#   SETTINGS="job_control.history=on job_control.notify=deferred" \
#     CONTENDERS=job_control WORKLOADS=fail_running bench/instructions.sh
#                                        # the cost with settings (as superuser)
#   CLAIM=0 bench/instructions.sh        # without the claim's measurement
#   WORKLOADS=restart bench/instructions.sh
#                                        # contention's restart alone (a failed
#                                        # job rescheduled and started again)
#
# Setup as bench/run.sh (same tables, same role), then each contender's
# statement runs as a prepared statement in a single-user backend under
# callgrind, counting what EXECUTE does (the kept plan, its execution) and
# the answer's conversion to text (jsonb_out: single-user mode runs it after
# EXECUTE returns, from the portal's store, as a server sends a row; without
# it a contender that answers with a job would be counted cheaper than one
# that answers with nothing). Two runs per measurement, of WARM and of
# WARM + CALLS calls; their difference over CALLS is the cost of one call
# with warm caches. Last, the cost of a claim (job_claim) with 60,000 and
# with 1,060,000 finished jobs in the table: it should not change.
set -euo pipefail
shopt -s inherit_errexit  # a failed count inside $(...) stops the script
cd "$(dirname "$0")/.."

CALLS=${CALLS:-1000}
WARM=${WARM:-100}
CONTENDERS=${CONTENDERS:-"limit limit_answering job_control plpgsql"}
SETTINGS=${SETTINGS:-}
CLAIM=${CLAIM:-1}
WORKLOADS=${WORKLOADS:-"fail_running fail_terminal"}

. scripts/pg_select.sh
select_pg bench/instructions.sh "$@"
[ -n "${JOB_CONTROL_IN_ROOT:-}" ] || scripts/install-deps.sh
. scripts/pg_major.sh
if ! command -v valgrind >/dev/null; then
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get install -y -qq valgrind >/dev/null
fi
scripts/build.sh
. scripts/cluster.sh
cluster_start
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
q -f bench/setup.sql
# A history past its first BRIN block range (128 pages), as any history
# soon is: the index on transitioned_at is built with a summary of that first
# range, which every insert into it extends; later ranges stay unsummarized
# until a VACUUM finds them complete, and an insert only looks them up.
history_rows="INSERT INTO job_control.job_transitions
              SELECT gen_random_uuid(), 1, 'pending', 'running', now() - interval '1 day', 'bench_app', 'executor-1'
              FROM generate_series(1, 30000)"
q -c "CALL bench.seed(1, 10000, 'failed')" \
  -c "CALL bench.seed(100, $((2 * WARM + CALLS)), 'running')" \
  -c "CALL bench.seed(4, 50000, 'completed')" \
  -c "CALL bench.seed(200, $((2 * (2 * WARM + CALLS))), 'pending')" \
  -c "CALL bench.seed(5, $((2 * WARM + CALLS)), 'failed')" \
  -c "$history_rows" \
  -c "VACUUM ANALYZE"
as_server_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null
[ -n "${DEBUG_KEEP:-}" ] && trap - EXIT

# The workload whose scripts hold a measurement's statement: restart is
# contention's last branch.
workload_file() {
    case $1 in
        restart) echo contention ;;
        *) echo "$1" ;;
    esac
}

# The statement of the workload's script for a contender, with its job id as
# parameter $1.
statement_of() {
    local file; file="bench/workloads/$(workload_file "$1").$2.sql"
    case $1 in
        restart) sed -n '/^\\else$/{n;p}' "$file" ;;
        *) tail -1 "$file" ;;
    esac | sed -e 's/bench\.job_uuid([^)]*)/$1/g' -e 's/;$//'
}

# job_ids <workload> <first> <count>: the job ids of the calls, as literals
# (an expression such as bench.job_uuid() would be planned and run by every
# EXECUTE, and count for more than the calls themselves). Same ids as
# bench.job_uuid(pool, n).
job_ids() {
    local i
    for i in $(seq "$2" $(($2 + $3 - 1))); do
        case $1 in
            fail_running) printf "'%08x-0000-4000-8000-%012x'\n" 100 "$i" ;;
            fail_terminal) printf "'%08x-0000-4000-8000-%012x'\n" 1 $((i % 10000 + 1)) ;;
            restart) printf "'%08x-0000-4000-8000-%012x'\n" 5 "$i" ;;
        esac
    done
}

# count_instructions <script>: callgrind's count of the EXECUTEs of a
# script run by a single-user backend as bench_app.
# On 15 and 16 the library is preloaded, as for its counters (README,
# "Monitoring"): what a call costs where they count.
count_instructions() {
    local out=$CLUSTER_DIR/callgrind.out preload=()
    [ "$PG_MAJOR" -lt 17 ] && preload=(-c shared_preload_libraries=job_control)
    chmod 644 "$1"
    rm -f "$out"
    as_server_user valgrind --tool=callgrind --collect-atstart=no \
        --toggle-collect=ExecuteQuery --toggle-collect=jsonb_out --callgrind-out-file="$out" \
        "$PG_BINDIR/postgres" --single -D "$CLUSTER_DIR/data" -c fsync=off "${preload[@]}" postgres \
        <"$1" >"$CLUSTER_DIR/single.log" 2>&1
    if grep -q ERROR "$CLUSTER_DIR/single.log"; then
        grep -m3 ERROR "$CLUSTER_DIR/single.log" >&2
        return 1
    fi
    sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p;T;q' "$out"
}

# instructions <workload> <contender> <first> <count>
instructions() {
    local script=$CLUSTER_DIR/script.sql
    {
        for setting in $SETTINGS; do echo "SET ${setting/=/ = }"; done
        echo "SET ROLE bench_app"
        echo "PREPARE call(uuid) AS $(statement_of "$1" "$2")"
        job_ids "$1" "$3" "$4" | sed 's/.*/EXECUTE call(&)/'
    } >"$script"
    count_instructions "$script"
}

# claim_instructions <first, unused> <count>: that many claims of one job
# each, from a vacuumed queue (each claim leaves a dead entry at its head,
# which autovacuum would clear; not counted: only EXECUTE is).
claim_instructions() {
    local script=$CLUSTER_DIR/script.sql
    {
        echo "VACUUM job_control.job_queue, job_control.job_leases"
        echo "SET ROLE bench_app"
        echo "PREPARE call AS SELECT job ->> 'job_id' FROM job_control.job_claim('executor-1') AS job"
        for _ in $(seq "$2"); do echo "EXECUTE call"; done
    } >"$script"
    count_instructions "$script"
}

# per_call <measure> <args...>: the instructions of one call with warm
# caches, from a run of WARM calls and one of WARM + CALLS calls on other
# jobs (a fail moves its job only once); the measure takes the first job and
# the number of calls after <args>.
per_call() {
    local warm all
    warm=$("$@" 1 "$WARM")
    all=$("$@" $((WARM + 1)) $((WARM + CALLS)))
    echo $(( (all - warm) / CALLS ))
}

echo "== instructions per call ($CALLS calls after $WARM)"
results=$CLUSTER_DIR/instructions.tsv
: >"$results"
for workload in $WORKLOADS; do
    for contender in $CONTENDERS; do
        [ -f "bench/workloads/$(workload_file "$workload").$contender.sql" ] || continue
        ir=$(per_call instructions "$workload" "$contender")
        printf '%s\t%s\t%s\n' "$workload" "$contender" "$ir" >>"$results"
        printf '  %-14s %-12s %9s instructions per call\n' "$workload" "$contender" "$ir"
    done
done

if [ "$CLAIM" = 1 ]; then
    echo "== a claim with the backlog of finished jobs"
    finished_jobs() {
        echo "SELECT count(*) FROM job_control.jobs WHERE completed_at IS NOT NULL" \
            | as_server_user "$PG_BINDIR/postgres" --single -D "$CLUSTER_DIR/data" postgres 2>/dev/null \
            | sed -n 's/^[[:space:]]*1: count = "\([0-9]*\)".*/\1/p'
    }
    finished_small=$(finished_jobs)
    claim_small=$(per_call claim_instructions)
    echo "INSERT INTO job_control.jobs (job_id, company_id, request_source, state, type, input, created_at, updated_at, completed_at) SELECT bench.job_uuid(300, n), 1, '{\"company_id\": 1}', 'completed', 'nql-forecast', '{\"nql\": \"q\"}', now(), now(), now() FROM generate_series(1, 1000000) AS n" \
        | as_server_user "$PG_BINDIR/postgres" --single -D "$CLUSTER_DIR/data" -c fsync=off postgres >/dev/null 2>&1
    finished_large=$(finished_jobs)
    claim_large=$(per_call claim_instructions)
    printf '  claim: %s instructions with %s finished jobs, %s with %s\n' \
        "$claim_small" "$finished_small" "$claim_large" "$finished_large"
fi

{
    echo "# job_control: instructions per call"
    echo
    echo "Run $(date -u +%Y-%m-%dT%H:%M:%SZ); $(postgres --version 2>/dev/null || pg_config --version); valgrind's callgrind,"
    echo "$CALLS calls after $WARM, prepared, as bench_app, in a single-user backend (bench/instructions.sh)${SETTINGS:+, with $SETTINGS}."
    echo "Ratio = LIMIT's instructions / the contender's (above 1: less work than LIMIT)."
    echo
    echo "| workload | contender | instructions per call | ratio to LIMIT |"
    echo "|---|---|---|---|"
    awk -F'\t' '{ ir[$1, $2] = $3; order[++n] = $1 SUBSEP $2 }
        END { for (i = 1; i <= n; i++) { split(order[i], k, SUBSEP)
              limit = ir[k[1], "limit"]
              printf "| %s | %s | %d | %s |\n", k[1], k[2], ir[order[i]],
                     limit ? sprintf("%.2f", limit / ir[order[i]]) : "(LIMIT not run)" } }' "$results"
    if [ "$CLAIM" = 1 ]; then
        echo
        echo "A claim (job_claim, one job): $claim_small instructions with $finished_small finished jobs in the table,"
        echo "$claim_large with $finished_large."
    fi
} | tee bench/out/instructions.md
