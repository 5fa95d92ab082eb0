#!/usr/bin/env python3
"""Prints the markdown report of tools/bench-bot.sh from the JSON summaries it left.

    python3 tools/bot/bench_report.py OUT_DIR [INVOCATION]

OUT_DIR holds NAME.json files, each the last stdout line of one run: dev.ketnoi, dev.baseline,
validation.ketnoi and validation.baseline (optional), unseen.ketnoi and unseen.baseline
(optional), big.ketnoi; and commands.txt, the command
lines that made them. INVOCATION is how the benchmark itself was started.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

ROWS = [
    # (label, key, kind): kind "share" is higher-is-better, "us" lower-is-better
    ("overall accuracy", "overall_accuracy", "share"),
    ("in-scope accuracy", "in_scope_accuracy", "share"),
    ("out-of-scope rejection", "oos_rejection", "share"),
    ("top-3 accuracy (in scope)", "top3_accuracy", "share"),
    ("right, or handed off with it among the 3 suggestions", "one_tap_accuracy", "share"),
    ("p99 latency per question", "p99_us", "us"),
]


def load(out: Path, name: str) -> dict | None:
    path = out / f"{name}.json"
    if not path.is_file():
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def group(summary: dict, field: str, value: str) -> dict | None:
    """One group of a --by breakdown, in whichever of the plausible shapes the tool printed:
    {"by": {field: {value: {...}}}}, {"by": {value: {...}}} or {"by_<field>": {value: {...}}}."""
    by = summary.get("by")
    if isinstance(by, dict):
        nested = by.get(field)
        if isinstance(nested, dict) and isinstance(nested.get(value), dict):
            return nested[value]
        if isinstance(by.get(value), dict):
            return by[value]
    flat = summary.get(f"by_{field}")
    if isinstance(flat, dict) and isinstance(flat.get(value), dict):
        return flat[value]
    return None


def number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def show(value, kind: str) -> str:
    v = number(value)
    if v is None:
        return "–"
    if kind == "share":
        return f"{v:.1%}"
    if kind == "ms":
        return f"{v:,.0f} ms"
    return f"{v:,.0f} µs" if v >= 10 else f"{v:.1f} µs"


def ratio(ours, theirs, kind: str) -> str:
    a, b = number(ours), number(theirs)
    if a is None or b is None or b == 0:
        return "–"
    text = f"{a / b:.2f}×"
    if kind == "us" and a > 0:
        text += f" ({b / a:.0f}× faster)" if b >= a else f" ({a / b:.1f}× slower)"
    return text


def comparison(out: Path) -> list[str]:
    lines = [
        "| questions | metric | ketnoi | baseline | ketnoi ÷ baseline |",
        "|---|---|---:|---:|---:|",
    ]
    sets = (("dev", "dev.jsonl"), ("validation", "validation.jsonl"),
            ("unseen", "unseen.jsonl (report-only)"),
            ("pairs", "dev.jsonl typed with diacritics, each also without"))
    for set_name, title in sets:
        ours, theirs = load(out, f"{set_name}.ketnoi"), load(out, f"{set_name}.baseline")
        if ours is None or theirs is None:
            continue
        first = True
        label = f"{title} ({ours.get('questions', '?')} q)"
        rows = [(name, ours.get(key), theirs.get(key), kind) for name, key, kind in ROWS]
        styles = ours.get("by_style") if isinstance(ours.get("by_style"), dict) else {}
        for style in sorted(styles, reverse=True):
            ours_s, theirs_s = group(ours, "style", style), group(theirs, "style", style)
            if ours_s and theirs_s:
                name = f"overall, style {style} ({ours_s.get('questions', '?')} q)"
                rows.insert(1, (name, ours_s.get("overall_accuracy"),
                                theirs_s.get("overall_accuracy"), "share"))
        for form, name in (("folded", "overall, the same questions without diacritics"),
                           ("with_diacritics", "overall, the same questions with diacritics")):
            ours_f, theirs_f = group(ours, "form", form), group(theirs, "form", form)
            if ours_f and theirs_f:
                rows.insert(1, (name, ours_f.get("overall_accuracy"),
                                theirs_f.get("overall_accuracy"), "share"))
        for name, a, b, kind in rows:
            lines.append(f"| {label if first else ''} | {name} | {show(a, kind)} | "
                         f"{show(b, kind)} | {ratio(a, b, kind)} |")
            first = False
    return lines


def big(out: Path) -> list[str]:
    summary = load(out, "big.ketnoi")
    if summary is None:
        return []
    intents = summary.get("intents", "?")
    return [
        f"| generated KB: {intents} intents, {summary.get('questions', '?')} questions | ketnoi |",
        "|---|---:|",
        f"| build (index + calibration) | {show(summary.get('build_ms'), 'ms')} |",
        f"| p50 latency per question | {show(summary.get('p50_us'), 'us')} |",
        f"| p99 latency per question | {show(summary.get('p99_us'), 'us')} |",
        f"| overall accuracy | {show(summary.get('overall_accuracy'), 'share')} |",
        f"| in-scope accuracy | {show(summary.get('in_scope_accuracy'), 'share')} |",
        f"| out-of-scope rejection | {show(summary.get('oos_rejection'), 'share')} |",
    ]


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next((line.split(":", 1)[1].strip() for line in f
                          if line.startswith("model name")), "")
    except OSError:
        pass
    return (f"{os.cpu_count()} cores{', ' + model if model else ''}, {platform.system()} "
            f"{platform.release()}, {time.strftime('%Y-%m-%d')}")


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        sys.exit(__doc__)
    out = Path(argv[1])
    invocation = argv[2] if len(argv) > 2 else "tools/bench-bot.sh"
    baseline = load(out, "dev.baseline") or {}

    print("### Chatbot: ketnoi vs a TF-IDF + logistic-regression baseline")
    print()
    calibration = baseline.get("calibration") or {}
    oos_set = calibration.get("oos_set", "the shipped out-of-scope set")
    print(f"Machine: {machine()}. Both answer from the same knowledge base "
          f"({baseline.get('intents', '?')} intents); the baseline's hand-off threshold "
          f"({baseline.get('threshold', '?')}) was calibrated on the knowledge base's own examples "
          f"and `{oos_set}` ({calibration.get('negatives', '?')} questions), never on the "
          "questions below. Accuracy counts a hand-off as wrong for an in-scope question and as "
          "right for an out-of-scope one. Latency is per question, in process.")
    print()
    print("\n".join(comparison(out)))
    lines = big(out)
    if lines:
        print()
        print("\n".join(lines))
    print()
    print(f"Command: `{invocation}`, which ran:")
    print()
    commands = out / "commands.txt"
    if commands.is_file():
        for line in commands.read_text(encoding="utf-8").splitlines():
            print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
