#!/usr/bin/env bash
# Installs the Debian packages job_control needs to build and test, if any is
# missing: PostgreSQL 15 with its server headers (PGXS, pg_regress,
# pg_isolation_regress) and PL/Proxy (job_control_proxy's tests), a C++
# toolchain, CMake and GoogleTest, and clang with its libFuzzer runtime (the
# core's fuzz target). Only these, without the packages Debian recommends
# with them (a mail server, a cron daemon).
set -euo pipefail

PACKAGES=(postgresql-15 postgresql-server-dev-15 postgresql-client-15 postgresql-15-plproxy libpq-dev
          g++ make cmake libgtest-dev clang libclang-rt-14-dev)

SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
# Earlier versions of this script left this file behind, changing every
# later PostgreSQL install on the machine: undone.
legacy=/etc/postgresql-common/createcluster.d/job_control.conf
[ ! -e "$legacy" ] || $SUDO rm -f "$legacy"

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian's postgresql-common would create and start a "main" cluster when
# the server is installed; the scripts make their own throwaway clusters.
# The setting that stops it is kept only for this install, so that later
# PostgreSQL installs on the machine behave as Debian's always do.
no_main=/etc/postgresql-common/createcluster.d/job_control-no-main-cluster.conf
$SUDO mkdir -p "$(dirname "$no_main")"
echo "create_main_cluster = false" | $SUDO tee "$no_main" >/dev/null
trap '$SUDO rm -f "$no_main"' EXIT
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
