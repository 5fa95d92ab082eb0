#!/usr/bin/env bash
# The chatbot's accuracy and speed figures, each beside its reference measured in the same run:
#
#   tools/bench-bot.sh [--no-build] [--intents N] [--oos FILE]
#
# 1. sets up the baseline's Python venv (tools/bot/setup-venv.sh, pinned scikit-learn);
# 2. builds the release binary (`cargo build --release -p ketnoi`; CARGO_TARGET_DIR respected);
# 3. runs `ketnoi bot eval` and the TF-IDF + logistic-regression baseline (tools/bot/baseline.py,
#    calibrated with the shipped out-of-scope set) on the sample knowledge base and dev questions,
#    then on crates/ketnoi-bot/data/validation.jsonl when it exists, and on the report-only
#    crates/ketnoi-bot/data/unseen.jsonl (questions written from each intent's question and
#    answer alone; never tuned on);
# 4. generates an N-intent knowledge base (default 5000) with tools/bot/gen_big_kb.py and runs
#    `ketnoi bot eval` on it for build time and latency at scale (the baseline is not run there:
#    a 5000-class fit holds 4 GB and takes ~2 s per L-BFGS iteration here, and the calibration fits
#    five models, so tens of minutes);
# 5. prints a markdown table of the figures and the commands that made them.
#
# Raw outputs land in target/bot-bench/ (each run's full stdout, and its last line as .json).
# --no-build uses the binary already built; --oos calibrates the baseline on another
# out-of-scope set than the shipped one.
set -euo pipefail

cd "$(dirname "$0")/.."

die() { echo "bench-bot: $*" >&2; exit 1; }

build=1
intents=5000
oos=crates/ketnoi-bot/data/out_of_scope.jsonl
invocation="tools/bench-bot.sh${*:+ $*}"
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --intents) [ $# -ge 2 ] || die "--intents needs a number"; intents=$2; shift ;;
        --oos) [ $# -ge 2 ] || die "--oos needs a file"; oos=$2; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
[[ "$intents" =~ ^[1-9][0-9]*$ ]] || die "--intents must be a positive number, not '$intents'"

kb=../shared/data/chatbot/kb.jsonl
dev=../shared/data/chatbot/dev.jsonl
validation=crates/ketnoi-bot/data/validation.jsonl
unseen=crates/ketnoi-bot/data/unseen.jsonl
bin="${CARGO_TARGET_DIR:-target}/release/ketnoi"
out=target/bot-bench
big_kb="$out/kb-$intents.jsonl"
big_questions="$out/kb-$intents.questions.jsonl"

[ -f "$kb" ] && [ -f "$dev" ] \
    || die "no $kb or $dev: the shared data must sit beside the checkout (../shared)"
[ -f "$oos" ] \
    || die "no out-of-scope set at $oos: the baseline's hand-off threshold is calibrated on it"
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.txt

echo "== Python venv for the baseline" >&2
py=$(tools/bot/setup-venv.sh | tail -n1)
[ -x "$py" ] || die "setup-venv.sh printed '$py', which is not an executable python"
py=${py#"$PWD/"}  # shorter in the report's command lines

if [ "$build" = 1 ]; then
    echo "== cargo build --release -p ketnoi" >&2
    cargo build --release -p ketnoi
fi
[ -x "$bin" ] || die "no binary at $bin (build it, or drop --no-build)"
if ! "$bin" bot eval --help >/dev/null 2>&1; then
    die "$bin has no 'bot eval' command: this benchmark needs the chatbot engine wired into" \
        "the CLI as 'ketnoi bot eval --kb KB --questions Q [--by FIELD]'"
fi

commands="$out/commands.txt"
: > "$commands"
# record COMMAND...: notes a command line for the report, quoted so it can be pasted back.
record() {
    local line
    line=$(printf '%q ' "$@")
    echo "${line% }" >> "$commands"
}
# run NAME COMMAND...: runs it with stdout shown and kept in $out/NAME.txt, its last line (the
# JSON summary) in $out/NAME.json, and the command line recorded for the report.
run() {
    local name=$1
    shift
    record "$@"
    echo "== $name: $(tail -n1 "$commands")" >&2
    if ! "$@" | tee "$out/$name.txt"; then
        die "$name failed (command: $(tail -n1 "$commands"))"
    fi
    tail -n1 "$out/$name.txt" > "$out/$name.json"
    "$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert isinstance(d, dict)' \
        "$out/$name.json" 2>/dev/null \
        || die "$name: the last line of its output is not a JSON object (see $out/$name.txt)"
}

run dev.ketnoi "$bin" bot eval --kb "$kb" --questions "$dev" --by style
run dev.baseline "$py" tools/bot/baseline.py --kb "$kb" --questions "$dev" --oos "$oos" --by style

# both NAME FILE: ketnoi and the baseline on an optional question set, when it exists.
both() {
    if [ -f "$2" ]; then
        run "$1.ketnoi" "$bin" bot eval --kb "$kb" --questions "$2" --by style
        run "$1.baseline" "$py" tools/bot/baseline.py --kb "$kb" --questions "$2" --oos "$oos" --by style
    else
        echo "== no $2: skipping the $1 set" >&2
    fi
}
both validation "$validation"
both unseen "$unseen"

echo "== the same questions with and without diacritics" >&2
pairs="$out/dev.pairs.jsonl"
record "$py" tools/bot/fold_pairs.py "$dev" "$pairs"
"$py" tools/bot/fold_pairs.py "$dev" "$pairs"
run pairs.ketnoi "$bin" bot eval --kb "$kb" --questions "$pairs" --by form
run pairs.baseline "$py" tools/bot/baseline.py --kb "$kb" --questions "$pairs" --oos "$oos" --by form

echo "== generating a $intents-intent knowledge base" >&2
record "$py" tools/bot/gen_big_kb.py "$intents" "$big_kb"
"$py" tools/bot/gen_big_kb.py "$intents" "$big_kb" >&2
run big.ketnoi "$bin" bot eval --kb "$big_kb" --questions "$big_questions" --by style

echo >&2
"$py" tools/bot/bench_report.py "$out" "$invocation"
