#!/usr/bin/env bash
# Builds and installs the extension into the PostgreSQL found by pg_config.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
make -s -j"$(nproc)"
$SUDO make -s install >/dev/null
