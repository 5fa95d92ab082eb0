#!/usr/bin/env bash
# The front-desk figures (issue 16), each beside its reference measured in the same run.
#
#   tools/bench-desk.sh [--no-build]
#
# 1. builds the release binary (`cargo build --release -p ketnoi`; CARGO_TARGET_DIR respected);
# 2. `ketnoi bench desk` on SQLite: a three-level tree of 10,001 agencies (one province, 100
#    districts, 99 communes each), 5,000 guides in the province's catalogue and 10 in each
#    district, 500 commune accounts with overrides and an inherited menu. It times an account
#    page with its menu (reference: the server's /healthz), a catalogue search without
#    diacritics (reference: the same query in-process) and marking the law every guide cites
#    replaced (reference: a bare UPDATE of the same rows);
# 3. the same on PostgreSQL (a database ketnoi_bench_desk made afresh on PG_URL).
#
# Settings, from the environment:
#   PG_URL=postgres://postgres@127.0.0.1:5432   the PostgreSQL server (ONLY=sqlite skips it)
#   PROCEDURES=5000 REQUESTS=1000 ONLY=all|sqlite|postgres
# Output: the tables, in Markdown, for docs/BENCHMARKS.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
say() { printf '== %s\n' "$*" >&2; }
die() {
    printf 'bench-desk: %s\n' "$*" >&2
    exit 1
}

build=1
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
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PROCEDURES=${PROCEDURES:-5000}
REQUESTS=${REQUESTS:-1000}
ONLY=${ONLY:-all}
bin="${CARGO_TARGET_DIR:-target}/release/ketnoi"

if [ "$build" = 1 ]; then
    say "cargo build --release -p ketnoi"
    cargo build --release -p ketnoi >&2
fi
[ -x "$bin" ] || die "no binary at $bin"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-desk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "Run on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, revision $(git rev-parse --short HEAD 2>/dev/null || echo unknown); load at start: $(cut -d' ' -f1-3 /proc/loadavg)."
echo

if [ "$ONLY" = all ] || [ "$ONLY" = sqlite ]; then
    say "ketnoi bench desk (SQLite)"
    echo "### SQLite"
    echo
    echo "\`$bin bench desk --procedures $PROCEDURES --requests $REQUESTS\`"
    echo
    "$bin" bench desk --procedures "$PROCEDURES" --requests "$REQUESTS" --work-dir "$tmp" | sed '$d'
    echo
fi

if [ "$ONLY" = all ] || [ "$ONLY" = postgres ]; then
    say "ketnoi bench desk (PostgreSQL)"
    psql "$PG_URL/postgres" -qc 'DROP DATABASE IF EXISTS ketnoi_bench_desk' >&2
    psql "$PG_URL/postgres" -qc 'CREATE DATABASE ketnoi_bench_desk' >&2
    echo "### PostgreSQL"
    echo
    echo "\`$bin bench desk --database $PG_URL/ketnoi_bench_desk --procedures $PROCEDURES --requests $REQUESTS\`"
    echo
    "$bin" bench desk --database "$PG_URL/ketnoi_bench_desk" --procedures "$PROCEDURES" \
        --requests "$REQUESTS" --work-dir "$tmp" | sed '$d'
    psql "$PG_URL/postgres" -qc 'DROP DATABASE IF EXISTS ketnoi_bench_desk' >&2 || true
    echo
fi
