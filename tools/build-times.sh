#!/usr/bin/env bash
# Clean and incremental debug build times of `cargo build --workspace --tests`, for this checkout
# and for an earlier revision side by side (issue 14's before/after figures came from this).
#
#   tools/build-times.sh REV            # e.g. tools/build-times.sh 7ab9d10
#
# Each side builds in a fresh target folder under a temporary directory, one after the other;
# then each side is rebuilt after a one-line edit to FEATURE_FILE and to KERNEL_FILE (paths in
# that side's tree; defaults are this tree's), twice. Edits are undone with git checkout.
set -euo pipefail
rev=${1:?usage: tools/build-times.sh REV}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'git -C "$here" worktree remove --force "$work/before" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$here" worktree add -q "$work/before" "$rev"
feature_before=${FEATURE_FILE_BEFORE:-crates/ketnoi-server/src/web/lookup_console.rs}
kernel_before=${KERNEL_FILE_BEFORE:-crates/ketnoi-server/src/error.rs}
feature_after=${FEATURE_FILE:-crates/ketnoi-server/src/features/lookups/console.rs}
kernel_after=${KERNEL_FILE:-crates/ketnoi-server/src/kernel/error.rs}
if ! git -C "$here" diff --quiet -- "$feature_after" "$kernel_after"; then
    echo "build-times: $feature_after or $kernel_after has uncommitted changes; commit or stash them first" >&2
    exit 1
fi

timed() { # dir target -> seconds
    local s e
    s=$(date +%s.%N)
    (cd "$1" && CARGO_TARGET_DIR="$2" cargo build --workspace --tests >/dev/null 2>&1)
    e=$(date +%s.%N)
    echo "$e - $s" | bc
}
edit_and_build() { # dir target file label
    echo "pub(crate) const _BUILD_TIMES_PROBE: u8 = 1;" >>"$1/$3"
    printf '%-8s %-14s %6.1f s\n' "$5" "$4" "$(timed "$1" "$2")"
    git -C "$1" checkout -q -- "$3"
}
printf '%-8s %-14s %6.1f s\n' before clean "$(timed "$work/before" "$work/t-before")"
printf '%-8s %-14s %6.1f s\n' after clean "$(timed "$here" "$work/t-after")"
for _ in 1 2; do
    edit_and_build "$work/before" "$work/t-before" "$feature_before" "feature edit" before
    edit_and_build "$work/before" "$work/t-before" "$kernel_before" "kernel edit" before
    edit_and_build "$here" "$work/t-after" "$feature_after" "feature edit" after
    edit_and_build "$here" "$work/t-after" "$kernel_after" "kernel edit" after
done
