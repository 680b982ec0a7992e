#!/usr/bin/env bash
# Runs `exemplar run` (the committed cases and their behaviour checks against the embedded
# reference mock) several times in a row, optionally with busy loops beside it, and stops at
# the first run that does not pass every case. A flaky behaviour check shows here.
#
# usage: benches/repeat_run.sh [RUNS] [BUSY_LOOPS] [-- EXTRA RUN OPTIONS]
#   RUNS        runs in a row that must pass (default 20)
#   BUSY_LOOPS  CPU-bound shell loops beside the runs (default 0)
#   BIN         the exemplar binary (default: target/release/exemplar, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-20}"
busy="${2:-0}"
shift $(( $# > 2 ? 2 : $# ))
[ "${1:-}" = "--" ] && shift
if [ -z "${BIN:-}" ]; then
    cargo build --release --locked --quiet --bin exemplar
    BIN=target/release/exemplar
fi

loops=()
log="$(mktemp)"
cleanup() {
    for pid in "${loops[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -f "$log"
}
trap cleanup EXIT
for _ in $(seq 1 "$busy"); do
    (while :; do :; done) &
    loops+=("$!")
done
for i in $(seq 1 "$runs"); do
    if ! "$BIN" run "$@" >"$log" 2>&1; then
        echo "run $i of $runs failed:" >&2
        cat "$log" >&2
        exit 1
    fi
    line="$(grep -E '^ +cases ' "$log" | sed 's/^ *//')"
    case "$line" in
        # The whole line: a count after `skipped` (cases not run) is not a pass either.
        *" 0 deviated, 0 errors, 0 skipped") echo "run $i: $line" ;;
        *) echo "run $i of $runs did not pass every case: $line" >&2; exit 1 ;;
    esac
done
echo "$runs runs in a row passed every case (busy loops beside: $busy)"
