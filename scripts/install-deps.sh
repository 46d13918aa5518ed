#!/usr/bin/env bash
# Installs the Debian packages job_control needs to build and test, if any is
# missing: PostgreSQL 15 with its server headers (PGXS, pg_regress,
# pg_isolation_regress), a C++ toolchain, CMake and GoogleTest, and clang
# with its libFuzzer runtime (the core's fuzz target).
set -euo pipefail

PACKAGES=(postgresql-15 postgresql-server-dev-15 postgresql-client-15 libpq-dev
          g++ make cmake libgtest-dev clang libclang-rt-14-dev)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian's postgresql-common would otherwise create and start a "main" cluster.
$SUDO mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.d/job_control.conf >/dev/null
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
