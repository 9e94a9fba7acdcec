#!/usr/bin/env bash
# The intake demo (issue 13): starts `docket serve` on loopback with an LMTP listener, fires a real Alertmanager
# alert at it (when prometheus-alertmanager is installed), resolves it, signs and posts an RMM alert, delivers a
# mail over LMTP with Python's smtplib, shows the tickets, and prints the client portal's URL with a sign-in link for
# a demo contact (run from a terminal, the server then waits for Enter so the link can be followed). Everything runs
# on 127.0.0.1 and stops at the end.
#   scripts/demo-server.sh              (DOCKET_BIN=path/to/docket to skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
if [ -z "${DOCKET_BIN:-}" ]; then swift build --product docket >&2; DOCKET_BIN="$PWD/.build/debug/docket"; fi
WORK="$(mktemp -d /tmp/docket-demo-server.XXXXXX)"
export DOCKET_STORE="$WORK/store" DOCKET_USER=ann
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
free_port() { python3 -c "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])"; }
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
d() { "$DOCKET_BIN" "$@"; }

step d init --name "Ann Admin" --email ann@bluefin-it.example
d user add intake --name "Intake" --email intake@bluefin-it.example --role dispatcher >/dev/null
d client add acme --name "Acme Dental" --domain acme-dental.example --time-zone America/New_York --currency USD >/dev/null
d client contact add acme --name "Carla Reyes" --email carla@acme-dental.example >/dev/null
PROM=$(d hook create prometheus --format alertmanager --acts-as intake --default-client acme)
RMM=$(d hook create ninja-rmm --format generic --acts-as intake --default-client acme)
step d hook list

HTTP=$(free_port); LMTP=$(free_port)
"$DOCKET_BIN" serve --no-socket --listen "127.0.0.1:$HTTP" --lmtp "127.0.0.1:$LMTP" --lmtp-user intake >"$WORK/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$HTTP/healthz" >/dev/null && break; sleep 0.2; done
echo "docket serve: http://127.0.0.1:$HTTP, LMTP on 127.0.0.1:$LMTP"

if command -v prometheus-alertmanager >/dev/null; then
  AM=$(free_port)
  cat >"$WORK/alertmanager.yml" <<YAML
route: {receiver: docket, group_by: [alertname, instance], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
receivers:
  - name: docket
    webhook_configs:
      - url: http://127.0.0.1:$HTTP/hooks/alertmanager/prometheus
        send_resolved: true
        http_config: {authorization: {type: Bearer, credentials: $PROM}}
YAML
  prometheus-alertmanager --config.file="$WORK/alertmanager.yml" --storage.path="$WORK/am" \
    --web.listen-address="127.0.0.1:$AM" --cluster.listen-address= >"$WORK/am.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$AM/-/ready" >/dev/null && break; sleep 0.2; done
  alert() { curl -sf -H 'Content-Type: application/json' "http://127.0.0.1:$AM/api/v2/alerts" --data-binary \
    "[{\"labels\":{\"alertname\":\"BackupFailed\",\"instance\":\"nas-01\",\"severity\":\"critical\"},\"annotations\":{\"summary\":\"Nightly backup failed on nas-01\"},\"endsAt\":\"$1\"}]"; }
  echo; echo "Alertmanager on 127.0.0.1:$AM: firing BackupFailed on nas-01"
  alert "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
  for _ in $(seq 50); do d ticket show T-1001 >/dev/null 2>&1 && break; sleep 0.2; done
  step d ticket show T-1001
  echo; echo "…and resolving it in Alertmanager"
  alert "$(date -u -d '-1 second' +%Y-%m-%dT%H:%M:%SZ)"
  for _ in $(seq 50); do d ticket show T-1001 --json | grep -Eq '"status" ?: ?"closed"' && break; sleep 0.2; done
  step d ticket show T-1001
else
  echo "(prometheus-alertmanager is not installed: skipping the real Alertmanager)"
fi

BODY='{"client":"acme","device":"srv1","check":"disk-space","severity":"warning","status":"firing","id":"disk-srv1","message":"C: below 10%"}'
T=$(date +%s)
SIG=$(printf '%s.%s' "$T" "$BODY" | openssl dgst -sha256 -hmac "$RMM" -r | cut -d' ' -f1)
step curl -s "http://127.0.0.1:$HTTP/hooks/alerts/ninja-rmm" -H "Docket-Signature: t=$T,v1=$SIG" --data-binary "$BODY"
echo; echo "the same signed request again (a replay):"
curl -s "http://127.0.0.1:$HTTP/hooks/alerts/ninja-rmm" -H "Docket-Signature: t=$T,v1=$SIG" --data-binary "$BODY"; echo

cat >"$WORK/mail.eml" <<'MAIL'
From: Carla Reyes <carla@acme-dental.example>
To: support@bluefin-it.example
Subject: Front desk printer offline
Message-ID: <demo-printer@acme-dental.example>
Date: Thu, 03 Dec 2026 09:00:00 -0500

The front desk printer shows offline since this morning.
MAIL
step python3 scripts/lmtp-send.py --host 127.0.0.1 --port "$LMTP" --to support@bluefin-it.example "$WORK/mail.eml"
step d queue

# The client portal: Carla asks for a sign-in link (as the sign-in page's form does); it waits in the outbox.
JAR="$WORK/portal.cookies"
curl -s -c "$JAR" "http://127.0.0.1:$HTTP/portal" >/dev/null
CSRF=$(awk '$6 == "docket_csrf" {print $7}' "$JAR")
curl -s -b "$JAR" "http://127.0.0.1:$HTTP/portal/sign-in" --data-urlencode "csrf=$CSRF" --data-urlencode "email=carla@acme-dental.example" >/dev/null
step d outbox list
MID=$(d outbox list --json | python3 -c 'import json,sys; print([r["messageId"] for r in json.load(sys.stdin) if r["reason"]=="sign-in"][-1])')
LINK=$(d outbox show "$MID" | python3 -c 'import quopri,sys; b=quopri.decodestring(sys.stdin.buffer.read()).decode(); print([w for w in b.split() if "/portal/link/" in w][0])')
echo
echo "Client portal: http://127.0.0.1:$HTTP/portal"
echo "Carla's sign-in link (one use, 15 minutes): $LINK"
echo "Store: $DOCKET_STORE (left in place); server log: $WORK/serve.log"
if [ -t 0 ] && [ -z "${DEMO_NO_WAIT:-}" ]; then
  read -r -p "The server keeps running for the portal; press Enter to stop it. " _
fi
