#!/usr/bin/env bash
# Issue 13 §4: client portal page latency through `docket serve` on loopback. One store with client acme, contact
# carla signed in through a real sign-in link (from the outbox), 50 tickets and one with 10 public replies; wrk with
# 1 thread and 4 connections, DURATION per page (default 10s), sending carla's session cookie; /healthz alongside as
# the server's floor in the same run.
# Usage: Benchmarks/portal-bench.sh [DOCKET_BINARY] [DURATION]   (default .build/debug/docket, 10s)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-.build/debug/docket}")
DURATION=${2:-10s}
WORK=$(mktemp -d /tmp/docket-portal-bench.XXXXXX)
export DOCKET_STORE=$WORK/store DOCKET_USER=ann
d() { "$BIN" "$@"; }
d init --name Ann --email ann@msp.example >/dev/null
d client add acme --name Acme --time-zone UTC --currency USD >/dev/null
d client contact add acme --name Carla --email carla@acme.example >/dev/null
for i in $(seq 1 50); do d ticket open --client acme --contact acme-1 --subject "Ticket $i" --description "d$i" >/dev/null; done
for i in $(seq 1 10); do d ticket comment T-1001 "reply $i" >/dev/null; done
PORT=$(python3 -c "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])")
LOG_LEVEL=error "$BIN" serve --no-socket --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
B=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -sf "$B/healthz" >/dev/null && break; sleep 0.2; done
JAR=$WORK/jar
curl -s -c "$JAR" -b "$JAR" "$B/portal" >/dev/null
CSRF=$(awk '$6=="docket_csrf"{print $7}' "$JAR")
curl -s -c "$JAR" -b "$JAR" "$B/portal/sign-in" --data-urlencode "csrf=$CSRF" --data-urlencode email=carla@acme.example >/dev/null
MID=$(d outbox list --json | python3 -c 'import json,sys; print([r["messageId"] for r in json.load(sys.stdin) if r["reason"]=="sign-in"][-1])')
LINK=$(d outbox show "$MID" | python3 -c 'import quopri,sys; b=quopri.decodestring(sys.stdin.buffer.read()).decode(); print([w for w in b.split() if "/portal/link/" in w][0])')
curl -s -c "$JAR" -b "$JAR" "$LINK" --data-urlencode "csrf=$CSRF" -o /dev/null
SESSION=$(awk '$6=="docket_portal"{print $7}' "$JAR")
COOKIE="Cookie: docket_portal=$SESSION; docket_csrf=$CSRF"
echo "binary $BIN; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %10s %10s %10s\n' "GET" "req/s" "p50" "p99"
for path in /healthz /portal /portal/tickets /portal/tickets/T-1001; do
  out=$(wrk -t1 -c4 -d"$DURATION" --latency -H "$COOKIE" "$B$path")
  printf '%-28s %10s %10s %10s\n' "$path" "$(awk '/Requests\/sec/{print $2}' <<<"$out")" \
    "$(awk '$1=="50%"{print $2}' <<<"$out")" "$(awk '$1=="99%"{print $2}' <<<"$out")"
done
