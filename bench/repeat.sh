#!/usr/bin/env bash
# Several independent runs of bench/run.sh (each on a fresh cluster), and
# the figures in brief over all of them: each the median of the runs'
# ratios, with their range. The README's and BENCHMARKS.md's headline
# figures come from here, never from a single run.
#
#   bench/repeat.sh [runs] [bench/run.sh options]    (default 3 runs)
#   WORKLOADS="fail_running fail_terminal contention" VARIANTS= FINISHED_LARGE=0 \
#     bench/repeat.sh 3 --pg 17
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
[ $# -eq 0 ] || shift
mkdir -p bench/out
results=()
for run in $(seq "$runs"); do
    echo "== run $run of $runs: bench/run.sh $*"
    bench/run.sh "$@" >"bench/out/run.$run.log" 2>&1 \
        || { tail -20 "bench/out/run.$run.log"; exit 1; }
    cp bench/out/results.tsv "bench/out/results.$run.tsv"
    cp bench/out/report.md "bench/out/report.$run.md"
    results+=("bench/out/results.$run.tsv")
done
bench/brief.sh "${results[@]}" | tee bench/out/brief.md
