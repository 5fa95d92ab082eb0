#!/usr/bin/env bash
# The officers' inbox figures (issue 18), each beside the same SQL on bare tables, in one run.
#
#   tools/bench-inbox.sh [--no-build]
#
# 1. builds the release binary (`cargo build --release -p ketnoi`; CARGO_TARGET_DIR respected);
# 2. `ketnoi bench inbox` on SQLite: 1,000 accounts under one province, 1,000,000 conversations
#    (1,000 in each inbox) and 10,000,000 messages, made by the database itself; then bare copies
#    of `conversations` and `messages` with the same indexes and rows. It times, signed in as an
#    officer of the province, the inbox API's open list, each filtered view (needing a person,
#    the bot's, assigned to me, unassigned, closed), text search without diacritics and the
#    console's inbox page with its counts; each reference is the store's own SQL for the same
#    request run by the bench on the copies;
# 3. the same on PostgreSQL (a database ketnoi_bench_inbox made afresh on PG_URL).
#
# Settings, from the environment:
#   PG_URL=postgres://postgres@127.0.0.1:5432   the PostgreSQL server (ONLY=sqlite skips it)
#   ACCOUNTS=1000 CONVERSATIONS=1000000 MESSAGES=10 (per conversation) REQUESTS=1000
#   ONLY=all|sqlite|postgres
# Output: the tables, in Markdown, for docs/BENCHMARKS.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
say() { printf '== %s\n' "$*" >&2; }
die() {
    printf 'bench-inbox: %s\n' "$*" >&2
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
ACCOUNTS=${ACCOUNTS:-1000}
CONVERSATIONS=${CONVERSATIONS:-1000000}
MESSAGES=${MESSAGES:-10}
REQUESTS=${REQUESTS:-1000}
ONLY=${ONLY:-all}
bin="${CARGO_TARGET_DIR:-target}/release/ketnoi"
size="--accounts $ACCOUNTS --conversations $CONVERSATIONS --messages-per-conversation $MESSAGES --requests $REQUESTS"

if [ "$build" = 1 ]; then
    say "cargo build --release -p ketnoi"
    cargo build --release -p ketnoi >&2
fi
[ -x "$bin" ] || die "no binary at $bin"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-inbox.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "Run on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, revision $(git rev-parse --short HEAD 2>/dev/null || echo unknown); load at start: $(cut -d' ' -f1-3 /proc/loadavg)."
echo

if [ "$ONLY" = all ] || [ "$ONLY" = sqlite ]; then
    say "ketnoi bench inbox (SQLite)"
    echo "### SQLite"
    echo
    echo "\`$bin bench inbox $size\`"
    echo
    # shellcheck disable=SC2086 # $size is a list of flags
    "$bin" bench inbox $size --work-dir "$tmp" | sed '$d'
    echo
fi

if [ "$ONLY" = all ] || [ "$ONLY" = postgres ]; then
    say "ketnoi bench inbox (PostgreSQL)"
    psql "$PG_URL/postgres" -qc 'DROP DATABASE IF EXISTS ketnoi_bench_inbox' >&2
    psql "$PG_URL/postgres" -qc 'CREATE DATABASE ketnoi_bench_inbox' >&2
    echo "### PostgreSQL"
    echo
    echo "\`$bin bench inbox --database $PG_URL/ketnoi_bench_inbox $size\`"
    echo
    # shellcheck disable=SC2086 # $size is a list of flags
    "$bin" bench inbox --database "$PG_URL/ketnoi_bench_inbox" $size --work-dir "$tmp" | sed '$d'
    psql "$PG_URL/postgres" -qc 'DROP DATABASE IF EXISTS ketnoi_bench_inbox' >&2 || true
    echo
fi
