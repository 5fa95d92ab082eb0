#!/usr/bin/env bash
# Creates the Python virtual environment the chatbot baseline (tools/bot/baseline.py) runs in and
# installs the pinned packages of tools/bot/requirements.txt, only when they are not already there.
# Prints the venv's python path as its last stdout line, so callers can do
#   PY=$(tools/bot/setup-venv.sh | tail -n1)
#
# Environment:
#   KETNOI_BOT_VENV  where the venv lives (default target/bot-venv, relative to the repo root)
#   PYTHON           the interpreter that creates it (default python3)
set -euo pipefail

cd "$(dirname "$0")/../.."
venv="${KETNOI_BOT_VENV:-target/bot-venv}"
requirements="tools/bot/requirements.txt"
base_python="${PYTHON:-python3}"

die() { echo "setup-venv: $*" >&2; exit 1; }

command -v "$base_python" >/dev/null \
    || die "no '$base_python' on PATH (set PYTHON to a CPython 3.10+)"

if [ ! -x "$venv/bin/python" ]; then
    echo "setup-venv: creating $venv with $("$base_python" --version 2>&1)" >&2
    mkdir -p "$(dirname "$venv")"
    "$base_python" -m venv "$venv" \
        || die "'$base_python -m venv' failed (on Debian: apt-get install python3-venv)"
fi
py="$venv/bin/python"

# Exit status 0 when every pinned distribution is installed at its pinned version.
pins_satisfied() {
    "$py" - "$requirements" <<'PY'
import sys
from importlib import metadata

missing = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, _, want = line.partition("==")
    try:
        have = metadata.version(name)
    except metadata.PackageNotFoundError:
        have = None
    if have != want:
        missing.append(f"{name}=={want} (have {have or 'none'})")
if missing:
    print("setup-venv: to install: " + ", ".join(missing), file=sys.stderr)
    sys.exit(1)
PY
}

if ! pins_satisfied; then
    "$py" -m pip install --disable-pip-version-check --quiet -r "$requirements" >&2 \
        || die "pip install -r $requirements failed"
    pins_satisfied || die "packages still not at their pinned versions after pip install"
fi

echo "$(cd "$(dirname "$py")" && pwd)/$(basename "$py")"
