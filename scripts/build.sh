#!/usr/bin/env bash
# Builds and installs the extension into the PostgreSQL that
# scripts/pg_major.sh picks (PG_CONFIG, or Debian's server of PG_MAJOR,
# default 15).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg_major.sh
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
$SUDO make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
