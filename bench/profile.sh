#!/usr/bin/env bash
# Where the wall-clock time of a benchmark run goes, for job_control and
# for LIMIT: fail-running (or, WORKLOAD=fail_terminal, the no-op against
# LIMIT made to answer with the job; WORKLOAD=contention, the clients on
# the same 16 jobs) at 8 clients, or CLIENTS (sync on and off), under
# `perf record -a -e cpu-clock` (a software clock: these VMs count no
# cycles), then the machine's two cores' time split by process and object
# (the server's processes in the postgres binary, job_control.so, libc and
# the kernel; pgbench; idle), the server's kernel time by function, the
# context switches from `perf stat`, and what the backends were waiting
# for (pg_stat_activity sampled every 10 ms during the first 4 s: on CPU,
# a row lock held by another transaction, the WAL flush, ...).
#
#   bench/profile.sh [--pg N]      (TXNS per client and measurement: 15000;
#                                   CLIENTS: 8; SYNC_MODES: "on off")
#   WORKLOAD=fail_terminal bench/profile.sh
#   WORKLOAD=contention bench/profile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg_select.sh
select_pg bench/profile.sh "$@"
[ -n "${JOB_CONTROL_IN_ROOT:-}" ] || scripts/install-deps.sh
. scripts/pg_major.sh
command -v perf >/dev/null || apt-get install -y -qq --no-install-recommends linux-perf >/dev/null
TXNS=${TXNS:-15000}
CLIENTS=${CLIENTS:-8}
SYNC_MODES=${SYNC_MODES:-"on off"}
WORKLOAD=${WORKLOAD:-fail_running}
case $WORKLOAD in
    fail_running) contenders="limit job_control" ;;
    fail_terminal) contenders="limit_answering job_control" ;;
    contention) contenders="limit job_control" ;;
    *) echo "profile.sh: WORKLOAD is fail_running, fail_terminal or contention"; exit 1 ;;
esac
. bench/common.sh
bench_cluster_start
seed_contenders
out=bench/out/profile
mkdir -p "$out"
# The first lines of a perf report (a Debian root's perf may record nothing
# under the host's kernel).
top_of() {  # top_of <perf data> <perf report options...>
    local data=$1 lines
    shift
    lines=$(perf report -i "$data" --stdio "$@" 2>/dev/null | grep -E '^ +[0-9]' || true)
    if [ -n "$lines" ]; then head -8 <<<"$lines" | sed 's/^/   /'; else echo "   (no samples)"; fi
}
run=100
for sync in $SYNC_MODES; do
    for contender in $contenders; do
        # Fail-running: a pool of fresh running jobs per client, as
        # bench/run.sh seeds; the no-op fails the 10,000 failed jobs of pool 1.
        run=$((run + 1))
        if [ "$WORKLOAD" = fail_running ]; then
            for c in $(seq 0 $((CLIENTS - 1))); do q -c "CALL bench.seed($((run * 16 + c)), $TXNS, 'running')"; done
        fi
        [ "$WORKLOAD" != contention ] || reset_contention_jobs
        q -c "VACUUM $(tables_of $contender)"
        name=$WORKLOAD.$contender.sync_$sync
        # What the benchmark's backends wait for, sampled from another session.
        q >"$out/$name.waits" -c "
            CREATE TEMP TABLE waits (sample int, wait text);
            DO \$\$ BEGIN
                FOR i IN 1..400 LOOP
                    PERFORM pg_stat_clear_snapshot();  -- a fresh view each time
                    INSERT INTO waits
                    SELECT i, coalesce(wait_event_type || ':' || wait_event, 'on CPU')
                      FROM pg_stat_activity
                     WHERE usename = 'bench_app' AND state = 'active';
                    PERFORM pg_sleep(0.01);
                END LOOP;
            END \$\$;
            SELECT wait, round(100.0 * count(*) / sum(count(*)) OVER (), 1)
              FROM waits GROUP BY wait ORDER BY 2 DESC LIMIT 6" &
        sampler=$!
        perf stat -a -e task-clock,context-switches -o "$out/$name.stat" -- \
            perf record -a -e cpu-clock -F 499 -q -o "$out/$name.data" -- \
            env PGOPTIONS="-c synchronous_commit=$sync" pgbench -U bench_app -n -M prepared \
                -c "$CLIENTS" -j "$CLIENTS" -t "$TXNS" -D run=$run -D n=0 \
                -f "bench/workloads/$WORKLOAD.$contender.sql" >"$out/$name.pgbench" 2>&1
        tps=$(sed -n 's/^tps = \([0-9.]*\) (without.*/\1/p' "$out/$name.pgbench")
        echo "== $WORKLOAD, $contender, sync $sync, $CLIENTS clients: $tps TPS"
        echo "   by process and object (share of both cores' samples; swapper: idle):"
        top_of "$out/$name.data" --sort comm,dso
        echo "   the server's time in the kernel, by function:"
        top_of "$out/$name.data" --comm postgres --dso '[kernel.kallsyms]' --sort sym
        grep -E 'context-switches' "$out/$name.stat" | sed 's/^ */   /'
        wait $sampler
        echo "   the active backends' waits (% of samples):"
        sed 's/^/   /; s/|/: /' "$out/$name.waits"
    done
done
