#!/usr/bin/env bash
# Runs every test suite of job_control on a fresh machine against one
# PostgreSQL major: installs what is missing, builds, runs the C++ unit and
# property tests (ctest, also under ASan and UBSan), installs the extension,
# starts a throwaway PostgreSQL, runs pg_regress, the isolation specs, the
# dump/restore round trip, the example worker, the race test (then amcheck
# on every table of the extension), the notifier's delivery to a listener,
# the Prometheus exporter's scrape, the fault suites (crashes and a standby
# on clusters of their own), the scale-out suite (a PL/Proxy proxy and its
# partition servers), and exits non-zero if anything failed.
#
#   scripts/test.sh            PostgreSQL 15, Debian 12's own
#   scripts/test.sh --pg 17    17 (or 18) in a Debian root made once per
#                              machine (scripts/pg_root.sh; needs root)
#   PG_CONFIG=/path/to/pg_config scripts/test.sh
#                              the server of that pg_config (15 to 18)
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/pg_select.sh
select_pg scripts/test.sh "$@"
[ -n "${JOB_CONTROL_IN_ROOT:-}" ] || scripts/install-deps.sh
. scripts/pg_major.sh
echo "== PostgreSQL $PG_MAJOR: $("$PG_CONFIG" --version)"

passed=0 failed=0
count() {  # count <passed> <failed>
    passed=$((passed + $1)); failed=$((failed + $2))
}
suite() {  # suite <title> <command...>: one pass or one failure
    echo "== $1"; shift
    if "$@"; then count 1 0; else count 0 1; fi
}
ctest_suite() {  # ctest_suite <build dir> <cmake options...>
    local dir=$1; shift
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug "$@" >/dev/null
    cmake --build "$dir" -j"$(nproc)" >/dev/null
    if ctest --test-dir "$dir" --output-on-failure | tee "$dir/ctest.log" | tail -3; then :; fi
    local total failures
    total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$dir/ctest.log")
    failures=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$dir/ctest.log")
    count $((${total:-0} - ${failures:-0})) "${failures:-1}"
}

echo "== unit tests (GoogleTest via ctest)"
ctest_suite build
echo "== the core under AddressSanitizer and UndefinedBehaviorSanitizer"
ctest_suite build-asan -DJOB_CONTROL_SANITIZE=ON

# The core does not depend on the server: fuzzed once, on the host's run.
fuzz_core() {
    cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DJOB_CONTROL_FUZZ=ON >/dev/null
    cmake --build build-fuzz -j"$(nproc)" >/dev/null
    local found; found=$(mktemp -d)
    build-fuzz/job_control_core_fuzz -max_total_time="${FUZZ_SECONDS:-60}" \
        -print_final_stats=1 "$found" test/fuzz/corpus >build-fuzz/fuzz.log 2>&1 \
        || { tail -40 build-fuzz/fuzz.log; rm -rf "$found"; return 1; }
    rm -rf "$found"
    grep -E '^Done|new_units_added' build-fuzz/fuzz.log
}
if [ -z "${JOB_CONTROL_IN_ROOT:-}" ]; then
    suite "the core under libFuzzer (ASan, UBSan) for ${FUZZ_SECONDS:-60} s" fuzz_core
fi

suite "META.json: PGXN meta spec 1.0.0" test/meta_test.sh

echo "== build and install the extension"
make -s clean >/dev/null
scripts/build.sh

. scripts/cluster.sh
# 15 and 16 count what happens to jobs (job_event_counts) only with the
# library preloaded; 17 and later without it (a named shared segment).
if [ "$PG_MAJOR" -lt 17 ]; then cluster_start shared_preload_libraries=job_control; else cluster_start; fi

echo "== pg_regress and isolation tests"
: >build/installcheck.log
for only in "ISOLATION=" "REGRESS="; do  # each run leaves the other suite out
    make -s installcheck "$only" 2>&1 | tee -a build/installcheck.log \
        | grep -E '^(test|ok|not ok) |tests' || true
done
# 15 prints "test name ... ok", 16 and later "ok 3 - name" (TAP).
count "$(grep -cE '^test .* \.\.\. ok|^ok [0-9]+ ' build/installcheck.log || true)" \
      "$(grep -cE '\.\.\. FAILED|^not ok ' build/installcheck.log || true)"
for diffs in regression.diffs test/isolation/output_iso/regression.diffs; do
    [ -s "$diffs" ] && cat "$diffs"
done

suite "pg_dump / pg_restore round trip" test/dump_restore.sh
suite "the libpq example worker" test/worker_test.sh
suite "eight clients racing on 16 jobs: every history chain unbroken, amcheck clean" test/race_test.sh
suite "VACUUM and ANALYZE beside every call: no call reads a reset catalog cache" test/invalidation_test.sh
suite "deferred notifications, received by a libpq listener" test/notify_test.sh
suite "Prometheus postgres_exporter: /metrics after a lifecycle" test/exporter_test.sh
suite "100,000 calls with hostile arguments: only the spec's answers and errors" test/hostile_test.sh
suite "calls cancelled mid-way: all or nothing" test/cancel_test.sh
suite "a full tablespace: PostgreSQL's error, nothing changed, recovery by itself" test/disk_full_test.sh
suite "10 crashes under load: nothing acknowledged lost, nothing half done, amcheck clean" test/crash_test.sh
suite "a streaming standby through load and a crash: identical, amcheck clean, reads only" test/standby_test.sh
suite "scale-out: job_control_proxy on PL/Proxy, 2 then 4 partition servers" test/proxy_test.sh

# What the server said through all of it: no crash, no failed assertion (a
# server built with --enable-cassert), no leaked buffer, lock, relcache entry
# or snapshot (which such a server reports as a WARNING).
server_log_clean() {
    local problems
    problems=$(grep -E 'terminated by signal|TRAP:|leak' "$CLUSTER_DIR/server.log" || true)
    [ -z "$problems" ] || { echo "$problems" | head -20; return 1; }
}
suite "the server log: no crash, no failed assertion, no leak" server_log_clean

echo
echo "total (PostgreSQL $PG_MAJOR): $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
