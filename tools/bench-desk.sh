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

BENCH=bench-desk
# shellcheck source=tools/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
bench_args "$@"
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PROCEDURES=${PROCEDURES:-5000}
REQUESTS=${REQUESTS:-1000}
ONLY=${ONLY:-all}
bench_build
bench_both desk --procedures "$PROCEDURES" --requests "$REQUESTS"
