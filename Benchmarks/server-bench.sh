#!/usr/bin/env bash
# Issue 12 §5 and "Show it": through `docket serve`, measured in one run on one store:
#   1. durable commands/s (internal comments, each its own fsync'd command) with 1, 8 and 64 concurrent HTTP
#      clients (wrk), group commit on and off, with the server's CPU per command and the commands per durable
#      transaction, next to raw LMDB committing one event per durable transaction (and its CPU);
#   2. `ticket open` p50/p99 as whole client processes, with each client process's CPU and the server's CPU per
#      request: embedded; through the Unix socket and HTTP with the `docket` CLI as the client and with curl as the
#      client; next to the start-up floors (a bare Swift process, a Foundation hello-world, curl and the docket
#      client each failing to reach a server, and the embedded CLI failing on a missing store after parsing its
#      command line, which is what a client did before it stopped parsing: Sources/DocketClient), also as
#      `perf stat` task-clock;
#   3. one durable LMDB commit alone (raw-lmdb commit: its p50/p99 wall time, the disk's fsync floor).
# Usage: Benchmarks/server-bench.sh [DOCKET_BINARY] [RAW_LMDB_BINARY] [BARE_SWIFT_BINARY]
# (defaults: .build-bench-static/release/docket, Benchmarks/.build/release/raw-lmdb and bare-swift; build them with
#  swift build -c release --product docket --static-swift-stdlib --experimental-lto-mode=full --scratch-path .build-bench-static
#  (cd Benchmarks && swift build -c release --product raw-lmdb && swift build -c release --product bare-swift))
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKET=$(realpath "${1:-.build-bench-static/release/docket}")
RAW=$(realpath "${2:-Benchmarks/.build/release/raw-lmdb}")
BARE=$(realpath "${3:-Benchmarks/.build/release/bare-swift}")
WORK=$(mktemp -d /tmp/server-bench.XXXXXX)
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
export DOCKET_STORE=$WORK/store DOCKET_USER=$(id -un)
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
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
  rm -f "$WORK/serve.out"
  $DOCKET serve --listen 127.0.0.1:18650 "$@" > "$WORK/serve.out" 2> "$WORK/serve.err" &
  SERVER=$!
  for _ in $(seq 1 100); do grep -q "http://" "$WORK/serve.out" 2>/dev/null && return; sleep 0.1; done
  echo "server did not start" >&2; cat "$WORK/serve.err" >&2; exit 1
}
stop() { kill -TERM $SERVER; wait $SERVER || true; SERVER=; }
# The server's CPU so far (user + system), in clock ticks.
ticks() { awk '{print $14 + $15}' /proc/$SERVER/stat; }
gauge() { curl -s http://127.0.0.1:18650/metrics | awk -v name="$1" '$1 == name {print $2}'; }

echo "== durable commands/s (ticket comment --internal, one command each, fsync'd) =="
HZ=$(getconf CLK_TCK)
for mode in group single; do
  if [ $mode = group ]; then serve --no-socket; else serve --no-socket --no-group-commit; fi
  for clients in 1 8 64; do
    threads=$(( clients < 2 ? 1 : 2 ))
    before=$(ticks); commands0=$(gauge docket_group_commit_commands); txns0=$(gauge docket_group_commit_transactions)
    out=$(WRK_THREADS=$threads wrk -t $threads -c $clients -d 5s --timeout 30s --latency -s "$WORK/comment.lua" http://127.0.0.1:18650)
    after=$(ticks); commands1=$(gauge docket_group_commit_commands); txns1=$(gauge docket_group_commit_transactions)
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    total=$(echo "$out" | awk '/requests in/ {print $1}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}'); p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    errors=$(echo "$out" | grep -E "Non-2xx|Socket errors" || true)
    cpu=$(awk -v t=$((after - before)) -v n="$total" -v hz=$HZ 'BEGIN {printf "%.2f", t * 1000 / hz / n}')
    batch=$(awk -v c=$((${commands1%.*} - ${commands0%.*})) -v x=$((${txns1%.*} - ${txns0%.*})) 'BEGIN {if (x > 0) printf "%.1f", c / x; else print "-"}')
    echo "server ($mode commit) $clients clients: $rps commands/s, latency p50 $p50 p99 $p99, server CPU $cpu ms/command, $batch commands/transaction ${errors:+($errors)}"
  done
  stop
done
/usr/bin/time -f "reference CPU: %U s user + %S s system, %e s wall" $RAW commit "$WORK/raw" 2000 373 2>&1 | sed 's/^/reference: /'

echo "== ticket open, whole client process (p50/p99 of 100; client CPU = user + system of the client process) =="
cat > "$WORK/hello.swift" <<'SWIFT'
import Foundation
print("ok \(ProcessInfo.processInfo.processIdentifier)")
SWIFT
swiftc -O -static-stdlib "$WORK/hello.swift" -o "$WORK/foundation-hello" 2>/dev/null || swiftc -O "$WORK/hello.swift" -o "$WORK/foundation-hello"
python3 - "$DOCKET" "$WORK" "$TOKEN" "$BARE" <<'PY'
import os, subprocess, sys, time
docket, work, token, bare = sys.argv[1:5]
server = None
def server_ticks():
    if server is None: return 0
    with open(f"/proc/{server.pid}/stat") as f: fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])
def run(args, env):
    t = time.perf_counter()
    p = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - t) * 1000
    return wall, (usage.ru_utime + usage.ru_stime) * 1000, os.waitstatus_to_exitcode(status), err
def measure(label, args, env, n=100, expect_ok=True):
    run(args, env)
    walls, cpus = [], []
    t0 = server_ticks()
    for _ in range(n):
        wall, cpu, code, err = run(args, env)
        if expect_ok and code != 0:
            print(label, "FAILED", code, err[:300]); return
        walls.append(wall); cpus.append(cpu)
    served = (server_ticks() - t0) * 1000 / os.sysconf("SC_CLK_TCK") / n
    walls.sort(); cpus.sort()
    extra = f"   server CPU {served:5.2f} ms/request" if server is not None and label.startswith("ticket open") else ""
    print(f"{label:46s} p50 {walls[n // 2]:6.1f} ms   p99 {walls[min(n - 1, int(n * 0.99))]:6.1f} ms   "
          f"client CPU p50 {cpus[n // 2]:5.1f} ms{extra}")
base = dict(os.environ)
measure("bare Swift process (stdlib only)", [bare], base)
measure("Foundation hello-world", [work + "/foundation-hello"], base)
startups = [
    ("docket client start-up (no server there)", [docket, "ticket", "open", "--client", "acme", "--subject", "x"],
     dict(base, DOCKET_SERVER=work + "/nowhere.sock")),
    ("docket embedded, parse then no store", [docket, "ticket", "open", "--client", "acme", "--subject", "x"],
     dict(base, DOCKET_STORE=work + "/nowhere")),
    ("curl start-up (no server there)", ["curl", "-s", "--unix-socket", work + "/nowhere.sock", "http://docket/v1/tickets"], base),
]
for label, args, env in startups:
    measure(label, args, env, expect_ok=False)
open_args = [docket, "ticket", "open", "--client", "acme", "--subject", "latency"]
measure("ticket open, embedded", open_args, base)
server = subprocess.Popen([docket, "serve", "--listen", "127.0.0.1:18651"], env=base, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
for _ in range(2): server.stdout.readline()
sock = work + "/store/docket.sock"
measure("ticket open, docket CLI, Unix socket", open_args, dict(base, DOCKET_SERVER=sock))
measure("ticket open, docket CLI, HTTP (token)", open_args, dict(base, DOCKET_SERVER="http://127.0.0.1:18651", DOCKET_TOKEN=token))
body = '{"client":"acme","subject":"latency"}'
curl = ["curl", "-sf", "-o", "/dev/null", "-X", "POST", "-H", "Content-Type: application/json", "--data", body]
measure("ticket open, curl, Unix socket", curl + ["--unix-socket", sock, "http://docket/v1/tickets"], base)
measure("ticket open, curl, HTTP (token)", curl + ["-H", "Authorization: Bearer " + token, "http://127.0.0.1:18651/v1/tickets"], base)
server.terminate(); server.wait()
for label, args, env in [("bare Swift process", [bare], base)] + startups:
    out = subprocess.run(["perf", "stat", "-x,", "-e", "task-clock", "-r", "50"] + args, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True).stderr
    line = next((l for l in out.splitlines() if "task-clock" in l), "")
    fields = line.split(",")
    print(f"perf stat task-clock (50 runs), {label:40s} {fields[0] if fields else '?'} ms (+- {fields[3] if len(fields) > 3 else '?'})")
PY
echo "== one durable LMDB commit alone (fsync), this disk =="
$RAW commit "$WORK/raw-one" 500 373 | sed 's/^/reference: /'
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
