#!/usr/bin/env bash
# Hostile input: CALLS (100,000) calls of every function with generated,
# mostly hostile arguments (test/tools/hostile_client.cpp says which), half
# as the owner, half as an administrator bound to a company by row security
# and by job_control.company_id, with the history and deferred
# notifications on. Every call succeeds with an answer of the spec's shape
# or raises an error the spec (or PostgreSQL's own input checking) gives;
# the server stays up; afterwards the invariants hold and amcheck is clean.
# Needs a running server and build/hostile_client.
set -euo pipefail
cd "$(dirname "$0")/.."

CALLS=${CALLS:-100000}
db=jc_hostile
. test/checks.sh
trap 'dropdb --if-exists --force $db 2>/dev/null' EXIT
dropdb --if-exists --force $db 2>/dev/null
createdb $db
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null <<SQL
CREATE EXTENSION job_control;
ALTER DATABASE $db SET job_control.history = on;
ALTER DATABASE $db SET job_control.notify = deferred;
SET client_min_messages = warning;
SELECT job_control.create_access_roles();
DROP ROLE IF EXISTS hostile_tenant;
CREATE ROLE hostile_tenant LOGIN IN ROLE job_control_admin;
ALTER ROLE hostile_tenant IN DATABASE $db SET job_control.company_id = 1;
SQL
seed=$RANDOM
out=$(mktemp)
PGDATABASE=$db build/hostile_client --seed $seed --calls $((CALLS / 2)) >"$out.owner" 2>&1 &
owner=$!
PGDATABASE=$db PGUSER=hostile_tenant build/hostile_client --seed $((seed + 1)) \
    --calls $((CALLS - CALLS / 2)) >"$out.tenant" 2>&1 &
tenant=$!
status=0
wait $owner || status=1
wait $tenant || status=1
if [ $status -ne 0 ]; then
    echo "hostile_test (seed $seed):"; cat "$out.owner" "$out.tenant"; rm -f "$out".*; exit 1
fi
check_invariants $db same-state-updates || { echo "hostile_test (seed $seed): invariants broken"; exit 1; }
check_amcheck $db || { echo "hostile_test (seed $seed)"; exit 1; }
echo "hostile_test (seed $seed): as the owner: $(cat "$out.owner")"
echo "hostile_test: as a tenant: $(cat "$out.tenant")"
rm -f "$out".*
psql -X -q -c "DROP ROLE hostile_tenant" 2>/dev/null || true
