# Sourced by the README's two commands: reads their option --pg <major>
# (default 15) into PG_MAJOR, and runs the calling script again inside the
# Debian root of that major (scripts/in_pg_root.sh) when Debian 12 does not
# package it. A PG_CONFIG in the environment picks the server instead.
#
#   select_pg <script> "$@"
select_pg() {
    local script=$1; shift
    while [ $# -gt 0 ]; do
        case "$1" in
            --pg) PG_MAJOR=${2:?--pg needs a major version}; shift 2 ;;
            *) echo "usage: $script [--pg 15|17|18]" >&2; exit 2 ;;
        esac
    done
    if [ -z "${PG_CONFIG:-}" ] && [ "${PG_MAJOR:-15}" != 15 ] \
        && [ -z "${JOB_CONTROL_IN_ROOT:-}" ]; then
        exec scripts/in_pg_root.sh "$PG_MAJOR" "$script"
    fi
    export PG_MAJOR=${PG_MAJOR:-15}
}
