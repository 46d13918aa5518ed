# Sourced by the race and crash tests: the checks of a database's job_control
# tables after a run. Each prints what it found wrong and returns non-zero.

# The invariants of test/invariants.sql; "same-state-updates" when the run
# made updates that keep a job's state (see there).
check_invariants() {  # check_invariants <database> [same-state-updates]
    local broken same=false
    [ "${2:-}" = same-state-updates ] && same=true
    broken=$(psql -X -At -v ON_ERROR_STOP=1 -v same_state_updates=$same -d "$1" \
        -f test/invariants.sql) || return 1
    [ -z "$broken" ] || { echo "$broken" | head -20; return 1; }
}

# The calls without SQL write heap tuples and index entries themselves:
# every table of the extension and its indexes must be consistent, every
# heap tuple found in every index (amcheck, contrib).
check_amcheck() {  # check_amcheck <database>
    local report
    report=$("$PG_BINDIR/pg_amcheck" --install-missing --schema=job_control \
        --heapallindexed --parent-check --rootdescend -d "$1" 2>&1) \
        || { echo "pg_amcheck found corruption: $report"; return 1; }
}
