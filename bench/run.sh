#!/usr/bin/env bash
# job_control benchmark: job_control against LIMIT (the least work a single
# UPDATE can do) and a plain PL/pgSQL implementation, on the same table shape,
# in one throwaway cluster with fixed settings. Reports medians (min..max) of
# several rounds and each contender's ratio to LIMIT from the same run.
#
#   bench/run.sh                      # full run (about 15 minutes on 2 cores)
#   ROUNDS=1 TXNS=300 bench/run.sh    # a quick smoke run
#   bench/run.sh --pg 17              # on PostgreSQL 17 (or 18), in its Debian root
#
# Knobs (environment): ROUNDS (3), TXNS per client per run (2000; the
# no-op's runs, fail_terminal, NOOP_TXNS: 10x, see below), CLIENTS
# ("1 8"), SYNC_MODES ("on off"), BASE_JOBS (200000 per contender table),
# FINISHED_LARGE (1000000, the claim-flatness check; 0 skips it), WORKLOADS
# (all five), VARIANTS ("history logged deferred", the fail_running runs with
# the history and notifications on; "" skips them). A run with fewer
# workloads, e.g. WORKLOADS=contention VARIANTS= FINISHED_LARGE=0, takes a
# few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
TXNS=${TXNS:-2000}
# The no-op writes nothing and runs at 50,000-80,000 calls a second: 2,000
# calls per client last a quarter of a second, in which each backend's first
# calls (its kept plans prepared, its caches filled) weigh: job_control
# measured 1.33x the answering LIMIT at 8 clients that way, 1.56x over
# 20,000 calls and more (BENCHMARKS.md, "The no-op's run length").
NOOP_TXNS=${NOOP_TXNS:-$((TXNS * 10))}
txns_of() { if [ "$1" = fail_terminal ]; then echo "$NOOP_TXNS"; else echo "$TXNS"; fi; }
CLIENTS=${CLIENTS:-"1 8"}
SYNC_MODES=${SYNC_MODES:-"on off"}
FINISHED_LARGE=${FINISHED_LARGE:-1000000}
# limit_answering: LIMIT's fail-terminal made to answer its no-op with the
# job, as the spec makes job_control's (one statement; that workload only).
CONTENDERS="limit limit_answering job_control plpgsql"
WORKLOADS=${WORKLOADS:-"fail_running fail_terminal fail_mixed contention claim"}
VARIANTS=${VARIANTS-"history logged deferred"}

. scripts/pg_select.sh
select_pg bench/run.sh "$@"
[ -n "${JOB_CONTROL_IN_ROOT:-}" ] || scripts/install-deps.sh
. scripts/pg_major.sh
. bench/common.sh
bench_cluster_start

out=bench/out
mkdir -p "$out"
results="$out/results.tsv"
report="$out/report.md"
: >"$results"
seed_contenders

# Runs one pgbench measurement and appends a line to $results:
# workload sync clients round contender tps latency_ms updates hot_updates growth_bytes wal_bytes
measure() {
    local workload=$1 sync=$2 clients=$3 round=$4 contender=$5 run=$6 options=${7:-}
    local table; table=$(table_of "$contender")
    local script=bench/workloads/$workload.$contender.sql
    case $workload in fail_running_*) script=bench/workloads/fail_running.$contender.sql ;; esac
    q -c "VACUUM $(tables_of "$contender")"
    local before; before=$(q -F' ' -c "SELECT n_tup_upd, n_tup_hot_upd, pg_total_relation_size('$table'),
                                              pg_current_wal_lsn() FROM pg_stat_user_tables WHERE relid = '$table'::regclass")
    local log; log=$(PGOPTIONS="-c synchronous_commit=$sync $options" pgbench -U bench_app -n -M prepared \
        -c "$clients" -j "$clients" -t "$(txns_of "$workload")" -D run="$run" -D n=0 -f "$script" 2>&1) \
        || { echo "$log" >&2; return 1; }
    sleep 0.5  # let the pgbench backends' statistics reach the shared counters
    local after; after=$(q -F' ' -c "SELECT n_tup_upd, n_tup_hot_upd, pg_total_relation_size('$table'),
                                             pg_current_wal_lsn() FROM pg_stat_user_tables WHERE relid = '$table'::regclass")
    local tps latency
    tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' <<<"$log")
    latency=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$log")
    read -r upd0 hot0 size0 lsn0 <<<"$before"
    read -r upd1 hot1 size1 lsn1 <<<"$after"
    local wal; wal=$(q -c "SELECT pg_wal_lsn_diff('$lsn1', '$lsn0')::bigint")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$workload" "$sync" "$clients" "$round" \
        "$contender" "$tps" "$latency" $((upd1 - upd0)) $((hot1 - hot0)) $((size1 - size0)) "$wal" >>"$results"
    printf '  %-14s sync=%-3s clients=%s round=%s %-12s %10s tps %8s ms\n' \
        "$workload" "$sync" "$clients" "$round" "$contender" "$tps" "$latency"
}

run=16
for sync in $SYNC_MODES; do
    for clients in $CLIENTS; do
        for round in $(seq 1 "$ROUNDS"); do
            run=$((run + 1))
            # Fresh running jobs for fail_running and fail_mixed, one pool per
            # client each; fresh pending jobs behind the backlog for claim.
            for c in $(seq 0 $((clients - 1))); do
                q -c "CALL bench.seed($((run * 16 + c)), $TXNS, 'running')" \
                  -c "CALL bench.seed($((run * 16 + 8 + c)), $TXNS, 'running')"
            done
            q -c "CALL bench.seed($((1000000 + run)), $((clients * TXNS)), 'pending')"
            for workload in $WORKLOADS; do
                [ "$workload" != contention ] || reset_contention_jobs
                for contender in $CONTENDERS; do
                    [ -f "bench/workloads/$workload.$contender.sql" ] || continue
                    measure "$workload" "$sync" "$clients" "$round" "$contender" "$run"
                done
            done
            # The same fail_running with the history on, then with history
            # and NOTIFY at commit (logged), then with history and deferred
            # notifications (job_control only). Each is paired with a run
            # without them on a pool of its own seeded alike, next to it in
            # time and in alternating order from round to round: the pair's
            # ratio is free of the drift of a run (a table that grew, the
            # workloads before, the VM's neighbours), which compared with
            # the fail_running above it was not.
            for variant in $VARIANTS; do
                for c in $(seq 0 $((clients - 1))); do
                    q -c "CALL bench.seed($(((run + 1) * 16 + c)), $TXNS, 'running')" \
                      -c "CALL bench.seed($(((run + 2) * 16 + c)), $TXNS, 'running')"
                done
                options="-c job_control.history=on"
                [ "$variant" = logged ] && options="$options -c job_control.notify=on"
                [ "$variant" = deferred ] && options="$options -c job_control.notify=deferred"
                if [ $((round % 2)) = 1 ]; then
                    measure "fail_running_${variant}_without" "$sync" "$clients" "$round" job_control $((run + 1))
                    measure "fail_running_$variant" "$sync" "$clients" "$round" job_control $((run + 2)) "$options"
                else
                    measure "fail_running_$variant" "$sync" "$clients" "$round" job_control $((run + 2)) "$options"
                    measure "fail_running_${variant}_without" "$sync" "$clients" "$round" job_control $((run + 1))
                fi
                run=$((run + 2))
            done
        done
    done
done

claim_tps() {  # prints the median claim tps of ROUNDS runs, 1 client, sync off
    local r tps all=()
    for r in $(seq 1 "$ROUNDS"); do
        # Each round starts as measure() starts one: its tables vacuumed, the
        # work index included (autovacuum is off; without it the claims with
        # the large backlog, which come last, stepped over the dead queue
        # entries of every claim before them).
        q -c "CALL bench.seed($((2000000 + RANDOM * 8 + r)), $TXNS, 'pending')" \
          -c "VACUUM ANALYZE job_control.jobs, job_control.job_queue, job_control.job_leases"
        tps=$(PGOPTIONS="-c synchronous_commit=off" pgbench -U bench_app -n -M prepared -c 1 -j 1 -t "$TXNS" \
              -f bench/workloads/claim.job_control.sql 2>&1 | sed -n 's/^tps = \([0-9.]*\) (without.*/\1/p')
        all+=("$tps")
    done
    printf '%s\n' "${all[@]}" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}
if [ "$FINISHED_LARGE" -gt 0 ]; then
    echo "== claim cost against the number of finished jobs"
    q -c "DELETE FROM job_control.jobs WHERE completed_at IS NOT NULL" \
      -c "CALL bench.seed(3000000, 10000, 'completed', true)" -c "VACUUM ANALYZE job_control.jobs"
    finished_small=$(q -c "SELECT count(*) FROM job_control.jobs WHERE completed_at IS NOT NULL")
    claim_small=$(claim_tps)
    q -c "INSERT INTO job_control.jobs (job_id, company_id, request_source, state, type, input, created_at, updated_at, completed_at)
          SELECT bench.job_uuid(3000001, n), 1, '{\"company_id\": 1}', 'completed', 'nql-forecast', '{\"nql\": \"q\"}',
                 now(), now(), now() FROM generate_series(1, $FINISHED_LARGE) AS n" \
      -c "VACUUM ANALYZE job_control.jobs"
    finished_large=$(q -c "SELECT count(*) FROM job_control.jobs WHERE completed_at IS NOT NULL")
    claim_large=$(claim_tps)
    echo "  claim: $claim_small tps with $finished_small finished jobs, $claim_large tps with $finished_large"
fi

# The report.
{
    echo "# job_control benchmark"
    echo
    echo "Run $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores; $(postgres --version 2>/dev/null || pg_config --version)."
    echo "Cluster: fsync=on ${SETTINGS[*]}; pgbench -M prepared, $TXNS transactions per client per run ($NOOP_TXNS for fail_terminal),"
    echo "$ROUNDS rounds; contenders interleaved within each round; tables vacuumed before each run."
    echo "Base data: $BASE_JOBS jobs per contender table with a ~1 KB NQL input, 50% completed,"
    echo "25% failed, 10% cancelled, 10% pending, 5% running."
    echo
    echo "TPS: median (min..max) of the rounds; ratio = median / LIMIT's median in the same run."
    echo
    echo "| workload | sync | clients | contender | TPS | ratio to LIMIT | latency ms | HOT updates | growth per 100k transitions | WAL bytes per txn |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    awk -F'\t' -v txns="$TXNS" -v noop_txns="$NOOP_TXNS" '
        function median(list,   n, a, i, j, t) {
            n = split(list, a, " ")
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        function minimum(list,   n, a, i, m) { n = split(list, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 < m + 0) m = a[i]; return m }
        function maximum(list,   n, a, i, m) { n = split(list, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 > m + 0) m = a[i]; return m }
        {
            key = $1 SUBSEP $2 SUBSEP $3 SUBSEP $5
            if (!(key in tps)) order[++count] = key
            tps[key] = tps[key] " " $6; lat[key] = lat[key] " " $7
            in_round[key, $4] = $6
            upd[key] += $8; hot[key] += $9; growth[key] += $10; wal[key] += $11; txn[key] += ($1 == "fail_terminal" ? noop_txns : txns) * $3
        }
        END {
            for (i = 1; i <= count; i++) {
                split(order[i], k, SUBSEP)
                base = k[1] SUBSEP k[2] SUBSEP k[3] SUBSEP "limit"
                m = median(tps[order[i]])
                ratio = (base in tps) ? sprintf("%.2f", m / median(tps[base])) : "-"
                if (k[1] ~ /^fail_running_.*_without$/) ratio = "(pair of the next)"
                else if (k[1] ~ /^fail_running_/) {
                    # the median of the rounds ratios to the paired run
                    base = k[1] "_without" SUBSEP k[2] SUBSEP k[3] SUBSEP "job_control"
                    ratios = ""
                    for (r = 1; (order[i], r) in in_round; r++)
                        ratios = ratios " " in_round[order[i], r] / in_round[base, r]
                    ratio = sprintf("%.2f (of job_control without, paired)", median(ratios))
                }
                hotp = upd[order[i]] > 0 ? sprintf("%d%%", 100 * hot[order[i]] / upd[order[i]]) : "-"
                printf "| %s | %s | %d | %s | %.0f (%.0f..%.0f) | %s | %.3f | %s | %.1f MB | %.0f |\n",
                    k[1], k[2], k[3], k[4], m, minimum(tps[order[i]]), maximum(tps[order[i]]), ratio,
                    median(lat[order[i]]), hotp, growth[order[i]] / txn[order[i]] * 100000 / 1048576,
                    wal[order[i]] / txn[order[i]]
            }
        }' "$results"
    if [ "$FINISHED_LARGE" -gt 0 ]; then
        echo
        echo "Claim cost against the backlog of finished jobs (job_control, 1 client, sync off, median of $ROUNDS):"
        echo "$claim_small TPS with $finished_small finished jobs, $claim_large TPS with $finished_large finished jobs."
    fi
    echo
    bench/brief.sh "$results"
} | tee "$report"
