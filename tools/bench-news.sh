#!/usr/bin/env bash
# The news figures (issue 15), each beside its reference measured in the same run.
#
#   tools/bench-news.sh [--no-build]
#
# 1. builds the release binary (`cargo build --release -p ketnoi`; CARGO_TARGET_DIR respected);
# 2. `ketnoi bench news` on SQLite: 1,000,000 followers over 1,000 wards and 10,000 broadcasts;
#    accepting a broadcast to everyone and to one ward (reference: the same storage work done by
#    the bench), 10,000 live connections receiving one (reference: a ping on each), and the
#    feed (reference: the same query in-process);
# 3. the same on PostgreSQL (a database ketnoi_bench_news made afresh on PG_URL), without the
#    live phase, which does not depend on the database;
# 4. an article page against nginx serving the same page as a static file, both driven by the
#    same wrk at 64 connections (installs wrk, nginx and curl from the Debian archive if missing).
#
# Settings, from the environment:
#   PG_URL=postgres://postgres@127.0.0.1:5432   the PostgreSQL server (ONLY=sqlite skips it)
#   FOLLOWERS=1000000 BROADCASTS=10000 LIVE=10000   DURATION=10s THREADS=2 CONNECTIONS=64
# Output: the tables, in Markdown, for docs/BENCHMARKS.md.
set -euo pipefail

BENCH=bench-news
# shellcheck source=tools/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
bench_args "$@"
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
FOLLOWERS=${FOLLOWERS:-1000000}
BROADCASTS=${BROADCASTS:-10000}
LIVE=${LIVE:-10000}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
ONLY=${ONLY:-all}

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]} (Debian packages)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2 \
        || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2; } \
        || die "could not install ${need[*]}"
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

bench_build

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-news.XXXXXX")
server_pid=""
nginx_pid=""
cleanup() {
    local status=$?
    trap - EXIT
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "Run on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, revision $(git rev-parse --short HEAD 2>/dev/null || echo unknown); load at start: $(cut -d' ' -f1-3 /proc/loadavg)."
echo

if [ "$ONLY" = all ] || [ "$ONLY" = sqlite ]; then
    say "ketnoi bench news (SQLite)"
    echo "### SQLite"
    echo
    echo "\`$bin bench news --followers $FOLLOWERS --broadcasts $BROADCASTS --live $LIVE\`"
    echo
    "$bin" bench news --followers "$FOLLOWERS" --broadcasts "$BROADCASTS" --live "$LIVE" \
        --work-dir "$tmp" | sed '$d'
    echo
fi

if [ "$ONLY" = all ] || [ "$ONLY" = postgres ]; then
    say "ketnoi bench news (PostgreSQL)"
    psql "$PG_URL/postgres" -qc 'DROP DATABASE IF EXISTS ketnoi_bench_news' >&2
    psql "$PG_URL/postgres" -qc 'CREATE DATABASE ketnoi_bench_news' >&2
    echo "### PostgreSQL"
    echo
    echo "\`$bin bench news --database $PG_URL/ketnoi_bench_news --followers $FOLLOWERS --broadcasts $BROADCASTS --live 0\`"
    echo
    "$bin" bench news --database "$PG_URL/ketnoi_bench_news" --followers "$FOLLOWERS" \
        --broadcasts "$BROADCASTS" --live 0 --work-dir "$tmp" | sed '$d'
    psql "$PG_URL/postgres" -qc 'DROP DATABASE IF EXISTS ketnoi_bench_news' >&2 || true
    echo
fi

if [ "$ONLY" = all ] || [ "$ONLY" = article ]; then
    say "an article page against nginx"
    port=$(free_port)
    nginx_port=$(free_port)
    while [ "$nginx_port" = "$port" ]; do nginx_port=$(free_port); done
    "$bin" --data-dir "$tmp/article-data" serve --demo --listen "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
    server_pid=$!
    list="/a/ca-tuyen-quang/tin"
    for _ in $(seq 300); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$list" || true)" = 200 ] && break
        sleep 0.2
    done
    # The demo's article on that account, found on its list of news.
    page=$(curl -sf "http://127.0.0.1:$port$list" | grep -o 'href="/a/ca-tuyen-quang/tin/[^"]*"' | head -n1 | cut -d'"' -f2)
    [ -n "$page" ] || die "no article on $list"
    mkdir -p "$tmp/www"
    curl -sf "http://127.0.0.1:$port$page" -o "$tmp/www/article.html" || die "the article page did not answer"
    cat >"$tmp/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    default_type text/html;
    server {
        listen 127.0.0.1:$nginx_port;
        root $tmp/www;
        location / { try_files /article.html =404; }
    }
}
EOF
    "$nginx_bin" -c "$tmp/nginx.conf" -p "$tmp" >&2 &
    nginx_pid=$!
    for _ in $(seq 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$nginx_port$page" || true)" = 200 ] && break
        sleep 0.1
    done
    rps() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$1" 2>&1 | awk '/Requests\/sec/ { print $2 }'; }
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$port$page" >/dev/null 2>&1 || true
    ketnoi_rps=$(rps "http://127.0.0.1:$port$page")
    nginx_rps=$(rps "http://127.0.0.1:$nginx_port$page")
    bytes=$(wc -c <"$tmp/www/article.html")
    echo "### An article page against nginx"
    echo
    echo "\`wrk -t$THREADS -c$CONNECTIONS -d$DURATION\` on \`$page\` ($bytes bytes), ketnoi (SQLite, the page as an anonymous reader gets it) and nginx (one worker a core) serving the same bytes as a static file, one after the other."
    echo
    echo "| server | requests/s |"
    echo "|---|---:|"
    echo "| ketnoi | $ketnoi_rps |"
    echo "| nginx (static file) | $nginx_rps |"
    echo "| ratio | $(awk -v a="$ketnoi_rps" -v b="$nginx_rps" 'BEGIN { printf "%.2f×", a / b }') (target ≥ 0.5×) |"
fi
