#!/usr/bin/env bash
# Issue 12 §5 and "Show it": through `docket serve`, measured in one run on one store:
#   1. durable commands/s (internal comments, each its own fsync'd command) with 1, 8 and 64 concurrent HTTP
#      clients (wrk), group commit on and off, next to raw LMDB committing one event per durable transaction;
#   2. `docket ticket open` p50/p99 as whole client processes: embedded, through the Unix socket, through HTTP.
# Usage: Benchmarks/server-bench.sh [DOCKET_BINARY] [RAW_LMDB_BINARY]
# (defaults: .build-bench-server/release/docket and Benchmarks/.build/release/raw-lmdb; build them with
#  swift build -c release --product docket --scratch-path .build-bench-server
#  (cd Benchmarks && swift build -c release --product raw-lmdb))
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKET=${1:-.build-bench-server/release/docket}
RAW=${2:-Benchmarks/.build/release/raw-lmdb}
WORK=$(mktemp -d /tmp/docket-server-bench.XXXXXX)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
export DOCKET_STORE=$WORK/store DOCKET_USER=$(id -un)
$DOCKET init --admin "$DOCKET_USER" >/dev/null
$DOCKET client add acme --name Acme --time-zone UTC --currency USD >/dev/null
for n in $(seq 1 64); do $DOCKET ticket open --client acme --subject "bench $n" >/dev/null; done
TOKEN=$($DOCKET token create --name bench)

cat > "$WORK/comment.lua" <<LUA
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
local counter = 0
function request()
  counter = counter + 1
  local per = math.floor(64 / tonumber(os.getenv("WRK_THREADS")))
  local ticket = 1001 + (id - 1) * per + (counter % per)
  return wrk.format("POST", "/v1/tickets/T-" .. ticket .. "/comments",
    {["Authorization"] = "Bearer $TOKEN", ["Content-Type"] = "application/json"},
    '{"text":"bench ' .. id .. '-' .. counter .. '","internal":true}')
end
LUA

serve() {
  $DOCKET serve --listen 127.0.0.1:18650 "$@" > "$WORK/serve.out" 2> "$WORK/serve.err" &
  SERVER=$!
  for _ in $(seq 1 100); do grep -q "http://" "$WORK/serve.out" 2>/dev/null && return; sleep 0.1; done
  echo "server did not start" >&2; cat "$WORK/serve.err" >&2; exit 1
}
stop() { kill -TERM $SERVER; wait $SERVER || true; }

echo "== durable commands/s (ticket comment --internal, one command each, fsync'd) =="
for mode in group single; do
  if [ $mode = group ]; then serve --no-socket; else serve --no-socket --no-group-commit; fi
  for clients in 1 8 64; do
    threads=$(( clients < 2 ? 1 : 2 ))
    out=$(WRK_THREADS=$threads wrk -t $threads -c $clients -d 5s --timeout 30s --latency -s "$WORK/comment.lua" http://127.0.0.1:18650)
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}'); p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    errors=$(echo "$out" | grep -E "Non-2xx|Socket errors" || true)
    echo "server ($mode commit) $clients clients: $rps commands/s, latency p50 $p50 p99 $p99 ${errors:+($errors)}"
  done
  stop
done
$RAW commit "$WORK/raw" 2000 373 | sed 's/^/reference: /'

echo "== ticket open, whole client process (p50/p99 of 100) =="
python3 - "$DOCKET" "$WORK" "$TOKEN" <<'PY'
import os, subprocess, sys, time
docket, work, token = sys.argv[1:4]
def measure(label, env, n=100):
    args = [docket, "ticket", "open", "--client", "acme", "--subject", "latency"]
    subprocess.run(args, env=env, stdout=subprocess.DEVNULL)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        r = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append((time.perf_counter() - t) * 1000)
        if r.returncode != 0:
            print(label, "FAILED", r.stderr[:200]); return
    times.sort()
    print(f"{label:28s} p50 {times[n // 2]:6.1f} ms   p99 {times[min(n - 1, int(n * 0.99))]:6.1f} ms")
base = dict(os.environ)
measure("embedded", base)
proc = subprocess.Popen([docket, "serve", "--listen", "127.0.0.1:18651"], env=base, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
for _ in range(2): proc.stdout.readline()
sock = dict(base, DOCKET_SERVER=work + "/store/docket.sock")
http = dict(base, DOCKET_SERVER="http://127.0.0.1:18651", DOCKET_TOKEN=token)
measure("through the Unix socket", sock)
measure("through HTTP (token)", http)
proc.terminate(); proc.wait()
PY
