#!/usr/bin/env bash
# Runs a command of this repository in the Debian root that has PostgreSQL
# <major> (scripts/pg_root.sh makes it once per machine): the work tree is
# copied to /job_control in the root (builds stay apart per major), /proc and
# /dev are mounted for the run, and the command runs there as root with
# PG_MAJOR=<major> and JOB_CONTROL_IN_ROOT=1 (the scripts then install
# nothing: the root has every package), and the caller's environment but for
# the host's paths and PostgreSQL variables (a benchmark's knobs pass); a
# benchmark's bench/out comes back to the work tree. Needs root.
#
#   scripts/in_pg_root.sh 17 scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

major=${1:?usage: in_pg_root.sh <major> <command> [args...]}
shift
root=$(scripts/pg_root.sh "$major")

rm -rf "$root/job_control"
mkdir -p "$root/job_control"
tar -C . --exclude=./build --exclude=./build-asan --exclude=./build-fuzz --exclude=./.git --exclude=./bench/out \
    --exclude='*.o' --exclude='*.so' --exclude=./.deps --exclude='*/.deps' \
    -cf - . | tar -C "$root/job_control" -xf -

# The exporter the tests scrape (scripts/exporter.sh): the host's copy.
cp "$(scripts/exporter.sh)" "$root/usr/local/bin/prometheus-postgres-exporter"

unmount() {
    umount "$root/dev/shm" 2>/dev/null || true
    umount "$root/dev" 2>/dev/null || true
    umount "$root/proc" 2>/dev/null || true
}
trap unmount EXIT
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount -t tmpfs -o size=1g tmpfs "$root/dev/shm"
passed=()
while IFS='=' read -r -d '' name value; do
    case $name in
        PATH | HOME | PWD | OLDPWD | SHLVL | TMPDIR | LD_* | PG* | _) ;;
        *) passed+=("$name=$value") ;;
    esac
done < <(env -0)
status=0
chroot "$root" /usr/bin/env -i "${passed[@]}" PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    HOME=/root LANG=C.UTF-8 PG_MAJOR="$major" JOB_CONTROL_IN_ROOT=1 \
    /bin/bash -c 'cd /job_control && exec "$@"' bash "$@" || status=$?
# A benchmark's reports come back to the work tree.
if [ -d "$root/job_control/bench/out" ]; then
    mkdir -p bench/out
    cp -a "$root/job_control/bench/out/." bench/out/
fi
exit $status
