#!/usr/bin/env python3
"""Reads wrk's output and prints the report of tools/bench-lookup.sh.

    bench_report.py wrk WRK_OUTPUT.txt RUN.json   one run's figures, from wrk's text output
    bench_report.py report OUT_DIR                 the Markdown summary of a whole benchmark

`wrk` takes requests/s from the `Requests/sec:` line and the percentiles from the
`Latency Distribution` block of `--latency` (units us, ms, s, m, h), and the failures from wrk's
own counters and from the lines tools/lookup/paths.lua prints; it writes them as JSON and prints
one line about the run. It exits non-zero only if the output cannot be read as a wrk run.

`report` reads OUT_DIR/runs/*.json, OUT_DIR/meta (KEY=VALUE lines written by the script) and
OUT_DIR/commands.txt, and prints a Markdown table of ketnoi beside nginx with the ratios and the
targets, fit to paste into docs/BENCHMARKS.md.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

UNIT_US = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6, "h": 3600e6}

TARGET_RPS_RATIO = 0.7  # ketnoi's key lookups ÷ nginx's static file, at least
TARGET_P99_RATIO = 2.0  # at most
TARGET_SEARCH_RPS = 10_000  # at least
TARGET_SEARCH_P99_US = 20_000  # below
TARGET_IMPORT_S = 10.0  # 1,000,000 exam rows, at most
TARGET_RSS_MB = 300.0  # both datasets loaded, at most (MB = 10^6 bytes)


def duration_us(number: str, unit: str) -> float:
    return float(number) * UNIT_US[unit]


def parse_wrk(text: str) -> dict:
    """The figures of one wrk run; raises ValueError naming what is missing."""
    run: dict = {}
    m = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    if not m:
        raise ValueError("no 'Requests/sec:' line")
    run["rps"] = float(m.group(1))
    for pct, number, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.M):
        run[f"p{pct}_us"] = duration_us(number, unit)
    if "p99_us" not in run:
        raise ValueError("no '99%' line (was wrk run with --latency?)")
    m = re.search(r"^\s+(\d+) requests in ([\d.]+)(us|ms|s|m|h)", text, re.M)
    if not m:
        raise ValueError("no 'N requests in T' line")
    run["requests"] = int(m.group(1))
    run["seconds"] = duration_us(m.group(2), m.group(3)) / 1e6
    m = re.search(r"^\s+Non-2xx or 3xx responses: (\d+)", text, re.M)
    wrk_non2xx = int(m.group(1)) if m else 0
    m = re.search(r"^\s+Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text, re.M)
    wrk_sockets = sum(int(g) for g in m.groups()) if m else 0
    # paths.lua counts every status outside 2xx (wrk's own line leaves out 3xx) and names them.
    m = re.search(r"^paths\.lua: non-2xx responses: (\d+)(?: \((.*)\))?$", text, re.M)
    if not m:
        raise ValueError("no 'paths.lua: non-2xx responses' line (was wrk run with -s tools/lookup/paths.lua?)")
    run["non2xx"] = max(int(m.group(1)), wrk_non2xx)
    run["non2xx_by_status"] = m.group(2) or ""
    run["socket_errors"] = wrk_sockets
    run["failed"] = run["non2xx"] + run["socket_errors"]
    return run


def show_us(us: float | None) -> str:
    if us is None:
        return "—"
    if us < 1000:
        return f"{us:.0f} µs"
    if us < 1e6:
        return f"{us / 1e3:.2f} ms"
    return f"{us / 1e6:.2f} s"


def show_rps(rps: float | None) -> str:
    return "—" if rps is None else f"{rps:,.0f}"


def show_ratio(a: float | None, b: float | None) -> str:
    if a is None or not b:
        return "—"
    ratio = a / b
    return f"{ratio:.2f}×" if ratio >= 0.1 else f"{ratio:.3f}×"


def verdict(ok: bool | None) -> str:
    if ok is None:
        return "—"
    return "met" if ok else "**missed**"


def wrk_command(args: list[str]) -> None:
    source, dest = Path(args[0]), Path(args[1])
    text = source.read_text(encoding="utf-8", errors="replace")
    try:
        run = parse_wrk(text)
    except ValueError as e:
        sys.exit(f"bench_report: cannot read {source} as a wrk run: {e}")
    dest.write_text(json.dumps(run, indent=1) + "\n", encoding="utf-8")
    line = f"{run['rps']:,.0f} requests/s, p50 {show_us(run.get('p50_us'))}, p99 {show_us(run['p99_us'])}"
    if run["failed"]:
        detail = f" ({run['non2xx_by_status']})" if run["non2xx_by_status"] else ""
        line += f"; FAILED: {run['non2xx']} non-2xx{detail}, {run['socket_errors']} socket errors"
    else:
        line += f"; {run['requests']:,} requests, none failed"
    print(line)


def read_meta(out: Path) -> dict:
    meta = {}
    path = out / "meta"
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep:
                meta[key.strip()] = value.strip()
    return meta


def number(meta: dict, key: str) -> float | None:
    try:
        return float(meta[key])
    except (KeyError, ValueError):
        return None


def report_command(args: list[str]) -> None:
    out = Path(args[0])
    meta = read_meta(out)
    runs = {}
    for path in sorted((out / "runs").glob("*.json")):
        runs[path.stem] = json.loads(path.read_text(encoding="utf-8"))

    def fig(name: str, key: str) -> float | None:
        return runs.get(name, {}).get(key)

    rows = []
    failed_runs = []

    def block(label: str, ketnoi: str, nginx: str, rps_ok, p99_ok, rps_target: str, p99_target: str):
        k_rps, n_rps = fig(ketnoi, "rps"), fig(nginx, "rps")
        k_p99, n_p99 = fig(ketnoi, "p99_us"), fig(nginx, "p99_us")
        k_fail, n_fail = fig(ketnoi, "failed"), fig(nginx, "failed")
        broken = bool(k_fail) or bool(n_fail)
        for name, failed in ((ketnoi, k_fail), (nginx, n_fail)):
            if failed:
                detail = runs[name]["non2xx_by_status"]
                failed_runs.append(f"{name}: {failed:,} failed requests" + (f" ({detail})" if detail else ""))

        def judged(ok):
            # A run with failures measured something other than working answers.
            return "**invalid: requests failed**" if broken and ok is not None else verdict(ok)

        rows.append([label, "requests/s", show_rps(k_rps), show_rps(n_rps), show_ratio(k_rps, n_rps),
                     rps_target, judged(rps_ok(k_rps, n_rps) if k_rps is not None else None)])
        rows.append(["", "p99 latency", show_us(k_p99), show_us(n_p99), show_ratio(k_p99, n_p99),
                     p99_target, judged(p99_ok(k_p99, n_p99) if k_p99 is not None else None)])
        fails = lambda f: "—" if f is None else f"{f:,}"
        rows.append(["", "failed requests", fails(k_fail), fails(n_fail), "", "0",
                     "—" if k_fail is None else ("met" if not broken else "**FAILED**")])

    for conns in (64, 256):
        block(f"key lookup, {conns} connections", f"ketnoi-key-{conns}", f"nginx-{conns}",
              lambda k, n: n is not None and k / n >= TARGET_RPS_RATIO,
              lambda k, n: n is not None and k / n <= TARGET_P99_RATIO,
              f"≥ {TARGET_RPS_RATIO}× nginx", f"≤ {TARGET_P99_RATIO:g}× nginx")
    block("name search, 64 connections (nginx: the static file)", "ketnoi-search-64", "nginx-64",
          lambda k, n: k >= TARGET_SEARCH_RPS,
          lambda k, n: k < TARGET_SEARCH_P99_US,
          f"≥ {TARGET_SEARCH_RPS:,}/s", f"< {TARGET_SEARCH_P99_US / 1000:g} ms")

    date = meta.get("date", "")
    print(f"### Latest run ({date[:10]})")
    print()
    machine = (f"Machine: {meta.get('nproc', '?')} cores (`nproc`), {meta.get('cpu', '?')}, "
               f"Linux {meta.get('kernel', '?')}, {date}; revision {meta.get('revision', '?')}.")
    print(machine + " "
          f"{meta.get('wrk', 'wrk')}, {meta.get('threads', '?')} threads, {meta.get('duration', '?')} per run "
          f"with `--latency`, each request a path drawn at random by `tools/lookup/paths.lua`; "
          f"the same request stream goes to {meta.get('nginx', 'nginx')} (worker_processes auto, "
          f"access_log off), which answers every path with one static "
          f"{meta.get('nginx_bytes', '?')}-byte JSON file"
          + (f" (ketnoi's answer to a key lookup: {meta['answer_bytes']} bytes)" if meta.get("answer_bytes") else "")
          + ". Both servers run on this machine beside wrk.")
    if meta.get("load_start"):
        print()
        print(f"Load average (1, 5, 15 min) when the run began: {meta['load_start']} (other work "
              "on the machine shows here and makes the figures noisier).")
    print()
    print("| load | measure | ketnoi | nginx | ketnoi ÷ nginx | target | |")
    print("|---|---|---:|---:|---:|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()

    import_s = number(meta, "import_exam_s")
    rss_kb = number(meta, "rss_kb")
    if import_s is not None or rss_kb is not None:
        print("| once | measured | target | |")
        print("|---|---:|---|---|")
        rows_exam = int(number(meta, "exam_rows") or 0)
        rows_martyrs = int(number(meta, "martyr_rows") or 0)
        if import_s is not None:
            print(f"| `lookup import`, {rows_exam:,} exam rows (wall) | {import_s:.2f} s | "
                  f"≤ {TARGET_IMPORT_S:g} s | {verdict(import_s <= TARGET_IMPORT_S)} |")
        martyr_s = number(meta, "import_martyrs_s")
        if martyr_s is not None:
            print(f"| `lookup import`, {rows_martyrs:,} martyr rows (wall) | {martyr_s:.2f} s | | |")
        ready_s = number(meta, "ready_s")
        if ready_s is not None:
            print(f"| server start until a key lookup answers 200 | {ready_s:.2f} s | | |")
        demo_kb = number(meta, "rss_demo_kb")
        if demo_kb is not None:
            print(f"| resident memory (VmRSS), demo data only, before the imports | "
                  f"{demo_kb * 1024 / 1e6:.0f} MB | | |")
        for name, what in [
            ("exam_plain", "the exam set alone, as a key lookup (number and birth date)"),
            ("exam_search", "the exam set alone, also searchable by name and filterable by council"),
        ]:
            alone_kb, alone_peak_kb = number(meta, f"rss_{name}_kb"), number(meta, f"hwm_{name}_kb")
            if alone_kb is not None and alone_peak_kb is not None:
                mb = alone_kb * 1024 / 1e6
                print(f"| resident memory (VmRSS / peak VmHWM), {what} | {mb:.0f} MB / "
                      f"{alone_peak_kb * 1024 / 1e6:.0f} MB | ≤ {TARGET_RSS_MB:g} MB | "
                      f"{verdict(mb <= TARGET_RSS_MB)} |")
        if rss_kb is not None:
            mb = rss_kb * 1024 / 1e6
            print(f"| resident memory (VmRSS), both datasets loaded | {mb:.0f} MB | | |")
        end_kb, peak_kb = number(meta, "rss_end_kb"), number(meta, "hwm_end_kb")
        if end_kb is not None and peak_kb is not None:
            print(f"| resident memory after the load (VmRSS / peak VmHWM) | "
                  f"{end_kb * 1024 / 1e6:.0f} MB / {peak_kb * 1024 / 1e6:.0f} MB | | |")
        print()

    commands = out / "commands.txt"
    print(f"Command: `{meta.get('invocation', 'tools/bench-lookup.sh')}`, which ran:")
    print()
    if commands.is_file():
        for line in commands.read_text(encoding="utf-8").splitlines():
            print(f"    {line}")
    print()
    if failed_runs:
        print("**Requests failed in this run; its figures are not valid:** " + "; ".join(failed_runs) + ".")
        print()


def main() -> None:
    commands = {"wrk": (wrk_command, 2), "report": (report_command, 1)}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    run, arity = commands[sys.argv[1]]
    if len(sys.argv) - 2 != arity:
        sys.exit(__doc__)
    run(sys.argv[2:])


if __name__ == "__main__":
    main()
