#!/usr/bin/env bash
# A full disk: a database whose tablespace is a small tmpfs, filled by job
# creations with large inputs and their moves until writes fail. Every
# failure is PostgreSQL's disk-full error (53100) and changes nothing; once
# the space is back (a filler file removed), calls succeed again without a
# manual step, the invariants hold and amcheck is clean. Mounting needs
# root (as in CI); elsewhere the test says it is skipped. Needs a running
# server (as root, one run by the postgres user, as scripts/cluster.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
    echo "disk_full_test: skipped (mounting a small file system needs root)"
    exit 0
fi
db=jc_disk_full
space=$(mktemp -d /tmp/job_control_space.XXXXXX)
. test/checks.sh
cleanup() {
    dropdb --if-exists --force $db 2>/dev/null || true
    psql -X -q -c "DROP TABLESPACE IF EXISTS jc_small" 2>/dev/null || true
    umount "$space" 2>/dev/null || true
    rmdir "$space" 2>/dev/null || true
}
trap cleanup EXIT
mount -t tmpfs -o size=48m tmpfs "$space"
mkdir "$space/tablespace"
chown postgres: "$space/tablespace"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE TABLESPACE jc_small LOCATION '$space/tablespace'"
createdb -D jc_small $db
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION job_control" \
    -c "ALTER DATABASE $db SET job_control.history = on"
# Leave about 3 MB free.
free_kb=$(df -k --output=avail "$space" | tail -1)
dd if=/dev/zero of="$space/filler" bs=1k count=$((free_kb - 3072)) status=none

# Creations of jobs with ~10 KB inputs (hex, half compressible), each
# started and failed, until well past the first failure.
calls() {  # calls <count>
    for _ in $(seq "$1"); do
        echo "SELECT job_control.job_fail((job_control.job_start((job_control.job_create('nql-forecast',
                  jsonb_build_object('nql', (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 300))),
                  '{\"company_id\": 1}') ->> 'job_id')::uuid, 'w1') ->> 'job_id')::uuid, 'disk test') ->> 'state';"
    done | psql -X -q -At -v VERBOSITY=sqlstate -d $db 2>&1
}
filled=$(calls 700)
errors=$(grep -c '^ERROR' <<<"$filled" || true)
others=$(grep '^ERROR' <<<"$filled" | grep -vc '^ERROR:  53100' || true)
done_before=$(grep -c '^failed$' <<<"$filled" || true)
if [ "$errors" -eq 0 ]; then echo "disk_full_test: the disk never filled"; exit 1; fi
if [ "$others" -ne 0 ]; then
    echo "disk_full_test: errors other than 53100:"; grep '^ERROR' <<<"$filled" | sort | uniq -c; exit 1
fi
# Nothing half done while full: every job is as a whole call left it.
check_invariants $db || { echo "disk_full_test: invariants broken while full"; exit 1; }
stuck=$(psql -X -At -d $db -c "SELECT count(*) FROM job_control.jobs WHERE state <> 'failed'")
[ "$stuck" -eq 0 ] || { echo "disk_full_test: $stuck jobs left half way"; exit 1; }

rm "$space/filler"
after=$(calls 50)
if grep -q '^ERROR' <<<"$after"; then
    echo "disk_full_test: calls still fail once space is back:"; grep '^ERROR' <<<"$after" | head; exit 1
fi
check_invariants $db || { echo "disk_full_test: invariants broken after recovery"; exit 1; }
check_amcheck $db || exit 1
echo "disk_full_test: $done_before calls succeeded, then $errors failed with 53100 (disk full) and changed nothing; with space back 50 of 50 succeeded; invariants and amcheck clean"
