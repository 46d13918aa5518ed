#!/usr/bin/env bash
# Prints the path of the Prometheus postgres_exporter of Debian's package
# prometheus-postgres-exporter, unpacked once per machine into a cache
# outside the work tree. Unpacked, not installed: the package would add a
# system user and a service that starts at boot; the tests need the program
# only. In a Debian root (scripts/in_pg_root.sh) the host's copy is used: it
# needs nothing but the C library.
set -euo pipefail

if [ -n "${JOB_CONTROL_IN_ROOT:-}" ]; then
    echo /usr/local/bin/prometheus-postgres-exporter
    exit 0
fi
if [ "$(id -u)" = 0 ]; then
    cache=/var/cache/job_control/exporter
else
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/job_control/exporter
fi
program=$cache/usr/bin/prometheus-postgres-exporter
if [ ! -x "$program" ]; then
    download=$(mktemp -d)
    trap 'rm -rf "$download"' EXIT
    (cd "$download" && apt-get download -qq prometheus-postgres-exporter 2>/dev/null) \
        || { apt-get update -qq && (cd "$download" && apt-get download -qq prometheus-postgres-exporter 2>/dev/null); }
    mkdir -p "$cache"
    dpkg-deb -x "$download"/prometheus-postgres-exporter_*.deb "$cache"
fi
echo "$program"
