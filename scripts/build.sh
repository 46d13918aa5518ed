#!/usr/bin/env bash
# Builds and installs the extension into the PostgreSQL of PG_MAJOR
# (default 15; scripts/pg_major.sh), or of PG_CONFIG when it is set.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PG_CONFIG:-}" ]; then . scripts/pg_major.sh; fi
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
$SUDO make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
