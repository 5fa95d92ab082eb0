# What the tools/bench-*.sh scripts share, sourced after `set -euo pipefail` with BENCH set to
# the script's name:
#
#   bench_args "$@"       takes --no-build and --help (which prints the script's header comment)
#   bench_build           builds the release binary unless --no-build, and sets $bin to it
#   bench_both NAME ARGS  runs `ketnoi bench NAME ARGS` on SQLite, then on a PostgreSQL database
#                         ketnoi_bench_NAME made afresh on $PG_URL, as $ONLY says, each table
#                         under its heading with its command line, in Markdown
#   say, die              a progress line on standard error; an error, and exit 1

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
say() { printf '== %s\n' "$*" >&2; }
die() {
    printf '%s: %s\n' "$BENCH" "$*" >&2
    exit 1
}

build=1
bench_args() {
    for arg in "$@"; do
        case "$arg" in
            --no-build) build=0 ;;
            -h | --help)
                sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
                exit 0
                ;;
            *) die "unknown argument '$arg' (try --help)" ;;
        esac
    done
}

bench_build() {
    bin="${CARGO_TARGET_DIR:-target}/release/ketnoi"
    if [ "$build" = 1 ]; then
        say "cargo build --release -p ketnoi"
        cargo build --release -p ketnoi >&2
    fi
    [ -x "$bin" ] || die "no binary at $bin"
}

bench_both() {
    local name=$1 db="ketnoi_bench_$1" scratch
    shift
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/bench-$name.XXXXXX")
    # shellcheck disable=SC2064 # the folder is known now
    trap "rm -rf '$scratch'" EXIT
    echo "Run on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, revision $(git rev-parse --short HEAD 2>/dev/null || echo unknown); load at start: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    if [ "$ONLY" = all ] || [ "$ONLY" = sqlite ]; then
        say "ketnoi bench $name (SQLite)"
        printf '### SQLite\n\n`%s bench %s %s`\n\n' "$bin" "$name" "$*"
        "$bin" bench "$name" "$@" --work-dir "$scratch" | sed '$d'
        echo
    fi
    if [ "$ONLY" = all ] || [ "$ONLY" = postgres ]; then
        say "ketnoi bench $name (PostgreSQL)"
        psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $db" >&2
        psql "$PG_URL/postgres" -qc "CREATE DATABASE $db" >&2
        printf '### PostgreSQL\n\n`%s bench %s --database %s %s`\n\n' "$bin" "$name" "$PG_URL/$db" "$*"
        "$bin" bench "$name" --database "$PG_URL/$db" "$@" --work-dir "$scratch" | sed '$d'
        psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $db" >&2 || true
        echo
    fi
}
