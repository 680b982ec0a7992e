#!/usr/bin/env bash
# Throughput of the reference mock against a minimal axum hello-world, measured with wrk
# in the same run on the same machine, plus RSA generateKey with the machine busy.
#
#   benches/mock_wrk.sh            # 30 s per server, 64 connections, 2 wrk threads
#   DURATION=10s benches/mock_wrk.sh
#
# Pass: the mock serves GET /beta/trustFramework/keySets/{id} at no less than half the
# hello-world's requests per second, with no socket errors and no non-2xx answers; once
# the RSA key pool has filled after start, RSA_REQUESTS (20) sequential RSA generateKey
# requests with a CPU load beside them (one busy loop per core) have a p95 under 200 ms;
# and DRAIN_REQUESTS (40) more, sent DRAIN_PARALLEL (4) at a time so the pool drains, all
# succeed (they slow down to generation time). Exit status 0 on pass, 1 on fail.
# Everything runs on 127.0.0.1; servers are release builds.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
RSA_REQUESTS=${RSA_REQUESTS:-20}
DRAIN_REQUESTS=${DRAIN_REQUESTS:-40}
DRAIN_PARALLEL=${DRAIN_PARALLEL:-4}
LOADERS=${LOADERS:-$(nproc)}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=${OUT:-$TARGET/bench}
mkdir -p "$OUT"

if ! command -v wrk >/dev/null; then
  echo "wrk not found; installing the Debian package" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk >/dev/null
fi

cargo build --release --quiet --bin exemplar --example hello_axum

PIDS=()
LOAD_PIDS=()
cleanup() {
  for pid in "${LOAD_PIDS[@]}" "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# Starts a server that prints "... listening on http://ADDR" on stderr; sets URL.
start() {
  local log=$1; shift
  "$@" 2>"$log" &
  PIDS+=($!)
  for _ in $(seq 100); do
    URL=$(grep -o 'http://[0-9.:]*' "$log" | head -1 || true)
    [ -n "$URL" ] && return 0
    sleep 0.1
  done
  echo "server did not start: $*" >&2; cat "$log" >&2; exit 1
}

# Requests/sec and error counts from a wrk report.
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
errors() {
  local socket non2xx
  socket=$(awk '/Socket errors:/ {gsub(",", ""); s=$4+$6+$8+$10} END {print s+0}' "$1")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5} END {}' "$1")
  echo $(( socket + ${non2xx:-0} ))
}

echo "== hello_axum: GET / ($DURATION, $CONNECTIONS connections, $THREADS threads)"
start "$OUT/hello.log" "$TARGET/release/examples/hello_axum" 127.0.0.1:0
HELLO_URL=$URL
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$HELLO_URL/" | tee "$OUT/hello.txt"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

echo "== exemplar serve: GET /beta/trustFramework/keySets/{id} ($DURATION, $CONNECTIONS connections)"
start "$OUT/mock.log" "$TARGET/release/exemplar" serve --bind 127.0.0.1:0
MOCK_URL=$URL
# The RSA key pool fills in the background after start; wait for it (at most 5 minutes).
for _ in $(seq 3000); do
  grep -q 'RSA key pool filled' "$OUT/mock.log" && break
  sleep 0.1
done
grep 'RSA key pool filled' "$OUT/mock.log" || { echo "the key pool did not fill" >&2; exit 1; }
AUTH="Authorization: Bearer bench"
JSON="Content-Type: application/json"
curl -sf "$MOCK_URL/beta/trustFramework/keySets" -H "$AUTH" -H "$JSON" -d '{"id":"bench"}' >/dev/null
# A realistic key set: one RSA key and one secret.
curl -sf "$MOCK_URL/beta/trustFramework/keySets/B2C_1A_bench/generateKey" -H "$AUTH" -H "$JSON" \
  -d '{"use":"sig","kty":"RSA"}' >/dev/null
curl -sf "$MOCK_URL/beta/trustFramework/keySets/B2C_1A_bench/uploadSecret" -H "$AUTH" -H "$JSON" \
  -d '{"use":"enc","k":"bench-secret"}' >/dev/null
echo "body: $(curl -sf "$MOCK_URL/beta/trustFramework/keySets/B2C_1A_bench" -H "$AUTH" | wc -c) bytes"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$AUTH" \
  "$MOCK_URL/beta/trustFramework/keySets/B2C_1A_bench" | tee "$OUT/mock.txt"

# One busy loop per core beside the requests: the machine is busy.
start_load() {
  for _ in $(seq "$LOADERS"); do
    ( while :; do :; done ) &
    LOAD_PIDS+=($!)
  done
}
stop_load() { for pid in "${LOAD_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; LOAD_PIDS=(); }

# Times one RSA generateKey: prints "SECONDS STATUS".
generate() {
  curl -s -o /dev/null -w '%{time_total} %{http_code}\n' -H "$AUTH" -H "$JSON" \
    -d '{"use":"sig","kty":"RSA"}' "$MOCK_URL/beta/trustFramework/keySets/B2C_1A_bench/generateKey"
}
export -f generate
export AUTH JSON MOCK_URL

# Summary of the first column of a file: min, median, p95, max.
summary() {
  sort -n "$1" | awk '{v[NR]=$1} END {
    p95 = v[int(NR * 0.95 + 0.999999)]; if (p95 == "") p95 = v[NR];
    printf "min %.3f s, median %.3f s, p95 %.3f s, max %.3f s", v[1], v[int((NR+1)/2)], p95, v[NR]}'
}
p95() { sort -n "$1" | awk '{v[NR]=$1} END {i=int(NR*0.95+0.999999); print (v[i]==""?v[NR]:v[i])}'; }

# The first RSA request above made the filler top the pool up again; wait until it is full.
sleep 5
echo "== generateKey (RSA 2048) from the filled pool: $RSA_REQUESTS sequential requests, $LOADERS busy loops beside"
start_load
: >"$OUT/rsa.txt"
for _ in $(seq "$RSA_REQUESTS"); do generate >>"$OUT/rsa.txt"; done
echo "== generateKey with the pool drained: $DRAIN_REQUESTS requests, $DRAIN_PARALLEL at a time"
seq "$DRAIN_REQUESTS" | xargs -P "$DRAIN_PARALLEL" -I{} bash -c generate >"$OUT/drain.txt"
stop_load
RSA_SUMMARY=$(summary "$OUT/rsa.txt")
RSA_P95=$(p95 "$OUT/rsa.txt")
RSA_FAILED=$(awk '$2 != 200' "$OUT/rsa.txt" | wc -l)
DRAIN_SUMMARY=$(summary "$OUT/drain.txt")
DRAIN_FAILED=$(awk '$2 != 200' "$OUT/drain.txt" | wc -l)

HELLO_RPS=$(rps "$OUT/hello.txt"); MOCK_RPS=$(rps "$OUT/mock.txt")
HELLO_ERR=$(errors "$OUT/hello.txt"); MOCK_ERR=$(errors "$OUT/mock.txt")
RATIO=$(awk -v m="$MOCK_RPS" -v h="$HELLO_RPS" 'BEGIN {printf "%.2f", m / h}')
echo
echo "hello_axum     : $HELLO_RPS req/s, $HELLO_ERR errors"
echo "exemplar serve : $MOCK_RPS req/s, $MOCK_ERR errors (ratio $RATIO, need >= 0.50)"
echo "generateKey RSA, pool filled, machine busy: $RSA_SUMMARY, $RSA_FAILED failed (need p95 < 0.200 s, none failed)"
echo "generateKey RSA, pool drained, machine busy: $DRAIN_SUMMARY, $DRAIN_FAILED of $DRAIN_REQUESTS failed (need none)"

status=0
awk -v r="$RATIO" 'BEGIN {exit !(r >= 0.5)}' || { echo "FAIL: mock below half of hello-world" >&2; status=1; }
[ "$MOCK_ERR" -eq 0 ] || { echo "FAIL: the mock answered with errors" >&2; status=1; }
awk -v m="$RSA_P95" 'BEGIN {exit !(m < 0.2)}' || { echo "FAIL: RSA generateKey p95 is 200 ms or more" >&2; status=1; }
[ "$RSA_FAILED" -eq 0 ] && [ "$DRAIN_FAILED" -eq 0 ] || { echo "FAIL: a generateKey request failed" >&2; status=1; }
exit $status
