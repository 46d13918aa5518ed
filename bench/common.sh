# Sourced by bench/run.sh and bench/profile.sh: the benchmark's throwaway
# cluster (fixed settings, fsync on) and its contenders' tables, seeded
# identically (bench/setup.sql).

BASE_JOBS=${BASE_JOBS:-200000}
SETTINGS=(shared_buffers=512MB max_wal_size=8GB checkpoint_timeout=1h wal_buffers=16MB
          autovacuum=off max_connections=40)

q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

table_of() {
    case $1 in
        job_control) echo job_control.jobs ;;
        limit | limit_answering) echo bench.limit_jobs ;;
        plpgsql) echo bench.plpgsql_jobs ;;
    esac
}

# The tables a run of `contender` starts from vacuumed (autovacuum is off
# for steady numbers): for job_control also its work index, whose dead
# queue and lease entries autovacuum would otherwise clear.
tables_of() {
    local table; table=$(table_of "$1")
    if [ "$1" = job_control ]; then
        echo "$table, job_control.job_queue, job_control.job_leases, job_control.job_notifications"
    else
        echo "$table"
    fi
}

bench_cluster_start() {
    scripts/build.sh
    . scripts/cluster.sh
    CLUSTER_FSYNC=on cluster_start "${SETTINGS[@]}"
}

seed_contenders() {
    echo "== setup: $BASE_JOBS jobs per contender (1 KB NQL input, mixed states)"
    q -f bench/setup.sql
    q -c "CALL bench.seed(4, $((BASE_JOBS * 50 / 100)), 'completed')" \
      -c "CALL bench.seed(5, $((BASE_JOBS * 25 / 100)), 'failed')" \
      -c "CALL bench.seed(6, $((BASE_JOBS * 10 / 100)), 'cancelled')" \
      -c "CALL bench.seed(7, $((BASE_JOBS * 10 / 100)), 'pending')" \
      -c "CALL bench.seed(8, $((BASE_JOBS * 5 / 100)), 'running')" \
      -c "CALL bench.seed(1, 10000, 'failed')" \
      -c "CALL bench.seed(2, 16, 'running')" \
      -c "VACUUM ANALYZE"
}

# Contention's 16 jobs (pool 2) collect a failure at every fail, and every
# call answers with its job: left to grow from run to run, they made each
# contention run measure larger jobs than the one before it, so a run's
# ratio depended on its place in the sequence. Each contention run starts
# from the same 16 running jobs without failures, in every contender's
# table.
reset_contention_jobs() {
    local t
    for t in job_control.jobs bench.limit_jobs bench.plpgsql_jobs; do
        q -c "DELETE FROM $t WHERE job_id IN (SELECT bench.job_uuid(2, n) FROM generate_series(1, 16) AS n)"
    done
    q -c "CALL bench.seed(2, 16, 'running')"
}
