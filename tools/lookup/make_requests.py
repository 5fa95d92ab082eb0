#!/usr/bin/env python3
"""Request paths for tools/bench-lookup.sh, drawn from the generated CSV files.

    make_requests.py keys EXAM.csv OUT [--count N] [--seed S]
    make_requests.py search MARTYRS.csv OUT [--count N] [--seed S]

`keys` writes N paths of key lookups, each a real candidate number with its own birth date, so
every one of them should answer 200. `search` writes N name searches over the martyr records,
mixed the way people type: the full name as written, the full name without diacritics, the last
two words of the name, and a full name narrowed by birth year. One path a line; the same input,
N and seed give the same file. A summary goes to standard error.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import unicodedata
from urllib.parse import quote

EXAM_KEY, EXAM_VERIFY = "so_bao_danh", "ngay_sinh"
MARTYR_NAME, MARTYR_YEAR = "ho_ten", "nam_sinh"


def fold(text: str) -> str:
    """The text as typed on a keyboard without Vietnamese input: marks dropped, đ as d."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("Đ", "D"))


def sample(rows, count: int, rng: random.Random) -> list:
    """`count` rows drawn without replacement in one pass (reservoir sampling), then shuffled."""
    chosen: list = []
    for seen, row in enumerate(rows):
        if seen < count:
            chosen.append(row)
        else:
            slot = rng.randrange(seen + 1)
            if slot < count:
                chosen[slot] = row
    rng.shuffle(chosen)
    return chosen


def read(path: str, needed: tuple[str, ...]):
    """Yields the rows of a CSV as dicts, after checking its header names the needed columns."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in needed if c not in (reader.fieldnames or [])]
        if missing:
            sys.exit(f"make_requests: {path} has no column {', '.join(missing)}")
        yield from reader


def keys(args) -> None:
    rng = random.Random(args.seed)
    rows = ((r[EXAM_KEY], r[EXAM_VERIFY]) for r in read(args.csv, (EXAM_KEY, EXAM_VERIFY)))
    chosen = sample(rows, args.count, rng)
    base = f"/api/v1/accounts/{args.account}/lookups/{args.dataset}/records/"
    with open(args.out, "w", encoding="ascii") as out:
        for key, born in chosen:
            out.write(f"{base}{quote(key, safe='')}?{EXAM_VERIFY}={quote(born, safe='')}\n")
    print(f"make_requests: {len(chosen)} key lookups in {args.out}", file=sys.stderr)


def search(args) -> None:
    rng = random.Random(args.seed)
    # Unidentified martyrs share one placeholder name and have no birth year: nobody searches
    # for them by name, so they are left out of the queries.
    rows = (
        (r[MARTYR_NAME], r[MARTYR_YEAR])
        for r in read(args.csv, (MARTYR_NAME, MARTYR_YEAR))
        if r[MARTYR_YEAR]
    )
    chosen = sample(rows, args.count, rng)
    base = f"/api/v1/accounts/{args.account}/lookups/{args.dataset}/search?limit={args.limit}&q="
    kinds = {"full name": 0, "without diacritics": 0, "last two words": 0, "with nam_sinh": 0}
    with open(args.out, "w", encoding="ascii") as out:
        for name, year in chosen:
            roll = rng.random()
            query, narrow = name, ""
            if roll < 0.35:
                kinds["full name"] += 1
            elif roll < 0.60:
                query = fold(name)
                kinds["without diacritics"] += 1
            elif roll < 0.75:
                query = " ".join(name.split()[-2:])
                if rng.random() < 0.5:
                    query = fold(query)
                kinds["last two words"] += 1
            else:
                if rng.random() < 0.5:
                    query = fold(name)
                narrow = f"&{MARTYR_YEAR}={quote(year, safe='')}"
                kinds["with nam_sinh"] += 1
            out.write(f"{base}{quote(query, safe='')}{narrow}\n")
    mix = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    print(f"make_requests: {len(chosen)} name searches in {args.out} ({mix})", file=sys.stderr)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="kind", required=True)
    k = sub.add_parser("keys", help="key lookups from the exam CSV")
    k.add_argument("--account", default="so-gddt-tuyen-quang")
    k.add_argument("--dataset", default="diem-thi")
    k.set_defaults(run=keys, count=100_000)
    s = sub.add_parser("search", help="name searches from the martyr CSV")
    s.add_argument("--account", default="ubnd-vi-xuyen")
    s.add_argument("--dataset", default="liet-si")
    s.add_argument("--limit", type=int, default=10)
    s.set_defaults(run=search, count=20_000)
    for each in (k, s):
        each.add_argument("csv")
        each.add_argument("out")
        each.add_argument("--count", type=int)
        each.add_argument("--seed", type=int, default=6)
    args = p.parse_args()
    if args.count < 1:
        sys.exit("make_requests: --count must be at least 1")
    args.run(args)


if __name__ == "__main__":
    main()
