#!/usr/bin/env bash
# Prints the path of a Debian root that has PostgreSQL <major> with its server
# headers and the project's build and test tools, making it first if needed.
# Debian 12 packages only PostgreSQL 15; 17 is a package of Debian 13
# (trixie) and 18 of Debian testing (forky), reached through the same Debian
# mirror. The root is made once with debootstrap and kept as a tarball under
# JOB_CONTROL_CACHE (default /var/cache/job_control), outside the work tree;
# a changed package list makes a new one. Needs root.
#
#   scripts/pg_root.sh 17      ->  /var/cache/job_control/roots/trixie-pg17
set -euo pipefail

major=${1:?usage: pg_root.sh <major: 17 or 18>}
case "$major" in
    17) suite=trixie ;;
    18) suite=forky ;;
    *) echo "pg_root.sh: no Debian release here packages PostgreSQL $major" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "pg_root.sh: debootstrap and chroot need root" >&2; exit 2; }

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=${JOB_CONTROL_CACHE:-/var/cache/job_control}
PACKAGES="postgresql-$major postgresql-server-dev-$major postgresql-client-$major postgresql-$major-plproxy libpq-dev
          g++ make cmake libgtest-dev ca-certificates"
# The tarball's name carries a digest of what it was made from.
key=$(printf '%s\n' "$suite" "$MIRROR" $PACKAGES | sha256sum | cut -c1-12)
tarball=$CACHE/$suite-pg$major-$key.tar.gz
root=$CACHE/roots/$suite-pg$major

if [ -f "$root/.job_control-root-$key" ]; then echo "$root"; exit 0; fi

mkdir -p "$CACHE/roots"
rm -rf "$root"
if [ ! -f "$tarball" ]; then
    if ! command -v debootstrap >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq --no-install-recommends debootstrap >&2 \
            || { apt-get update -qq && apt-get install -y -qq --no-install-recommends debootstrap >&2; }
    fi
    work=$CACHE/roots/.building-$suite-pg$major
    rm -rf "$work"
    echo "making a $suite root for PostgreSQL $major (once per machine)" >&2
    # Debian 12's debootstrap has no script for forky; sid's fits any
    # release after trixie.
    script=/usr/share/debootstrap/scripts/$suite
    [ -e "$script" ] || script=/usr/share/debootstrap/scripts/sid
    debootstrap --variant=minbase "$suite" "$work" "$MIRROR" "$script" >"$CACHE/debootstrap-$suite.log" 2>&1 \
        || { tail -20 "$CACHE/debootstrap-$suite.log" >&2; exit 1; }
    # No cluster of its own: the tests make theirs.
    mkdir -p "$work/etc/postgresql-common/createcluster.d"
    echo "create_main_cluster = false" >"$work/etc/postgresql-common/createcluster.d/no-main.conf"
    # The mirror may serve a snapshot of a release whose Release file has
    # passed its Valid-Until (testing's expire in a week).
    echo 'Acquire::Check-Valid-Until "false";' >"$work/etc/apt/apt.conf.d/99job-control-snapshot"
    # Services never start inside the root.
    printf '#!/bin/sh\nexit 101\n' >"$work/usr/sbin/policy-rc.d"
    chmod +x "$work/usr/sbin/policy-rc.d"
    # Package scripts (postgresql-common's systemd-tmpfiles) need /proc.
    mount -t proc proc "$work/proc"
    trap 'umount "$work/proc" 2>/dev/null || true' EXIT
    chroot "$work" /bin/sh -c "export DEBIAN_FRONTEND=noninteractive;
        apt-get update -qq && apt-get install -y -qq --no-install-recommends $(echo $PACKAGES) && apt-get clean" \
        >"$CACHE/apt-$suite.log" 2>&1 || { tail -20 "$CACHE/apt-$suite.log" >&2; exit 1; }
    umount "$work/proc"
    trap - EXIT
    tar -C "$work" -czf "$tarball.part" . && mv "$tarball.part" "$tarball"
    mv "$work" "$root"
else
    mkdir -p "$root"
    tar -C "$root" -xzf "$tarball"
fi
touch "$root/.job_control-root-$key"
echo "$root"
