#!/usr/bin/env python3
"""Generates a large knowledge base for the chatbot's build-time and latency benchmark.

    python3 tools/bot/gen_big_kb.py N OUT.jsonl [--questions 500] [--seed 20250701]

Writes OUT.jsonl with N intents and, beside it, OUT.questions.jsonl (OUT minus `.jsonl`, plus
`.questions.jsonl`) with labelled questions over them, both byte-for-byte the same for the same
arguments. Standard library only.

What the big knowledge base stands for: a provincial platform that hosts the FAQ of many commune
and ward offices in one index. Every intent is one of the 60 sample intents
(`shared/data/chatbot/kb.jsonl`) as one real commune or ward answers it (the 3,321 units of
`shared/data/areas/vn-2025.csv`): its id is the base id plus the commune code
(`cccd.cap_moi.00004`); its question and examples name the place, in varied phrasings built from
the base examples (three of the four, picked per intent, so variants of one base differ); its
answer is the base answer plus the local office that handles it, with a made-up address, phone
number and opening hours. Telling "căn cước ở phường Ba Đình" from "căn cước ở xã Tân Phú" is then
part of the job, as it would be on such a platform.

Questions: half in scope, each built from the base example that its intent did NOT train on,
placed in the same commune in yet another phrasing (so no question repeats a training text);
half `intent: null`, off-topic requests and small talk written here, half of them naming a place.
About 40% of each half are typed without diacritics. Fields: q, intent, style (`standard` or
`no_diacritics`, as in dev.jsonl) and kind (`in_scope` or `out_of_scope`).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import unicodedata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared" / "data"
DEFAULT_BASE = SHARED / "chatbot" / "kb.jsonl"
DEFAULT_AREAS = SHARED / "areas" / "vn-2025.csv"
NO_DIACRITICS_SHARE = 0.4

# Which local office handles each base topic, by id prefix. "{c}" is the commune or ward
# ("phường Ba Đình"), "{p}" the province in its short form ("Hà Nội").
OFFICES = {
    "cccd": "Công an {c}",
    "vneid": "Công an {c}",
    "cu_tru": "Công an {c}",
    "xe": "Công an {c}",
    "antt": "Công an {c}",
    "pccc": "Công an {c}",
    "gplx": "Phòng Cảnh sát giao thông, Công an {p}",
    "ho_chieu": "Phòng Quản lý xuất nhập cảnh, Công an {p}",
    "ho_tich": "Ủy ban nhân dân {c}",
    "chung": "Ủy ban nhân dân {c}",
    "co_quan": "Bộ phận một cửa, Ủy ban nhân dân {c}",
    "dvc": "Trung tâm Phục vụ hành chính công {p}",
    "thi": "Sở Giáo dục và Đào tạo {p}",
    "liet_si": "Sở Nội vụ {p}",
    "ly_lich_tu_phap": "Sở Tư pháp {p}",
}
DEFAULT_OFFICE = "Ủy ban nhân dân {c}"

STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Quang Trung", "Hùng Vương", "Hai Bà Trưng",
           "Lý Thường Kiệt", "Nguyễn Huệ", "Phan Đình Phùng", "Trần Phú", "Lê Duẩn",
           "Điện Biên Phủ", "Nguyễn Du", "Bà Triệu", "Võ Thị Sáu", "Nguyễn Văn Cừ", "Lạc Long Quân",
           "Ngô Quyền", "Trường Chinh", "Hoàng Hoa Thám"]
HOURS = ["7h30–11h30 và 13h30–17h00 từ thứ Hai đến thứ Sáu",
         "7h00–11h30 và 13h00–16h30 từ thứ Hai đến thứ Sáu, sáng thứ Bảy tiếp nhận hồ sơ",
         "8h00–12h00 và 13h30–17h00 các ngày làm việc",
         "7h30–11h30 và 14h00–17h00 từ thứ Hai đến sáng thứ Bảy"]

# Phrasings that put a place into a base example; {x} is the example, {xl} the same with a
# lowercase first letter, {xq} without its final question mark; {c} the commune ("phường Ba
# Đình"), {C} the same capitalised, {n} the bare name ("Ba Đình"), {p} the province.
EXAMPLE_TEMPLATES = [
    "Mình ở {c}, {p}. {x}",
    "Cho hỏi tại {c}: {xl}",
    "{xq} ở {c} ạ?",
    "Nhà em ở {c} {p}, {xl}",
    "{C}, {p}: {xl}",
    "{x} Tôi ở {c}.",
    "Ở {c} thì {xl}",
    "Hỏi giúp em với, em ở {n} ({p}): {xl}",
]
# Different phrasings for the questions under test, so none repeats a training text's frame.
QUESTION_TEMPLATES = [
    "{xq} ở {c} vậy?",
    "em ở {n}, {xl}",
    "{C}: {xl}",
    "{xq} tại {c} {p}?",
    "cho mình hỏi, ở {c} {xl}",
    "{x} (ở {n})",
]
# What a commune's public-service bot should hand to a person, written for this generator and not
# taken from any test set: other agencies' business, asked about a place or not (REQUESTS), and
# things asked without one: other business and small talk (UNPLACED).
OFF_TOPIC_REQUESTS = [
    "Thủ tục chuyển mục đích sử dụng đất nông nghiệp sang đất ở thế nào?",
    "Bán nhà có phải nộp thuế thu nhập cá nhân không?",
    "Công chứng hợp đồng mua bán nhà ở đâu nhanh nhất?",
    "Đăng ký mã số thuế cá nhân cho người mới đi làm thế nào?",
    "Lương tối thiểu vùng năm nay là bao nhiêu?",
    "Bao giờ được nhận tiền trợ cấp người cao tuổi tháng này?",
    "Thủ tục xin hỗ trợ hộ nghèo thế nào?",
    "Gia hạn thẻ bảo hiểm y tế học sinh ở đâu?",
    "Cấp lại sổ bảo hiểm xã hội bị mất ở đâu?",
    "Hồ sơ hưởng chế độ thai sản gồm những gì?",
    "Khám sức khỏe để đi làm thì đến bệnh viện nào?",
    "Lịch tiêm chủng mở rộng tháng này thế nào?",
    "Đăng ký cho con học mầm non công lập cần gì?",
    "Xin học bổng cho sinh viên nghèo ở đâu?",
    "Đường trước nhà bị ngập mỗi khi mưa thì báo ai sửa?",
    "Đèn đường hỏng mấy hôm rồi chưa ai sửa",
    "Rác thải không ai thu gom mấy ngày nay",
    "Xin giấy phép sửa chữa nhà có cần không?",
    "Khi nào được nhận tiền đền bù giải phóng mặt bằng?",
    "Xin giấy phép kinh doanh quán karaoke ở đâu?",
    "Thủ tục cấp giấy phép lao động cho người nước ngoài",
    "Đăng ký chó mèo nuôi trong nhà ở đâu?",
    "Chợ đêm cuối tuần mở đến mấy giờ?",
    "Có chỗ nào cho thuê xe máy gần đây không?",
    "Quán cà phê nào view đẹp nhất?",
    "Phí gửi xe ở bệnh viện tỉnh bao nhiêu?",
    "Lịch cúp nước tuần này thế nào?",
    "Tối nay có bắn pháo hoa không?",
    "Mua vé tàu Tết ở đâu?",
]
OFF_TOPIC_UNPLACED = [
    "Lãi suất gửi tiết kiệm ngân hàng nào cao nhất?",
    "Cách cài lại mật khẩu Zalo",
    "Điện thoại bị hỏng màn hình sửa ở đâu?",
    "Ngày mai có phải ngày nghỉ lễ không?",
    "Cho tôi gặp chủ tịch xã",
    "Ai trực ban tối nay vậy?",
    "Bot ơi kể chuyện cười đi",
    "Chúc các anh chị cán bộ năm mới vui vẻ",
    "Ủa sao không trả lời",
    "Tôi đang rất bực mình đây",
    "Ờ",
    "Test thử",
    "hihi",
    "xyz abc",
    "??",
]
PLACED_OFF_TOPIC_TEMPLATES = ["Ở {c} {xl}", "{xq} ở {c}?", "Mình ở {n} {p}, {xl}"]


def fold(text: str) -> str:
    """What a phone keyboard without Vietnamese input gives: no diacritics, đ as d."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return bare.replace("đ", "d").replace("Đ", "D")


def casual(text: str) -> str:
    """The no-diacritics style of dev.jsonl: folded, lowercase, no trailing punctuation."""
    return re.sub(r"[?.!]+$", "", fold(text).lower()).strip()


def lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s else s


def capitalise(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def fill(template: str, x: str, place: dict) -> str:
    text = template.format(x=x, xl=lower_first(x), xq=x.rstrip(" ?"), c=place["c"],
                           C=capitalise(place["c"]), n=place["n"], p=place["p"])
    return re.sub(r"\s+", " ", text).strip()


def pick(rng: random.Random, pool: list[str], k: int) -> list[str]:
    """k templates, all different while the pool lasts."""
    chosen = rng.sample(pool, min(k, len(pool)))
    return chosen + [rng.choice(pool) for _ in range(k - len(chosen))]


def load_base(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        base = [json.loads(line) for line in f if line.strip()]
    if not base:
        sys.exit(f"{path}: empty knowledge base")
    return base


def load_places(path: Path) -> list[dict]:
    """Communes and wards with their province, in file order."""
    if not path.is_file():
        sys.exit(f"{path}: no such file (pass --areas; it lives in shared/data/areas/)")
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    provinces = {}
    for r in rows:
        if r["level"] == "province":
            provinces[r["code"]] = re.sub(r"^Thành phố ", "", r["name"])
    places = []
    for r in rows:
        if r["level"] != "commune" or r["parent_code"] not in provinces:
            continue
        kind = r["division_type"]
        name = r["name"]
        bare = name[len(kind) + 1:] if name.lower().startswith(kind + " ") else name
        places.append({"code": r["code"], "c": f"{kind} {bare}", "n": bare,
                       "p": provinces[r["parent_code"]]})
    return places


def local_answer(base: dict, place: dict, rng: random.Random) -> str:
    prefix = base["id"].split(".", 1)[0]
    office = OFFICES.get(prefix, DEFAULT_OFFICE).format(c=place["c"], p=place["p"])
    street = rng.choice(STREETS)
    number = rng.randint(1, 250)
    phone = (f"02{rng.randint(0, 9)}{rng.randint(0, 9)} "
             f"{rng.randint(100, 999)} {rng.randint(1000, 9999)}")
    return (f"{base['answer']} Tại {place['c']} ({place['p']}): hồ sơ tiếp nhận tại {office}, "
            f"số {number} đường {street}; điện thoại {phone}; giờ làm việc {rng.choice(HOURS)}.")


def generate(n: int, n_questions: int, base: list[dict], places: list[dict], seed: int):
    rng = random.Random(seed)
    per_base = [n // len(base) + (1 if i < n % len(base) else 0) for i in range(len(base))]
    if max(per_base) > len(places):
        sys.exit(f"{n} intents need {max(per_base)} places per base intent; "
                 f"there are {len(places)}")

    intents, held_out, same_name = [], {}, {}
    for b, count in zip(base, per_base):
        chosen = rng.sample(places, count)
        names = [p["n"] for p in chosen]
        for place in chosen:
            # A commune name that another variant of the same base shares (Tân Phú, Long Bình...)
            # must come with its province, in training texts and questions alike.
            ambiguous = names.count(place["n"]) > 1
            examples = list(b.get("examples") or [])
            rng.shuffle(examples)
            # Keep one base example out of training; the questions under test are built from it.
            held = examples.pop() if len(examples) > 1 else b["question"]
            pool = [t for t in EXAMPLE_TEMPLATES if "{p}" in t] if ambiguous else EXAMPLE_TEMPLATES
            templates = pick(rng, pool, len(examples))
            intent_id = f"{b['id']}.{place['code']}"
            intents.append({
                "id": intent_id,
                "topic": b["topic"],
                "question": f"{capitalise(place['c'])}, {place['p']}: {lower_first(b['question'])}",
                "answer": local_answer(b, place, rng),
                "examples": [fill(t, x, place) for t, x in zip(templates, examples)],
            })
            held_out[intent_id] = (held, place)
            same_name[intent_id] = ambiguous

    rng.shuffle(intents)  # interleave bases, as agencies' FAQs would be loaded

    questions = []
    in_scope = n_questions // 2
    for intent in rng.sample(intents, min(in_scope, len(intents))):
        held, place = held_out[intent["id"]]
        templates = [t for t in QUESTION_TEMPLATES if "{p}" in t] if same_name[intent["id"]] \
            else QUESTION_TEMPLATES
        q = fill(rng.choice(templates), held, place)
        questions.append({"q": q, "intent": intent["id"], "kind": "in_scope"})
    seen = set()
    wanted = n_questions - len(questions)
    for attempt in range(100 * wanted):
        if len(questions) == n_questions:
            break
        if rng.random() < 0.2:
            x = rng.choice(OFF_TOPIC_UNPLACED)
        else:
            x = rng.choice(OFF_TOPIC_REQUESTS)
            if rng.random() < 0.7:
                x = fill(rng.choice(PLACED_OFF_TOPIC_TEMPLATES), x, rng.choice(places))
        # Past a hundred tries per question the list is exhausted: repeats are then allowed.
        if casual(x) in seen and attempt < 50 * wanted:
            continue
        seen.add(casual(x))
        questions.append({"q": x, "intent": None, "kind": "out_of_scope"})
    for q in questions:
        style = "no_diacritics" if rng.random() < NO_DIACRITICS_SHARE else "standard"
        if style == "no_diacritics":
            q["q"] = casual(q["q"])
        q["style"] = style
    rng.shuffle(questions)
    questions = [{"q": q["q"], "intent": q["intent"], "style": q["style"], "kind": q["kind"]}
                 for q in questions]
    return intents, questions


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("n", type=int, help="number of intents to generate")
    p.add_argument("out", type=Path, help="knowledge base to write (JSON Lines)")
    p.add_argument("--questions", type=int, default=500, help="questions to write (default 500)")
    p.add_argument("--seed", type=int, default=20250701)
    p.add_argument("--base", type=Path, default=DEFAULT_BASE, help="default: %(default)s")
    p.add_argument("--areas", type=Path, default=DEFAULT_AREAS, help="default: %(default)s")
    args = p.parse_args(argv)
    if args.n < 1 or args.questions < 0:
        p.error("N must be at least 1 and --questions at least 0")

    base = load_base(args.base)
    places = load_places(args.areas)
    intents, questions = generate(args.n, args.questions, base, places, args.seed)

    name = args.out.name[:-len(".jsonl")] if args.out.name.endswith(".jsonl") else args.out.name
    questions_path = args.out.with_name(name + ".questions.jsonl")
    write_jsonl(args.out, intents)
    write_jsonl(questions_path, questions)
    n_in = sum(q["intent"] is not None for q in questions)
    print(f"wrote {args.out} ({len(intents)} intents from {len(base)} base intents x "
          f"{len({i['id'].rsplit('.', 1)[1] for i in intents})} places) and {questions_path} "
          f"({len(questions)} questions: {n_in} in scope, {len(questions) - n_in} out of scope)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
