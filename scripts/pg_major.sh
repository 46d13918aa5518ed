# Sourced by the scripts: picks the PostgreSQL server they build and test
# against and sets PG_MAJOR, PG_CONFIG, PG_BINDIR and PATH for it: the
# server of PG_CONFIG when it is set (a server built by hand, say), else
# Debian's server of PG_MAJOR (default 15, the one Debian 12 packages), in
# /usr/lib/postgresql/<major>/bin.
if [ -n "${PG_CONFIG:-}" ]; then
    PG_MAJOR=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
else
    PG_MAJOR=${PG_MAJOR:-15}
    PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
fi
case "$PG_MAJOR" in
    15|16|17|18) ;;
    *) echo "PostgreSQL $PG_MAJOR is not supported (15, 16, 17 and 18 are)" >&2; exit 2 ;;
esac
PG_BINDIR=$("$PG_CONFIG" --bindir)
export PG_MAJOR PG_CONFIG PG_BINDIR
export PATH=$PG_BINDIR:$PATH
