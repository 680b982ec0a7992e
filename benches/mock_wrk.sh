#!/usr/bin/env bash
# Throughput of the reference mock against a minimal axum hello-world, measured with wrk
# in the same run on the same machine, plus the time generateKey takes for an RSA key.
#
#   benches/mock_wrk.sh            # 30 s per server, 64 connections, 2 wrk threads
#   DURATION=10s benches/mock_wrk.sh
#
# Pass: the mock serves GET /beta/trustFramework/keySets/{id} at no less than half the
# hello-world's requests per second, with no socket errors and no non-2xx answers, and
# every RSA generateKey request finishes in under a second. Exit status 0 on pass, 1 on
# fail. Everything runs on 127.0.0.1; servers are release builds.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
RSA_REQUESTS=${RSA_REQUESTS:-20}
OUT=${OUT:-target/bench}
mkdir -p "$OUT"

if ! command -v wrk >/dev/null; then
  echo "wrk not found; installing the Debian package" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk >/dev/null
fi

cargo build --release --quiet --bin exemplar --example hello_axum

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
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
start "$OUT/hello.log" target/release/examples/hello_axum 127.0.0.1:0
HELLO_URL=$URL
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$HELLO_URL/" | tee "$OUT/hello.txt"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

echo "== exemplar serve: GET /beta/trustFramework/keySets/{id} ($DURATION, $CONNECTIONS connections)"
start "$OUT/mock.log" target/release/exemplar serve --bind 127.0.0.1:0
MOCK_URL=$URL
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

echo "== generateKey (RSA 2048), $RSA_REQUESTS sequential requests"
: >"$OUT/rsa.txt"
for _ in $(seq "$RSA_REQUESTS"); do
  curl -sf -o /dev/null -w '%{time_total}\n' -H "$AUTH" -H "$JSON" -d '{"use":"sig","kty":"RSA"}' \
    "$MOCK_URL/beta/trustFramework/keySets/B2C_1A_bench/generateKey" >>"$OUT/rsa.txt"
done
RSA_SUMMARY=$(sort -n "$OUT/rsa.txt" | awk '{v[NR]=$1; s+=$1} END {printf "min %.3f s, median %.3f s, mean %.3f s, max %.3f s", v[1], v[int((NR+1)/2)], s/NR, v[NR]}')
RSA_MAX=$(sort -n "$OUT/rsa.txt" | tail -1)

HELLO_RPS=$(rps "$OUT/hello.txt"); MOCK_RPS=$(rps "$OUT/mock.txt")
HELLO_ERR=$(errors "$OUT/hello.txt"); MOCK_ERR=$(errors "$OUT/mock.txt")
RATIO=$(awk -v m="$MOCK_RPS" -v h="$HELLO_RPS" 'BEGIN {printf "%.2f", m / h}')
echo
echo "hello_axum     : $HELLO_RPS req/s, $HELLO_ERR errors"
echo "exemplar serve : $MOCK_RPS req/s, $MOCK_ERR errors (ratio $RATIO, need >= 0.50)"
echo "generateKey RSA: $RSA_SUMMARY (need max < 1 s)"

status=0
awk -v r="$RATIO" 'BEGIN {exit !(r >= 0.5)}' || { echo "FAIL: mock below half of hello-world" >&2; status=1; }
[ "$MOCK_ERR" -eq 0 ] || { echo "FAIL: the mock answered with errors" >&2; status=1; }
awk -v m="$RSA_MAX" 'BEGIN {exit !(m < 1.0)}' || { echo "FAIL: an RSA generateKey took 1 s or more" >&2; status=1; }
exit $status
