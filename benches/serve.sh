#!/usr/bin/env bash
# Benchmark of `scaffold serve` on loopback: requests per second and latency percentiles for
# POST /api/recommend and GET /starter.zip (FastAPI and the hybrid) at 64 concurrent
# clients, with wrk (`apt-get install wrk`), a bounded duration per endpoint, and the
# server's peak resident memory (VmHWM). Builds scaffold in release mode first.
#
#   bash benches/serve.sh                  # 10 s per endpoint
#   DURATION=30s bash benches/serve.sh     # longer runs
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
cargo build --release --quiet
bin="$PWD/target/release/scaffold"
duration=${DURATION:-10s}
clients=64
threads=2
work=$(mktemp -d)
log="$work/server.log"
"$bin" serve --addr 127.0.0.1:0 2>"$log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$log" && break
  sleep 0.1
done
url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1)
[ -n "$url" ] || { echo "the server did not start: $(cat "$log")" >&2; exit 1; }

cat > "$work/recommend.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"needs":"realtime,ml,api","team":"js"}'
wrk.headers["Content-Type"] = "application/json"
LUA

# One request at a time: the time to answer one zip (median and worst of 20).
for q in "name=shop&stack=fastapi" "name=hub&stack=hybrid"; do
  for _ in $(seq 20); do
    curl -s -o "$work/one.zip" -w "%{time_total} %{size_download}\n" "$url/starter.zip?$q"
  done | sort -n | awk -v q="$q" '{ t[NR] = $1; b = $2 } END {
    printf "GET /starter.zip?%s alone: median %.1f ms, worst %.1f ms, %d bytes\n", q, t[10] * 1000, t[20] * 1000, b }'
done

run() {
  local label=$1; shift
  echo
  echo "== $label: $clients clients, $duration"
  wrk -t"$threads" -c"$clients" -d"$duration" --latency "$@" | grep -E "Requests/sec|Transfer/sec|50%|90%|99%|requests in|Non-2xx|Socket errors"
}
run "POST /api/recommend" -s "$work/recommend.lua" "$url/api/recommend"
run "GET /starter.zip (fastapi, 45 files)" "$url/starter.zip?name=shop&stack=fastapi"
run "GET /starter.zip (hybrid, 104 files)" "$url/starter.zip?name=hub&stack=hybrid"
run "GET / (the page)" "$url/"

echo
echo "server peak memory: $(grep VmHWM /proc/$pid/status | awk '{printf "%.1f MiB\n", $2/1024}')"
kill -TERM "$pid"
wait "$pid" && echo "server stopped with exit 0"
