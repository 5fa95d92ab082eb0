#!/usr/bin/env bash
# The lookup figures (issue 6), each beside its reference measured in the same run: nginx serving
# a static JSON file, driven by the same wrk with the same request stream.
#
#   tools/bench-lookup.sh [--no-build]
#
# 1. installs wrk and nginx (and curl) from the Debian archive if they are missing;
# 2. generates 1,000,000 exam results and 200,000 martyr records with
#    ../shared/tools/gen_lookup_data.py, and from them (tools/lookup/make_requests.py) 100,000
#    key-lookup paths, each a real candidate number with its own birth date, and 20,000 name
#    searches, some typed without diacritics, some narrowed by birth year;
# 3. builds the release binary (`cargo build --release -p ketnoi`; CARGO_TARGET_DIR respected),
#    starts it once with --demo to seed the demo accounts, stops it, imports both datasets with
#    `ketnoi lookup import` (the exam import timed against its 10 s target), starting it on the
#    exam set alone first as a plain key lookup and then as searchable by name, to read its
#    resident memory each time, and starts it again with KETNOI_LOOKUP_LIMITS=off; prints its
#    resident memory once both datasets answer;
# 4. starts nginx on its own port with a config written to the scratch folder;
# 5. runs wrk (tools/lookup/paths.lua: one random path a request, failures counted and printed)
#    on key lookups at 64 and 256 connections against ketnoi and nginx, then on name searches at
#    64 connections against ketnoi;
# 6. prints a Markdown summary with the ratios and the targets, for docs/BENCHMARKS.md.
#
# Settings, from the environment:
#   DURATION=10s      length of each measured wrk run       THREADS=2   wrk threads
#   WARMUP=2s         unmeasured wrk run before each one (0: none)
#   PORT, NGINX_PORT  ports on 127.0.0.1 (default: free ports chosen at random)
#   SHARED_DIR        the shared folder (default: ../shared beside the checkout)
#   ONLY=nginx        only the data, the request files and nginx: no build and no ketnoi
#   EXAM_ROWS=1000000 MARTYR_ROWS=200000 KEY_PATHS=100000 SEARCH_QUERIES=20000
# --no-build uses the binary already built.
#
# Scratch files (CSV files, database, logs, wrk outputs) live in a mktemp folder removed on exit,
# when the servers are stopped too. The exit status is 1 if any request failed during a measured
# run: the summary is still printed, with the failures named.
set -euo pipefail

invoked_from=$PWD
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

say() { printf '== %s\n' "$*" >&2; }
die() {
    printf 'bench-lookup: %s\n' "$*" >&2
    exit 1
}

build=1
invocation="tools/bench-lookup.sh${*:+ $*}"
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
settings=""
for var in CARGO_TARGET_DIR SHARED_DIR ONLY DURATION THREADS WARMUP PORT NGINX_PORT EXAM_ROWS \
    MARTYR_ROWS KEY_PATHS SEARCH_QUERIES; do
    if [ -n "${!var+set}" ]; then
        settings="$settings$var=${!var} "
    fi
done
invocation="$settings$invocation"

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-2s}
ONLY=${ONLY:-all}
EXAM_ROWS=${EXAM_ROWS:-1000000}
MARTYR_ROWS=${MARTYR_ROWS:-200000}
KEY_PATHS=${KEY_PATHS:-100000}
SEARCH_QUERIES=${SEARCH_QUERIES:-20000}
if [ -n "${SHARED_DIR:-}" ]; then
    shared=$(cd "$invoked_from" && cd "$SHARED_DIR" 2>/dev/null && pwd) \
        || die "SHARED_DIR=$SHARED_DIR is not a folder"
else
    shared=../shared
fi
bin="${CARGO_TARGET_DIR:-target}/release/ketnoi"
exam_account=so-gddt-tuyen-quang
martyr_account=ubnd-vi-xuyen

[[ "$DURATION" =~ ^[1-9][0-9]*[smh]?$ ]] || die "DURATION must look like 10s, 1m or 30, not '$DURATION'"
[[ "$WARMUP" =~ ^([0-9]+[smh]?)$ ]] || die "WARMUP must look like 2s or 0, not '$WARMUP'"
[[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || die "THREADS must be a positive number, not '$THREADS'"
for var in EXAM_ROWS MARTYR_ROWS KEY_PATHS SEARCH_QUERIES; do
    [[ "${!var}" =~ ^[1-9][0-9]*$ ]] || die "$var must be a positive number, not '${!var}'"
done
case "$ONLY" in all | nginx) ;; *) die "ONLY must be 'all' or 'nginx', not '$ONLY'" ;; esac
[ -f "$shared/tools/gen_lookup_data.py" ] \
    || die "no $shared/tools/gen_lookup_data.py: the shared folder must sit beside the checkout" \
        "(../shared), or be named by SHARED_DIR"
command -v python3 >/dev/null || die "python3 is needed to generate the data"

# ---- tools

find_nginx() { command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }
need=()
command -v wrk >/dev/null || need+=(wrk)
[ -n "$(find_nginx)" ] || need+=(nginx)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
    sudo=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || die "${need[*]} missing, and neither root nor sudo to install them"
        sudo=(sudo)
    fi
    say "installing ${need[*]} (Debian packages)"
    apt_install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}")
    if ! "${apt_install[@]}" >&2; then
        say "apt-get install failed; updating the package lists and trying again"
        "${sudo[@]}" apt-get update >&2 && "${apt_install[@]}" >&2 \
            || die "could not install ${need[*]} with apt-get"
    fi
fi
nginx_bin=$(find_nginx)
[ -n "$nginx_bin" ] && command -v wrk >/dev/null && command -v curl >/dev/null \
    || die "wrk, nginx and curl are needed (apt-get install wrk nginx curl)"

# ---- scratch folder, and stopping everything on the way out

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-lookup.XXXXXX")
server_pid=""
nginx_pid=""

# stop PID: SIGTERM, then SIGKILL if it is still there after 20 s; reaps it.
stop() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 200); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$server_pid" ]; then stop "$server_pid"; fi
    if [ -n "$nginx_pid" ]; then stop "$nginx_pid"; fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$tmp/runs"
: >"$tmp/commands.txt"
: >"$tmp/meta"
meta() { printf '%s=%s\n' "$1" "$2" >>"$tmp/meta"; }
# record COMMAND...: notes a command line for the report, the scratch folder written as $TMP.
record() {
    local line
    line=$(printf '%q ' "$@")
    line=${line% }
    echo "${line//"$tmp"/\$TMP}" >>"$tmp/commands.txt"
}
# recorded COMMAND...: records it, then runs it.
recorded() {
    record "$@"
    "$@"
}
# seconds_since START: wall seconds since an $EPOCHREALTIME reading, two decimals.
seconds_since() {
    local now=$EPOCHREALTIME
    awk -v a="${1/,/.}" -v b="${now/,/.}" 'BEGIN { printf "%.2f", b - a }'
}
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port_is_free() {
    python3 -c 'import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}
# status URL: the HTTP status of a GET, 000 when nothing answered.
status() { curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$1" || true; }
# wait_for PID NAME URL SECONDS LOG: until URL answers 200; dies with the log's tail if the
# process exits first or the time runs out.
wait_for() {
    local pid=$1 name=$2 url=$3 limit=$4 log=$5 start=$EPOCHREALTIME code=000 rc
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rc=0
            wait "$pid" 2>/dev/null || rc=$?
            printf 'bench-lookup: %s exited (status %s) before %s answered; last lines of %s:\n' \
                "$name" "$rc" "$url" "$log" >&2
            tail -n 40 "$log" >&2
            exit 1
        fi
        code=$(status "$url")
        [ "$code" = 200 ] && return 0
        if awk -v s="$(seconds_since "$start")" -v l="$limit" 'BEGIN { exit !(s > l) }'; then
            printf 'bench-lookup: %s did not answer 200 at %s within %s s (last status %s); last lines of %s:\n' \
                "$name" "$url" "$limit" "$code" "$log" >&2
            tail -n 40 "$log" >&2
            printf 'bench-lookup: its last answer to %s:\n' "$url" >&2
            curl -s -i --max-time 5 "$url" | head -c 1000 >&2 || true
            echo >&2
            exit 1
        fi
        sleep 0.2
    done
}
# run_wrk NAME CONNECTIONS PORT PATHS: one measured wrk run (after a warm-up), its output shown
# and kept in runs/NAME.txt, its figures in runs/NAME.json.
run_wrk() {
    local name=$1 conns=$2 port=$3 paths=$4
    local url="http://127.0.0.1:$port"
    local lua=tools/lookup/paths.lua
    if [ "$WARMUP" != 0 ] && [ "${WARMUP%[smh]}" != 0 ]; then
        wrk -t"$THREADS" -c"$conns" -d"$WARMUP" -s "$lua" "$url" -- "$paths" >/dev/null 2>&1 || true
    fi
    local cmd=(wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency -s "$lua" "$url" -- "$paths")
    record "${cmd[@]}"
    say "$name: ${cmd[*]}"
    "${cmd[@]}" >"$tmp/runs/$name.txt" 2>&1 || {
        cat "$tmp/runs/$name.txt" >&2
        die "wrk failed on $name"
    }
    cat "$tmp/runs/$name.txt" >&2
    printf '%s: ' "$name" >&2
    python3 tools/lookup/bench_report.py wrk "$tmp/runs/$name.txt" "$tmp/runs/$name.json" >&2
}

if [ -n "${NGINX_PORT:-}" ]; then
    port_is_free "$NGINX_PORT" || die "NGINX_PORT=$NGINX_PORT is taken"
else
    NGINX_PORT=$(free_port)
fi
if [ "$ONLY" = all ]; then
    if [ -n "${PORT:-}" ]; then
        port_is_free "$PORT" || die "PORT=$PORT is taken"
    else
        PORT=$(free_port)
        while [ "$PORT" = "$NGINX_PORT" ]; do PORT=$(free_port); done
    fi
    [ "$PORT" != "$NGINX_PORT" ] || die "PORT and NGINX_PORT must differ"
fi

meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
meta nproc "$(nproc)"
meta cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
meta kernel "$(uname -r)"
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git diff --quiet HEAD 2>/dev/null; then revision="$revision (with uncommitted changes)"; fi
meta revision "$revision"
meta invocation "$invocation"
meta duration "$DURATION"
meta threads "$THREADS"
meta exam_rows "$EXAM_ROWS"
meta martyr_rows "$MARTYR_ROWS"
meta wrk "$({ wrk -v 2>&1 || true; } | head -n1 | awk '{ print $1, $2 }')"
meta nginx "$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')"

# ---- data and request files

exam=$tmp/exam.csv
martyrs=$tmp/martyrs.csv
key_paths=$tmp/key-paths.txt
search_paths=$tmp/search-paths.txt
say "generating $EXAM_ROWS exam rows and $MARTYR_ROWS martyr rows"
recorded python3 "$shared/tools/gen_lookup_data.py" exam "$EXAM_ROWS" "$exam"
recorded python3 "$shared/tools/gen_lookup_data.py" martyrs "$MARTYR_ROWS" "$martyrs"
recorded python3 tools/lookup/make_requests.py keys "$exam" "$key_paths" --count "$KEY_PATHS" \
    --account "$exam_account"
recorded python3 tools/lookup/make_requests.py search "$martyrs" "$search_paths" \
    --count "$SEARCH_QUERIES" --account "$martyr_account"
first_key=$(head -n1 "$key_paths")
first_search=$(head -n1 "$search_paths")

# ---- ketnoi: build, seed, import, serve

if [ "$ONLY" = all ]; then
    if [ "$build" = 1 ]; then
        say "cargo build --release -p ketnoi"
        cargo build --release -p ketnoi
    fi
    [ -x "$bin" ] || die "no binary at $bin (build it, or drop --no-build)"
    "$bin" lookup import --help >/dev/null 2>&1 \
        || die "$bin has no 'lookup import' command: this benchmark needs the lookup import" \
            "and the lookup API of issue 6"

    data=$tmp/data
    log=$tmp/server.log
    base="http://127.0.0.1:$PORT"
    say "seeding the demo accounts: $bin --data-dir \$TMP/data serve --demo --listen 127.0.0.1:$PORT"
    record "$bin" --data-dir "$data" serve --demo --listen "127.0.0.1:$PORT"
    "$bin" --data-dir "$data" serve --demo --listen "127.0.0.1:$PORT" >>"$log" 2>&1 &
    server_pid=$!
    wait_for "$server_pid" "the server (demo seed)" "$base/healthz" 120 "$log"
    meta rss_demo_kb "$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status")"
    stop "$server_pid"
    server_pid=""

    # rss_alone NAME: starts the server on what is imported so far, waits until a key lookup
    # answers, keeps its VmRSS and VmHWM as rss_NAME_kb and hwm_NAME_kb, and stops it.
    rss_alone() {
        local pid
        "$bin" --data-dir "$data" serve --listen "127.0.0.1:$PORT" >>"$log" 2>&1 &
        pid=$!
        server_pid=$pid
        wait_for "$pid" "the server ($1)" "$base$first_key" 300 "$log"
        meta "rss_$1_kb" "$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")"
        meta "hwm_$1_kb" "$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")"
        stop "$pid"
        server_pid=""
    }

    # The exam set's memory alone, first as a plain key lookup (number and birth date), then as
    # imported for the load below, also searchable by name and filterable by council.
    import_plain=("$bin" --data-dir "$data" lookup import --account "$exam_account" --dataset diem-thi
        --key so_bao_danh --verify ngay_sinh "$exam")
    record "${import_plain[@]}"
    say "import (exam, key lookup only): $(tail -n1 "$tmp/commands.txt")"
    "${import_plain[@]}" >"$tmp/import-plain.log" 2>&1 \
        || { tail -n 40 "$tmp/import-plain.log" >&2; die "the plain exam import failed (output above)"; }
    record "$bin" --data-dir "$data" serve --listen "127.0.0.1:$PORT"
    rss_alone exam_plain

    import_exam=("$bin" --data-dir "$data" lookup import --account "$exam_account" --dataset diem-thi
        --key so_bao_danh --verify ngay_sinh --search ho_ten --filter hoi_dong_thi "$exam")
    import_martyrs=("$bin" --data-dir "$data" lookup import --account "$martyr_account"
        --dataset liet-si --key ma_ho_so --search ho_ten --search que_quan --filter nam_sinh "$martyrs")
    for which in exam martyrs; do
        if [ "$which" = exam ]; then cmd=("${import_exam[@]}"); else cmd=("${import_martyrs[@]}"); fi
        record "${cmd[@]}"
        say "import ($which): $(tail -n1 "$tmp/commands.txt")"
        start=$EPOCHREALTIME
        if ! "${cmd[@]}" >"$tmp/import-$which.log" 2>&1; then
            tail -n 40 "$tmp/import-$which.log" >&2
            die "the $which import failed (output above)"
        fi
        took=$(seconds_since "$start")
        tail -n 15 "$tmp/import-$which.log" >&2
        meta "import_${which}_s" "$took"
        if [ "$which" = exam ]; then
            say "exam import: $took s wall for $EXAM_ROWS rows (target: at most 10 s)"
            rss_alone exam_search
        else
            say "martyr import: $took s wall for $MARTYR_ROWS rows"
        fi
    done

    record env KETNOI_LOOKUP_LIMITS=off "$bin" --data-dir "$data" serve --demo --listen "127.0.0.1:$PORT"
    say "serving with lookup limits off on $base"
    start=$EPOCHREALTIME
    env KETNOI_LOOKUP_LIMITS=off "$bin" --data-dir "$data" serve --demo --listen "127.0.0.1:$PORT" \
        >>"$log" 2>&1 &
    server_pid=$!
    wait_for "$server_pid" "the server" "$base/healthz" 300 "$log"
    wait_for "$server_pid" "the server" "$base$first_key" 120 "$log"
    wait_for "$server_pid" "the server" "$base$first_search" 60 "$log"
    ready=$(seconds_since "$start")
    meta ready_s "$ready"
    rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status")
    meta rss_kb "$rss_kb"
    say "ready in $ready s; resident memory with both datasets loaded:" \
        "$(awk -v kb="$rss_kb" 'BEGIN { printf "%.0f", kb * 1024 / 1e6 }') MB" \
        "(VmRSS $rss_kb kB; target: at most 300 MB)"

    answer=$(curl -s --max-time 5 "$base$first_key")
    meta answer_bytes "$(printf '%s' "$answer" | wc -c)"
    say "a key lookup: GET $first_key"
    printf '%s\n' "${answer:0:600}" >&2
    wrong_date="${first_key%%\?*}?ngay_sinh=01%2F01%2F1900"
    say "the same key with a wrong birth date answers $(status "$base$wrong_date")" \
        "(an unknown key: $(status "$base${first_key%/*}/00000000?ngay_sinh=01%2F01%2F2006"))"
    found=$(curl -s --max-time 5 "$base$first_search")
    say "a name search: GET $first_search ($(printf '%s' "$found" | wc -c) bytes)"
    printf '%s\n' "${found:0:400}" >&2
fi

# ---- nginx: the reference

www=$tmp/nginx/www
mkdir -p "$www" "$tmp/nginx/temp"
# Shaped like a key lookup's answer, about 200 bytes.
printf '%s' '{"so_bao_danh":"09000123","ho_ten":"Nguyễn Thị Thu Hà","ngay_sinh":"22/11/2006","hoi_dong_thi":"Sở GDĐT Tuyên Quang","diem":{"toan":7.25,"ngu_van":8.0,"ngoai_ngu":6.5,"lich_su":7.75,"dia_li":8.25,"gdcd":9.0}}' \
    >"$www/answer.json"
meta nginx_bytes "$(wc -c <"$www/answer.json")"
# mktemp makes the folder private, and nginx started as root serves from workers running as
# nobody: they must be able to walk down to the file.
chmod 711 "$tmp" "$tmp/nginx"
chmod 755 "$www"
chmod 644 "$www/answer.json"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events {
    worker_connections 4096;
}
http {
    access_log off;
    default_type application/json;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=16 inactive=60s;
    open_file_cache_valid 60s;
    # ketnoi keeps a connection open for as long as the client does; nginx's default would close
    # it after 1000 requests and make wrk reconnect.
    keepalive_requests 10000000;
    keepalive_timeout 75s;
    client_body_temp_path $tmp/nginx/temp/body;
    proxy_temp_path $tmp/nginx/temp/proxy;
    fastcgi_temp_path $tmp/nginx/temp/fastcgi;
    uwsgi_temp_path $tmp/nginx/temp/uwsgi;
    scgi_temp_path $tmp/nginx/temp/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT backlog=4096;
        root $www;
        # Every path, whatever it asks for, gets the one answer.
        location / {
            try_files /answer.json =404;
        }
    }
}
EOF
nginx_cmd=("$nginx_bin" -p "$tmp/nginx/" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" -g 'daemon off;')
record "${nginx_cmd[@]}"
say "nginx on 127.0.0.1:$NGINX_PORT"
"${nginx_cmd[@]}" >>"$tmp/nginx/error.log" 2>&1 &
nginx_pid=$!
wait_for "$nginx_pid" nginx "http://127.0.0.1:$NGINX_PORT$first_key" 20 "$tmp/nginx/error.log"

# ---- the load: nginx and ketnoi in turn, so that the machine's drift touches both alike

for conns in 64 256; do
    run_wrk "nginx-$conns" "$conns" "$NGINX_PORT" "$key_paths"
    if [ "$ONLY" = all ]; then
        run_wrk "ketnoi-key-$conns" "$conns" "$PORT" "$key_paths"
    fi
done
if [ "$ONLY" = all ]; then
    run_wrk ketnoi-search-64 64 "$PORT" "$search_paths"
    if ! kill -0 "$server_pid" 2>/dev/null; then
        tail -n 40 "$log" >&2
        die "the server exited during the load (last lines of its log above)"
    fi
    meta rss_end_kb "$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status")"
    meta hwm_end_kb "$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")"
    if grep -qE ' ERROR |panicked' "$log"; then
        say "the server's log holds errors or panics; the first of them:"
        grep -E ' ERROR |panicked' "$log" | head -n 10 >&2
    fi
fi

# ---- the summary

echo >&2
python3 tools/lookup/bench_report.py report "$tmp"
failed=$(python3 -c 'import json, pathlib, sys
print(sum(json.loads(p.read_text())["failed"] for p in pathlib.Path(sys.argv[1]).glob("*.json")))' "$tmp/runs")
if [ "$failed" != 0 ]; then
    echo "bench-lookup: !!! $failed requests failed during the measured runs (see above) !!!" >&2
    exit 1
fi
