#!/usr/bin/env bash
# Scale-out through job_control_proxy: a proxy and two partition servers
# (three throwaway clusters on loopback ports), then four partitions.
#
#  1. the API through the proxy (pg_regress test/proxy: placement, lifecycle,
#     errors and SQLSTATEs, fan-out calls, tenancy, access levels);
#  2. every job on the partition its company hashes to, its id carrying it;
#  3. eight clients racing on 16 jobs spread over both partitions: every
#     history chain unbroken on each;
#  4. claims of one job at a time take from both partitions' backlogs;
#  5. a listener on each partition (job_control.partition_connections())
#     hears that partition's changes;
#  6. a partition down: the other's jobs keep working, the down one's calls
#     fail with a connection error and change nothing, all resumes after;
#  7. growth from 2 to 4 partitions under load (tools/job_control_grow):
#     every job and its history moved to its new partition, every id still
#     resolving, calls meanwhile done or refused with 55006.
#
# Needs the extensions installed, build/notify_listener and PL/Proxy.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg_major.sh
. test/proxy/nodes.sh
. test/checks.sh
export PGUSER=postgres

base=${PROXY_PGPORT:-26360}
work=$NODES_DIR/work
mkdir -p "$work"
fail() { echo "proxy_test: $*"; exit 1; }

node_start proxy $base
node_start p0 $((base + 1))
node_start p1 $((base + 2))
partition_setup p0 >/dev/null
partition_setup p1 >/dev/null
proxy_setup proxy p0 p1 >/dev/null

echo "== 1. the API through the proxy"
regress=$("$PG_CONFIG" --pkglibdir)/pgxs/src/test/regress/pg_regress
"$regress" --use-existing --host=127.0.0.1 --port=$base --user=postgres --dbname=postgres \
    --inputdir=test/proxy --outputdir=test/proxy/output --bindir="$PG_BINDIR" proxy_api \
    || { cat test/proxy/output/regression.diffs; fail "the API through the proxy differs"; }

echo "== 2. placement"
on proxy -c "SELECT count(job_control.job_create('nql-forecast', '{\"nql\": \"placed\"}',
                       jsonb_build_object('company_id', c))) FROM generate_series(1, 64) AS c" >/dev/null
for p in 0 1; do
    misplaced=$(on p$p -At -c "
        SELECT count(*) FROM job_control.jobs
         WHERE hashint8(company_id) & 1 <> $p
            OR get_byte(uuid_send(job_id), 0) * 256 + get_byte(uuid_send(job_id), 1)
               <> hashint8(company_id) & 65535")
    jobs=$(on p$p -At -c "SELECT count(*) FROM job_control.jobs")
    [ "$misplaced" = 0 ] && [ "$jobs" -gt 0 ] || fail "p$p: $misplaced of $jobs jobs misplaced"
    echo "p$p: $jobs jobs, all of companies that hash to it, ids carrying their bucket"
done

echo "== 3. eight clients racing on 16 jobs over both partitions"
on proxy >/dev/null <<'SQL'
CREATE TABLE race_jobs (n int PRIMARY KEY, id uuid NOT NULL);
INSERT INTO race_jobs
SELECT n, (job_control.job_create('nql-forecast', '{"nql": "race"}',
                                  jsonb_build_object('company_id', 100 + n)) ->> 'job_id')::uuid
  FROM generate_series(1, 16) AS n;
SELECT count(job_control.job_start(id, 'w0')) FROM race_jobs;
SQL
# Through the proxy, each call is a transaction of its own on the partition:
# a restart (reschedule, then start) is two, and another client may act in
# between, so a call may meet a state it cannot leave (55000), as two
# separate calls may on a server.
on proxy >/dev/null <<'SQL'
CREATE FUNCTION race_step(job uuid, op int, client int) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN CASE op
        WHEN 1 THEN job_control.job_fail(job, 'lost', '{"client": 1}') ->> 'state'
        WHEN 2 THEN job_control.job_cancel(job) ->> 'state'
        WHEN 3 THEN job_control.job_complete(job, '{"rows": 1}') ->> 'state'
        ELSE job_control.job_start((job_control.job_reschedule(job, true) -> 'job' ->> 'job_id')::uuid,
                                   'w' || client) ->> 'state' END;
EXCEPTION WHEN object_not_in_prerequisite_state THEN
    RETURN 'refused';
END $$;
SQL
cat >"$work/race.sql" <<'SQL'
\set n random(1, 16)
\set op random(1, 4)
SELECT race_step(id, :op, :client_id) FROM race_jobs WHERE n = :n;
SQL
"$PG_BINDIR/pgbench" -n -c 8 -j 2 -t ${RACE_TRANSACTIONS:-400} -f "$work/race.sql" \
    -h 127.0.0.1 -p $base -U postgres postgres >"$work/race.log" 2>&1 \
    || { grep -m5 -iE 'error|abort' "$work/race.log"; fail "the race through the proxy failed"; }
[ "$(on proxy -At -c "SELECT count(DISTINCT get_byte(uuid_send(id), 1) & 1) FROM race_jobs")" = 2 ] \
    || fail "the race's jobs are not on both partitions"
for p in 0 1; do
    check_invariants "$(node_conninfo p$p)" || fail "p$p: the invariants above are broken"
    on p$p -At -c "SELECT 'p$p: ' || count(*) || ' moves of the race''s jobs, every chain unbroken'
                     FROM job_control.job_transitions WHERE company_id > 100"
done

echo "== 4. claims take from every partition's backlog"
on proxy -c "SELECT count(job_control.job_create('nql-forecast', '{\"nql\": \"backlog\"}',
                       jsonb_build_object('company_id', 200 + n % 16))) FROM generate_series(1, 64) AS n" >/dev/null
for _ in $(seq 20); do
    on proxy -At -c "SELECT get_byte(uuid_send((j ->> 'job_id')::uuid), 1) & 1
                       FROM job_control.job_claim('fair', 1) AS j"
done | sort | uniq -c >"$work/claims"
[ "$(wc -l <"$work/claims")" = 2 ] || { cat "$work/claims"; fail "20 claims took from one partition only"; }
echo "20 claims of one job: $(awk '{printf "%s from p%s ", $1, $2}' "$work/claims")"

echo "== 5. a listener on each partition"
while IFS='|' read -r p conninfo; do
        port=$(echo "$conninfo" | sed -E 's/.*port=([0-9]+).*/\1/')
        PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres \
            build/notify_listener --count 3 --timeout 20 >"$work/listen.p$p" 2>&1 &
        echo $! >"$work/listen.p$p.pid"
done < <(on proxy -At -c "SELECT partition, connection FROM job_control.partition_connections()")
for p in 0 1; do
    for _ in $(seq 100); do grep -q listening "$work/listen.p$p" 2>/dev/null && break; sleep 0.1; done
done
# Company 1 lives on p0 and company 3 on p1: three creations each.
on proxy -c "SELECT job_control.job_create('nql-forecast', '{\"nql\": \"heard\"}',
                                           jsonb_build_object('company_id', c))
               FROM (VALUES (1), (1), (1), (3), (3), (3)) AS v(c)" >/dev/null
for p in 0 1; do
    wait "$(cat "$work/listen.p$p.pid")" || { cat "$work/listen.p$p"; fail "p$p's listener"; }
    heard=$(grep -c '"heard"\|pending' "$work/listen.p$p" || true)
    echo "p$p's listener: $(($(wc -l <"$work/listen.p$p") - 1)) notifications"
    [ "$heard" -ge 3 ] || { cat "$work/listen.p$p"; fail "p$p's listener missed changes"; }
done

echo "== 6. a partition down"
on proxy <<'SQL'
CREATE TABLE down_jobs AS
SELECT c, (job_control.job_create('nql-forecast', '{"nql": "down"}',
                                  jsonb_build_object('company_id', c)) ->> 'job_id')::uuid AS id
  FROM (VALUES (1), (3)) AS v(c);
SQL
before0=$(on p0 -At -c "SELECT count(*), max(updated_at) FROM job_control.jobs")
node_stop p1 immediate
up=$(on proxy -At -c "SELECT id FROM down_jobs WHERE c = 1")
down=$(on proxy -At -c "SELECT id FROM down_jobs WHERE c = 3")
[ "$(on proxy -At -c "SELECT job_control.job_start('$up', 'w') ->> 'state'")" = running ] \
    || fail "a call for a job on the live partition failed"
for call in "job_control.job_get('$down')" "job_control.job_fail('$down', 'x')" \
            "job_control.job_fail_many(ARRAY['$up', '$down']::uuid[], 'x')" \
            "job_control.job_list()" "job_control.job_reap_stale('1 hour')" \
            "count(*) FROM job_control.job_stats" \
            "job_control.job_create('nql-forecast', '{\"nql\": \"x\"}', '{\"company_id\": 3}')"; do
    err=$(on proxy -At -v VERBOSITY=verbose -c "SELECT $call" 2>&1 >/dev/null || true)
    echo "$err" | grep -q '^ERROR:  08' || { echo "$err"; fail "$call: not a connection error"; }
done
echo "calls needing p1: $(on proxy -At -v VERBOSITY=verbose -c "SELECT job_control.job_get('$down')" 2>&1 | head -1)"
[ "$(on proxy -At -c "SELECT job_control.job_get('$up') ->> 'state'")" = running ] \
    || fail "job_fail_many changed a job while a partition was down"
claim=$(on proxy -At -c "SELECT count(*) FROM job_control.job_claim('survivor', 100)" 2>&1)
echo "$claim" | grep -q "WARNING:  job_claim skipped a partition" || { echo "$claim"; fail "no warning"; }
echo "claims while p1 is down: $(echo "$claim" | tail -1) jobs from p0, with a WARNING"
node_restart p1
[ "$(on proxy -At -c "SELECT job_control.job_get('$down') ->> 'state'")" = pending ] \
    || fail "p1's job did not come back as it was"
on proxy -At -c "SELECT job_control.job_complete('$up') ->> 'state',
                        job_control.job_start('$down', 'w') ->> 'state'" >/dev/null
[ "$(on p0 -At -c "SELECT count(*) FROM job_control.jobs")" = "${before0%%|*}" ] \
    || fail "p0 lost or gained jobs"
echo "p1 back: its jobs as they were, calls resumed"

echo "== 7. growth from 2 to 4 partitions, under load"
node_start p2 $((base + 3))
node_start p3 $((base + 4))
partition_setup p2 >/dev/null
partition_setup p3 >/dev/null
snapshot() {  # every job and history row as seen through each partition
    local p
    for p in "$@"; do
        on "$p" -At -c "SELECT job_id, company_id, state, updated_at, failures::text
                          FROM job_control.jobs" \
                    -c "SELECT job_id, from_state, to_state, transitioned_at FROM job_control.job_transitions"
    done | sort
}
# Calls through the proxy all along: each done, or refused with 55006.
during() {
    local end=$((SECONDS + 6)) i=0
    while [ $SECONDS -lt $end ]; do
        i=$((i + 1))
        on proxy -At -c "SELECT job_control.job_get(id) ->> 'state' FROM race_jobs WHERE n = $((i % 16 + 1))" \
            >/dev/null 2>>"$work/during.err" && echo done || echo refused
    done >"$work/during.log"
}
: >"$work/during.err"
during &
load=$!
sleep 1
snapshot p0 p1 >"$work/before"
# A session kept open across the growth, as a pool's: its cached cluster is
# reloaded at its next transaction.
coproc POOLED { on proxy -At 2>&1; }
pooled() { echo "$1;" >&"${POOLED[1]}"; read -r answer <&"${POOLED[0]}"; echo "$answer"; }
[ "$(pooled "SELECT count(job_control.job_get(id)) FROM race_jobs")" = 16 ] || fail "the pooled session"
tools/job_control_grow "$(node_conninfo proxy) user=postgres" \
    "$(node_conninfo p2) connect_timeout=2" "$(node_conninfo p3) connect_timeout=2" \
    >"$work/grow.log" 2>&1 || { cat "$work/grow.log"; fail "the growth failed"; }
cat "$work/grow.log"
wait $load || true
snapshot p0 p1 p2 p3 >"$work/after"
cmp -s "$work/before" "$work/after" || { diff "$work/before" "$work/after" | head; fail "jobs changed in the move"; }
for p in 0 1 2 3; do
    misplaced=$(on p$p -At -c "SELECT count(*) FROM job_control.jobs WHERE hashint8(company_id) & 3 <> $p")
    [ "$misplaced" = 0 ] || fail "p$p holds $misplaced jobs of other partitions"
done
unresolved=$(on proxy -At -c "SELECT count(*) FROM race_jobs WHERE job_control.job_get(id) IS NULL")
[ "$unresolved" = 0 ] || fail "$unresolved ids no longer resolve"
answer=$(pooled "SELECT count(job_control.job_get(id)) FROM race_jobs")
[ "$answer" = 16 ] || fail "the session open across the growth: $answer"
[ "$(on proxy -At -c "SELECT count(*) FROM job_control.partition_connections()")" = 4 ] || fail "not 4 partitions"
[ "$(on proxy -At -c "SELECT count(DISTINCT get_byte(uuid_send(id), 1) & 3) FROM race_jobs")" = 4 ] \
    || fail "the race's jobs do not span the four partitions"
# The calls meanwhile: done, or refused while the jobs moved, no other error.
other=$(grep -E '^ERROR' "$work/during.err" | grep -vc 'is being resized' || true)
[ "$other" = 0 ] || { head "$work/during.err"; fail "calls during the growth failed otherwise"; }
echo "growth: $(grep -c . "$work/after") job and history rows moved or kept exactly;" \
     "calls meanwhile: $(grep -c done "$work/during.log") done," \
     "$(grep -c refused "$work/during.log" || true) refused (job_control is being resized)"
check_invariants "$(node_conninfo p2)" || fail "p2: invariants broken after the move"
check_invariants "$(node_conninfo p3)" || fail "p3: invariants broken after the move"
echo "proxy_test: ok"
