#!/usr/bin/env bash
# Runs the pg_regress and isolation suites against a server running under
# valgrind (memcheck follows every forked backend), then reports the errors
# whose stack passes through job_control. PostgreSQL's own code, built
# without its valgrind annotations, produces reports of its own (e.g. padding
# bytes written to WAL); those are counted but not judged here. Slow (a few
# minutes); not part of scripts/test.sh. Needs the extension installed.
set -euo pipefail
cd "$(dirname "$0")/.."

logs=$(mktemp -d /tmp/job_control_valgrind.XXXXXX)
chmod 777 "$logs"
PG_BINDIR=$(pg_config --bindir)
data=$logs/data
runuser -u postgres -- "$PG_BINDIR/initdb" -D "$data" -U postgres --auth=trust --no-sync >/dev/null
runuser -u postgres -- valgrind --quiet --trace-children=yes --track-origins=no \
    --leak-check=no --num-callers=30 --log-file="$logs/vg.%p" \
    "$PG_BINDIR/postgres" -D "$data" -c listen_addresses= -c unix_socket_directories="$logs" \
    -c port=54340 -c fsync=off -c max_connections=20 >"$logs/server.log" 2>&1 &
export PGHOST=$logs PGPORT=54340 PGUSER=postgres
for _ in $(seq 120); do pg_isready -q && break; sleep 1; done
status=0
make -s installcheck ISOLATION= || status=1
make -s installcheck REGRESS= || status=1
runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true

# Error blocks are separated by a bare "==pid== " line.
count_blocks() {  # count_blocks <regex a block must also match> <file to keep them>
    cat "$logs"/vg.* 2>/dev/null | awk -v also="$1" -v keep="$2" '
        /^==[0-9]+== $/ {
            if (block ~ /(Invalid (read|write|free)|Conditional jump|uninitialised|Syscall param|Mismatched free|overlap)/ && block ~ also) {
                n++; print block > keep
            }
            block = ""; next
        }
        { block = block "\n" $0 }
        END { print n + 0 }'
}
all=$(count_blocks '.' "$logs/all.txt")
ours=$(count_blocks '(job_control[.]so|jc::)' "$logs/ours.txt")
echo "valgrind: $all error reports in all; $ours whose stack reaches job_control (logs in $logs)"
if [ "$ours" -gt 0 ]; then
    head -80 "$logs/ours.txt"
    status=1
fi
exit $status
