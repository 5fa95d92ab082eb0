#!/usr/bin/env bash
# The webhook figures (issue 19), beside their reference measured in the same run.
#
#   tools/bench-webhooks.sh [--no-build]
#
# 1. builds the release binary (`cargo build --release -p ketnoi`; CARGO_TARGET_DIR respected);
# 2. `ketnoi bench webhooks` on SQLite: the demo in a scratch database, the server started in
#    the bench's process with an integration of the demo account whose webhook (user_send_text)
#    points at a receiver on 127.0.0.1. Citizens send MESSAGES messages over CONVERSATIONS
#    conversations; it reports events delivered per second and the latency from each message's
#    time to its arrival, beside the same receiver fed by a bare loop of signed POSTs from the
#    bench (as many at once as the server has delivery workers);
# 3. the same on PostgreSQL (a database ketnoi_bench_webhooks made afresh on PG_URL).
#
# Settings, from the environment:
#   PG_URL=postgres://postgres@127.0.0.1:5432   the PostgreSQL server (ONLY=sqlite skips it)
#   MESSAGES=2000 CONVERSATIONS=20 ONLY=all|sqlite|postgres
# Output: the tables, in Markdown, for docs/BENCHMARKS.md.
set -euo pipefail

BENCH=bench-webhooks
# shellcheck source=tools/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
bench_args "$@"
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
MESSAGES=${MESSAGES:-2000}
CONVERSATIONS=${CONVERSATIONS:-20}
ONLY=${ONLY:-all}
bench_build
bench_both webhooks --messages "$MESSAGES" --conversations "$CONVERSATIONS"
