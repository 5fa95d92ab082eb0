#!/usr/bin/env bash
# The officers' inbox figures (issue 18), each beside the same SQL on bare tables, in one run.
#
#   tools/bench-inbox.sh [--no-build]
#
# 1. builds the release binary (`cargo build --release -p ketnoi`; CARGO_TARGET_DIR respected);
# 2. `ketnoi bench inbox` on SQLite: 1,000 accounts under one province, 1,000,000 conversations
#    (1,000 in each inbox) and 10,000,000 messages, made by the database itself; then bare copies
#    of `conversations` and `messages` with the same indexes and rows. It times, signed in as
#    the province's administrator, the inbox API's open list, each filtered view (needing a
#    person, the bot's, assigned to me, unassigned, closed), text search without diacritics and
#    the console's inbox page with its counts; each reference is the store's own SQL for the
#    same request run by the bench on the copies;
# 3. the same on PostgreSQL (a database ketnoi_bench_inbox made afresh on PG_URL).
#
# Settings, from the environment:
#   PG_URL=postgres://postgres@127.0.0.1:5432   the PostgreSQL server (ONLY=sqlite skips it)
#   ACCOUNTS=1000 CONVERSATIONS=1000000 MESSAGES=10 (per conversation) REQUESTS=1000
#   ONLY=all|sqlite|postgres
# Output: the tables, in Markdown, for docs/BENCHMARKS.md.
set -euo pipefail

BENCH=bench-inbox
# shellcheck source=tools/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
bench_args "$@"
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
ACCOUNTS=${ACCOUNTS:-1000}
CONVERSATIONS=${CONVERSATIONS:-1000000}
MESSAGES=${MESSAGES:-10}
REQUESTS=${REQUESTS:-1000}
ONLY=${ONLY:-all}
bench_build
bench_both inbox --accounts "$ACCOUNTS" --conversations "$CONVERSATIONS" \
    --messages-per-conversation "$MESSAGES" --requests "$REQUESTS"
