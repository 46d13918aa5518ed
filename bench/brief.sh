#!/usr/bin/env bash
# The benchmark's figures in brief, the lines the README quotes: for each
# comparison, job_control's median TPS over the other contender's median TPS
# in the same run, per configuration (sync on, 1 client / on, 8 / off, 1 /
# off, 8). Given several runs' results (bench/run.sh's results.tsv, each
# from a fresh cluster), each figure is the median of the runs' ratios,
# with their range.
#
#   bench/brief.sh bench/out/results.tsv [more results.tsv ...]
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: bench/brief.sh results.tsv..." >&2; exit 2; }
awk -F'\t' '
    function median(list,   n, a, i, j, t) {
        n = split(list, a, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function spread(list,   n, a, i, lo, hi) {
        n = split(list, a, " "); lo = hi = a[1]
        for (i = 2; i <= n; i++) { if (a[i] + 0 < lo + 0) lo = a[i]; if (a[i] + 0 > hi + 0) hi = a[i] }
        return n > 1 ? sprintf(" (%.2f..%.2f, %d runs)", lo, hi, n) : ""
    }
    FNR == 1 { run++ }
    { tps[run, $1, $2, $3, $5] = tps[run, $1, $2, $3, $5] " " $6 }
    END {
        split("fail_running limit fail-running, job_control / LIMIT;" \
              "fail_terminal limit the no-op (fail-terminal), job_control / LIMIT;" \
              "fail_terminal limit_answering the no-op, job_control / LIMIT answering with the job;" \
              "contention limit contention, job_control / LIMIT;" \
              "claim limit claim, job_control / LIMIT;" \
              "fail_running plpgsql fail-running, job_control / PL/pgSQL", lines, ";")
        split("on 1;on 8;off 1;off 8", configs, ";")
        print "In brief (sync on, 1 client / on, 8 / off, 1 / off, 8):"
        for (l = 1; l in lines; l++) {
            split(lines[l], w, " "); workload = w[1]; other = w[2]
            title = lines[l]; sub(/^[^ ]+ [^ ]+ /, "", title)
            out = ""; seen = 0
            for (c = 1; c <= 4; c++) {
                split(configs[c], k, " "); ratios = ""
                for (r = 1; r <= run; r++) {
                    mine = tps[r, workload, k[1], k[2], "job_control"]
                    theirs = tps[r, workload, k[1], k[2], other]
                    if (mine != "" && theirs != "") ratios = ratios " " median(mine) / median(theirs)
                }
                out = out (c > 1 ? " / " : "") (ratios == "" ? "-" : sprintf("%.2f", median(ratios)) spread(ratios))
                if (ratios != "") seen = 1
            }
            if (seen) printf "  %s: %s\n", title, out
        }
    }' "$@"
