#!/usr/bin/env bash
# The scale-out pass: what the hop through job_control_proxy costs, and what
# a second partition adds, on this machine. Three throwaway clusters (fsync
# on, the benchmark's settings): a proxy and partitions p0 and p1. In each
# round, at each client count:
#
#   fail_running  job_fail of a running job on p0: straight to p0, then
#                 through the proxy (the jobs are p0's; the ids route there)
#   claim         job_claim + job_complete: straight to p0, through a proxy
#                 over p0 alone ("proxy1"), through a proxy over p0 and p1
#                 ("proxy2", half the backlog on each)
#
# Ratios are taken within a round (proxy / straight: the hop's cost;
# proxy2 / proxy1: a second partition), then their median and range over
# the rounds. Every server and pgbench share this machine's cores.
#
#   bench/proxy.sh [--pg 17]     ROUNDS (3), TXNS per client (2000),
#                                CLIENTS ("1 8"), SYNC (on)
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
TXNS=${TXNS:-2000}
CLIENTS=${CLIENTS:-"1 8"}
SYNC=${SYNC:-on}

. scripts/pg_select.sh
select_pg bench/proxy.sh "$@"
[ -n "${JOB_CONTROL_IN_ROOT:-}" ] || scripts/install-deps.sh
. scripts/pg_major.sh
scripts/build.sh
. bench/common.sh
CLUSTER_FSYNC=on
. test/proxy/nodes.sh

base=${PROXY_PGPORT:-26370}
settings=("${SETTINGS[@]/max_connections=40/max_connections=60}" "synchronous_commit=$SYNC")
node_start proxy $base "${settings[@]}"
node_start p0 $((base + 1)) "${settings[@]}"
node_start p1 $((base + 2)) "${settings[@]}"
partition_setup p0 >/dev/null
partition_setup p1 >/dev/null
# The history and notifications are off in the benchmark, as in bench/run.sh.
for p in p0 p1; do
    on $p -c "ALTER DATABASE postgres RESET job_control.history" \
          -c "ALTER DATABASE postgres RESET job_control.notify"
done
proxy_setup proxy p0 p1 >/dev/null
on proxy -c "CREATE DATABASE proxy1"
on proxy -d proxy1 -c "SET client_min_messages = warning" -c "CREATE EXTENSION job_control_proxy CASCADE" \
    -c "CREATE SERVER job_control FOREIGN DATA WRAPPER plproxy
          OPTIONS (p0 '$(node_conninfo p0) connect_timeout=2')" \
    -c "CREATE USER MAPPING FOR PUBLIC SERVER job_control OPTIONS (user '$PROXY_ROLE')"
# Every call as an application role, never a superuser or the tables' owner
# (row security and privilege checks paid for as in production): on the
# proxy, bench_app, an admin; straight to p0, the proxy's own role there.
for db in postgres proxy1; do
    on proxy -d $db -c "SET client_min_messages = warning" -c "SELECT job_control.create_access_roles()" >/dev/null
done
on proxy -c "CREATE ROLE bench_app LOGIN IN ROLE job_control_admin"
for node in proxy p0; do
    on $node -c "CREATE TABLE bench_ids (client int, n int, id uuid, PRIMARY KEY (client, n))" \
             -c "GRANT SELECT ON bench_ids TO PUBLIC"
done

out=bench/out
mkdir -p "$out"
results=$out/proxy.tsv
: >"$results"

# n new jobs on partition p (companies that hash to it), started when asked.
seed() {  # seed <p> <n> pending|running
    local start="" finish=""
    [ "$3" = running ] && { start="job_control.job_start(("; finish=" ->> 'job_id')::uuid, 'executor-1')"; }
    on p$1 -At -c "
        WITH companies AS (SELECT array_agg(c) AS c FROM generate_series(1, 400) AS c
                            WHERE hashint8(c) & 1 = $1)
        SELECT count(${start}job_control.job_create('nql-forecast', '{\"nql\": \"bench\"}',
                       jsonb_build_object('company_id', c[1 + g % cardinality(c)]))$finish)
          FROM companies, generate_series(1, $2) AS g" >/dev/null
}

user_on() { if [ "$1" = proxy ]; then echo bench_app; else echo "$PROXY_ROLE"; fi; }
tps_of() {  # tps_of <node> <database> <clients> <script>
    "$PG_BINDIR/pgbench" -n -M prepared -c "$3" -j $(($3 < 2 ? $3 : 2)) -t "$TXNS" -D n=0 -f "$4" \
        -h 127.0.0.1 -p "$(node_port "$1")" -U "$(user_on "$1")" "$2" 2>&1 \
        | sed -n 's/^tps = \([0-9.]*\) (without.*/\1/p'
}

fail_script=$out/proxy_fail.sql
cat >"$fail_script" <<'SQL'
\set n :n + 1
SELECT job_control.job_fail(id, 'executor lost its lease', '{"exit_code": 137, "stage": "upload"}')
  FROM bench_ids WHERE client = :client_id AND n = :n;
SQL
claim_script=$out/proxy_claim.sql
cat >"$claim_script" <<'SQL'
SELECT job ->> 'job_id' AS id FROM job_control.job_claim('executor-1') AS job \gset
SELECT job_control.job_complete(:id, '{"rows": 42}', 'executor-1');
SQL

# Running jobs on p0 for each client's n = 1..per_client, listed where the
# run reads them.
fresh_running() {  # fresh_running <clients> [per_client, default TXNS]
    local per_client=${2:-$TXNS}
    on p0 -c "TRUNCATE bench_ids" -c "DELETE FROM job_control.jobs"
    seed 0 $(($1 * per_client)) running
    on p0 -c "INSERT INTO bench_ids
              SELECT (r - 1) / $per_client, (r - 1) % $per_client + 1, job_id
                FROM (SELECT job_id, row_number() OVER (ORDER BY job_id) AS r
                        FROM job_control.jobs WHERE state = 'running') AS s" \
          -c "VACUUM ANALYZE job_control.jobs, job_control.job_queue, job_control.job_leases, bench_ids"
    on proxy -c "TRUNCATE bench_ids"
    on p0 -c "\\copy bench_ids TO STDOUT" | on proxy -c "\\copy bench_ids FROM STDIN"
    on proxy -c "VACUUM ANALYZE bench_ids"
}
fresh_pending() {  # fresh_pending <clients> <partitions>
    local p
    for p in 0 1; do on p$p -c "DELETE FROM job_control.jobs"; done
    if [ "$2" = 2 ]; then
        seed 0 $(($1 * TXNS / 2 + 50)) pending
        seed 1 $(($1 * TXNS / 2 + 50)) pending
    else
        seed 0 $(($1 * TXNS + 50)) pending
    fi
    for p in 0 1; do
        on p$p -c "VACUUM ANALYZE job_control.jobs, job_control.job_queue, job_control.job_leases"
    done
}

for round in $(seq 1 "$ROUNDS"); do
    for clients in $CLIENTS; do
        echo "== round $round, $clients clients"
        fresh_running "$clients"
        echo -e "fail_running\t$clients\t$round\tstraight\t$(tps_of p0 postgres "$clients" "$fail_script")" >>"$results"
        fresh_running "$clients"
        echo -e "fail_running\t$clients\t$round\tproxy\t$(tps_of proxy postgres "$clients" "$fail_script")" >>"$results"
        fresh_pending "$clients" 1
        echo -e "claim\t$clients\t$round\tstraight\t$(tps_of p0 postgres "$clients" "$claim_script")" >>"$results"
        fresh_pending "$clients" 1
        echo -e "claim\t$clients\t$round\tproxy1\t$(tps_of proxy proxy1 "$clients" "$claim_script")" >>"$results"
        fresh_pending "$clients" 2
        echo -e "claim\t$clients\t$round\tproxy2\t$(tps_of proxy postgres "$clients" "$claim_script")" >>"$results"
        tail -5 "$results"
    done
done

# What PL/Proxy's statement costs a partition: PL/Proxy sends every call as
# a new statement (parsed and planned each time) that binds the caller's
# company first. The same job_fail straight to p0 at 8 clients: prepared,
# unprepared, and unprepared with the binding.
echo "== the partition's statement (8 clients)"
fresh_running 24
statement_variant() {  # statement_variant <label> <pgbench -M mode> <FROM list> <client offset>
    local script=$out/proxy_statement.sql
    printf '%s\n' '\set n :n + 1' \
        "SELECT job_control.job_fail(id, 'executor lost its lease', '{\"exit_code\": 137}')" \
        "  FROM $3 bench_ids WHERE client = :client_id + $4 AND n = :n;" >"$script"
    "$PG_BINDIR/pgbench" -n -M "$2" -c 8 -j 2 -t "$TXNS" -D n=0 -f "$script" \
        -h 127.0.0.1 -p "$(node_port p0)" -U "$PROXY_ROLE" postgres 2>&1 \
        | awk -v label="$1" '/^tps = / {printf "| %s | %.0f |\n", label, $3}' >>"$out/proxy_statement.md"
}
: >"$out/proxy_statement.md"
statement_variant "prepared (as a backend calls it)" prepared "" 0
statement_variant "a new statement each call" extended "" 8
statement_variant "a new statement each call, binding the company (as PL/Proxy sends it)" extended \
    "pg_catalog.set_config('job_control.company_id', '', true) AS bound," 16

# Where a call's CPU goes: each server's processes' CPU time (utime + stime
# of the postmaster's children, /proc) and pgbench's, over the middle 4 s of
# an 8 s run at 8 clients, divided by the calls made meanwhile.
server_ticks() {  # server_ticks <node>: CPU ticks of its processes so far
    local pid
    for pid in $(ps -o pid= --ppid "$(head -1 "$NODES_DIR/$1/postmaster.pid")"); do
        awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true
    done | awk '{s += $1} END {print s + 0}'
}
per_call() {  # per_call <ticks> <calls>: microseconds
    awk -v d="$1" -v c="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", d / hz * 1e6 / c}'
}
cpu_split() {  # cpu_split <label> <node> <script>
    local log=$out/proxy_cpu.log node n before=() after=()
    "$PG_BINDIR/pgbench" -n -M prepared -c 8 -j 2 -T 8 -P 1 -D n=0 -f "$3" \
        -h 127.0.0.1 -p "$(node_port "$2")" -U "$(user_on "$2")" postgres >"$log" 2>&1 &
    local bench=$!
    sleep 2
    local b0; b0=$(awk '{print $14 + $15}' "/proc/$bench/stat")
    for node in proxy p0 p1; do before+=("$(server_ticks $node)"); done
    sleep 4
    local b1; b1=$(awk '{print $14 + $15}' "/proc/$bench/stat")
    for node in proxy p0 p1; do after+=("$(server_ticks $node)"); done
    wait $bench
    # the calls of the window: the progress lines of seconds 3 to 6
    local calls; calls=$(awk '/^progress: [0-9.]+ s/ {t = $2 + 0; if (t > 2 && t <= 6) s += $4} END {print s}' "$log")
    local line="| $1 | $calls |"
    for n in 0 1 2; do line="$line $(per_call $((after[n] - before[n])) "$calls") |"; done
    echo "$line $(per_call $((b1 - b0)) "$calls") |" >>"$out/proxy_cpu.md"
}
: >"$out/proxy_cpu.md"
echo "== where the CPU goes (8 clients, 8 s runs)"
on p1 -c "DELETE FROM job_control.jobs"
fresh_running 16 14000
cpu_split "fail_running, straight to p0" p0 "$fail_script"
# The proxy's run takes the other half of the running jobs.
sed 's/client = :client_id/client = :client_id + 8/' "$fail_script" >"$out/proxy_fail_upper.sql"
cpu_split "fail_running, through the proxy" proxy "$out/proxy_fail_upper.sql"
on p0 -c "DELETE FROM job_control.jobs"
for p in 0 1; do seed $p 60000 pending; on p$p -c "VACUUM ANALYZE job_control.jobs, job_control.job_queue"; done
cpu_split "claim + complete, straight to p0" p0 "$claim_script"
cpu_split "claim + complete, through the proxy (2 partitions)" proxy "$claim_script"

{
    echo "# job_control_proxy: the hop and a second partition"
    echo
    echo "Run $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores; $(pg_config --version); synchronous_commit=$SYNC;"
    echo "three clusters on this machine (fsync on, ${settings[*]}); pgbench -M prepared, $TXNS transactions"
    echo "per client, $ROUNDS rounds. TPS: median (min..max); ratios taken within each round, median (min..max)."
    echo
    echo "| workload | clients | straight to p0 | proxy over p0 | proxy over p0, p1 | hop: proxy / straight | proxy over 2 / over 1 |"
    echo "|---|---|---|---|---|---|---|"
    awk -F'\t' '
        function sorted(list, a,   n, i, j, t) {
            n = split(list, a, " ")
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
            return n
        }
        function summary(list, fmt,   a, n, m) {
            n = sorted(list, a); if (n == 0) return "-"
            m = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
            return sprintf(fmt " (" fmt ".." fmt ")", m, a[1], a[n])
        }
        { tps[$1, $2, $4] = tps[$1, $2, $4] " " $5; by[$1, $2, $3, $4] = $5
          if (!(($1, $2) in seen)) { seen[$1, $2] = 1; order[++count] = $1 SUBSEP $2 }
          if ($3 > rounds) rounds = $3 }
        END {
            for (i = 1; i <= count; i++) {
                split(order[i], k, SUBSEP); w = k[1]; c = k[2]
                via = (w == "fail_running") ? "proxy" : "proxy1"
                hop = ""; scale = ""
                for (r = 1; r <= rounds; r++) {
                    if (by[w, c, r, "straight"] > 0) hop = hop " " by[w, c, r, via] / by[w, c, r, "straight"]
                    if (w == "claim" && by[w, c, r, "proxy1"] > 0) scale = scale " " by[w, c, r, "proxy2"] / by[w, c, r, "proxy1"]
                }
                printf "| %s | %s | %s | %s | %s | %s | %s |\n", w, c,
                    summary(tps[w, c, "straight"], "%.0f"),
                    summary(tps[w, c, via], "%.0f"),
                    w == "claim" ? summary(tps[w, c, "proxy2"], "%.0f") : "-",
                    summary(hop, "%.2f"), w == "claim" ? summary(scale, "%.2f") : "-"
            }
        }' "$results"
    echo
    echo "job_fail straight to p0, 8 clients, one run each:"
    echo
    echo "| statement | TPS |"
    echo "|---|---|"
    cat "$out/proxy_statement.md"
    echo
    echo "CPU time per transaction (µs; claim + complete: per pair), 8 clients, over 4 s of an 8 s run:"
    echo
    echo "| run | transactions | proxy | p0 | p1 | pgbench |"
    echo "|---|---|---|---|---|---|"
    cat "$out/proxy_cpu.md"
} | tee "$out/proxy.md"
