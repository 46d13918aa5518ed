# Sourced by the scripts: picks the PostgreSQL major they build and test
# against, PG_MAJOR (default 15, the one Debian 12 packages), and sets
# PG_CONFIG, PG_BINDIR and PATH to that server's programs (Debian's layout,
# /usr/lib/postgresql/<major>/bin).
PG_MAJOR=${PG_MAJOR:-15}
case "$PG_MAJOR" in
    15|16|17|18) ;;
    *) echo "PostgreSQL $PG_MAJOR is not supported (15, 16, 17 and 18 are)" >&2; exit 2 ;;
esac
export PG_MAJOR
export PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
export PG_BINDIR=/usr/lib/postgresql/$PG_MAJOR/bin
export PATH=$PG_BINDIR:$PATH
