#!/usr/bin/env bash
# Runs every test suite of job_control on a fresh machine: installs what is
# missing, builds, runs the C++ unit and property tests (ctest, also under
# ASan and UBSan), installs the extension, starts a throwaway PostgreSQL,
# runs pg_regress, the isolation specs, the dump/restore round trip, the
# example worker and the notifier's delivery to a listener, and exits
# non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

passed=0 failed=0
count() {  # count <passed> <failed>
    passed=$((passed + $1)); failed=$((failed + $2))
}

echo "== unit tests (GoogleTest via ctest)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
if ctest --test-dir build --output-on-failure | tee build/ctest.log | tail -3; then :; fi
unit_total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' build/ctest.log)
unit_failed=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' build/ctest.log)
count $((${unit_total:-0} - ${unit_failed:-0})) "${unit_failed:-1}"

echo "== the core under AddressSanitizer and UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DJOB_CONTROL_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc)" >/dev/null
if ctest --test-dir build-asan --output-on-failure | tee build/ctest-asan.log | tail -1; then :; fi
asan_total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' build/ctest-asan.log)
asan_failed=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' build/ctest-asan.log)
count $((${asan_total:-0} - ${asan_failed:-0})) "${asan_failed:-1}"

echo "== build and install the extension"
scripts/build.sh

. scripts/cluster.sh
cluster_start

echo "== pg_regress and isolation tests"
: >build/installcheck.log
for suite in "ISOLATION=" "REGRESS="; do  # each run leaves the other suite out
    make -s installcheck "$suite" 2>&1 | tee -a build/installcheck.log \
        | grep -E '^(test|ok|not ok) |tests' || true
done
count "$(grep -cE '^(test|ok) .* ok( |$)' build/installcheck.log || true)" \
      "$(grep -cE 'FAILED|^not ok' build/installcheck.log || true)"
for diffs in regression.diffs test/isolation/output_iso/regression.diffs; do
    [ -s "$diffs" ] && cat "$diffs"
done

echo "== pg_dump / pg_restore round trip"
if test/dump_restore.sh; then count 1 0; else count 0 1; fi

echo "== the libpq example worker"
if test/worker_test.sh; then count 1 0; else count 0 1; fi

echo "== eight clients racing on 16 jobs: every history chain unbroken"
if test/race_test.sh; then count 1 0; else count 0 1; fi

echo "== deferred notifications, received by a libpq listener"
if test/notify_test.sh; then count 1 0; else count 0 1; fi

echo
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
