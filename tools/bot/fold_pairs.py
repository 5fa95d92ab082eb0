#!/usr/bin/env python3
"""Writes each question typed with diacritics twice: as it is (form "with_diacritics") and with
every mark removed, đ as d (form "folded"), so `--by form` compares the same questions typed
both ways. Questions typed without diacritics already are left out.

Usage: fold_pairs.py IN.jsonl OUT.jsonl
"""
import json
import sys
import unicodedata


def strip_marks(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def main(source: str, target: str) -> int:
    written = 0
    with open(source, encoding="utf-8") as inp, open(target, "w", encoding="utf-8") as out:
        for line in inp:
            if not line.strip():
                continue
            question = json.loads(line)
            folded = strip_marks(question["q"])
            if folded == question["q"]:
                continue
            for form, text in (("with_diacritics", question["q"]), ("folded", folded)):
                out.write(json.dumps({**question, "q": text, "form": form}, ensure_ascii=False) + "\n")
            written += 1
    print(f"{written} questions written twice to {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
