#!/usr/bin/env bash
# The demo: builds docket, creates a fresh store in ./demo-data and runs a morning at an MSP:
# users and clients, tickets opened, assigned, worked, waiting on the client, merged and closed,
# then the queue, a ticket's history, and the log's own checks (verify, rebuild, backup).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product docket --static-swift-stdlib >&2
BIN="$PWD/.build/release/docket"
export DOCKET_STORE="${DOCKET_STORE:-$PWD/demo-data}"
rm -rf "$DOCKET_STORE" "$DOCKET_STORE.backup" "$DOCKET_STORE".*.yaml
# step USER ARGS…: show and run one command as USER.
step() { local user=$1; shift; printf '\n\033[1m[%s]$ docket %s\033[0m\n' "$user" "$*"; DOCKET_USER=$user "$BIN" "$@"; }

step ann init --name "Ann Admin" --email ann@bluefin-it.example
step ann user add dora --name "Dora Dispatch" --email dora@bluefin-it.example --role dispatcher
step ann user add bob --name "Bob Tech" --email bob@bluefin-it.example --role tech
step ann user add tia --name "Tia Tech" --email tia@bluefin-it.example --role tech
step ann user add raj --name "Raj Tech" --email raj@bluefin-it.example --role tech
step ann user add bill --name "Bill Billing" --email bill@bluefin-it.example --role billing
step ann user list

step dora client add acme --name "Acme Dental" --domain acme-dental.example --time-zone America/New_York --currency USD
step dora client contact add acme --name "Carla Reyes" --email carla@acme-dental.example --phone "+1 555 0100"
step dora client add globex --name "Globex Logistics" --domain globex.example --time-zone Europe/Berlin --currency EUR
step dora client contact add globex --name "Gunter Vogel" --email gunter@globex.example
cat > "$DOCKET_STORE.calendar.yaml" <<'YAML'
timeZone: America/New_York
weeklyHours:
  mon: [{open: "08:00", close: "18:00"}]
  tue: [{open: "08:00", close: "18:00"}]
  wed: [{open: "08:00", close: "18:00"}]
  thu: [{open: "08:00", close: "18:00"}]
  fri: [{open: "08:00", close: "17:00"}]
holidays: ["2026-11-26", "2026-12-25"]
YAML
cat > "$DOCKET_STORE.gold.yaml" <<'YAML'
calendar: ny-office
targets:
  P1: {responseMinutes: 30, resolutionMinutes: 240}
  P2: {responseMinutes: 60, resolutionMinutes: 480}
  P3: {responseMinutes: 240, resolutionMinutes: 1440}
  P4: {responseMinutes: 480, resolutionMinutes: 2880}
warnAtPercent: [75, 90]
escalations:
  - {id: urgent-untouched, priorities: [P1, P2], untouchedMinutes: 60, action: {kind: notify-dispatchers}}
YAML
step bill calendar define ny-office --name "New York office hours" --file "$DOCKET_STORE.calendar.yaml" --effective 2026-01-01
step bill sla-policy define gold --name "Gold" --file "$DOCKET_STORE.gold.yaml" --effective 2026-01-01
step bill sla-policy show gold
step bill contract add acme-2026 --client acme --name "Acme managed services" --effective 2026-01-01 --sla-policy gold --terms '{"type":"hourly","rate":15000}'
step bill contract add globex-2026 --client globex --name "Globex managed services" --effective 2026-01-01 --sla-policy gold
step dora template add password-reset --body "Hi {{contact.name}}, {{tech.name}} has reset your password ({{ticket.number}}). Reply if you still cannot sign in."

step dora ticket open --client acme --contact acme-1 --subject "Nightly backup failed on FS01" --priority P2 --source alert --category backup
step mallory ticket open --client acme --subject "Printer jam" || echo "(refused: mallory is not a Docket user, exit code $?)"
step dora ticket open --client globex --contact globex-1 --subject "Warehouse scanner offline" --priority P1 --source phone --assign raj
step dora ticket open --client acme --contact acme-1 --subject "Locked out of email" --priority P3 --source email
step dora ticket open --client acme --contact acme-1 --subject "Cannot log in to Outlook" --priority P3 --source portal
step dora ticket open --client globex --subject "New starter laptop" --priority P4 --source portal
ALERT='{"client":"globex","device":"wh-nas-01","check":"backup","severity":"critical","status":"firing","id":"veeam-job-17","message":"Nightly backup job failed"}'
echo "$ALERT" | step dora intake alert --format generic
echo "$ALERT" | step dora intake alert --format generic
echo "${ALERT/firing/resolved}" | step dora intake alert --format generic
step dora ticket assign T-1001 --to bob
step dora ticket assign T-1003 --to tia
step bob ticket comment T-1001 "Backup job failed on a full volume; clearing old snapshots." 
step bob ticket comment T-1001 "Volume at 98%, snapshots older than 90 days pruned." --internal
step bob ticket status T-1001 waiting-on-client
step tia ticket reply T-1003 --template password-reset
step tia ticket merge T-1004 --into T-1003
step tia ticket close T-1003 --resolution "Password reset; MFA re-enrolled on her phone."
step raj ticket comment T-1002 "Scanner firmware rolled back, back online."
step raj ticket close T-1002 --resolution "Firmware 4.2 broke Wi-Fi roaming; rolled back to 4.1 and pinned."
step bob ticket close T-1001 || echo "(refused, exit code $?)"
step bob queue
step bob queue --mine
step dora queue --unassigned
step bob ticket show T-1003
step bob ticket show T-1001
step dora sla
step dora tick
step dora report sla --from 2026-01-01 --to 2027-01-01 --by priority
step bill contract show acme-2026 --at 2026-11-29

step ann stats
step ann verify
step ann rebuild
step ann queue --json
step ann backup "$DOCKET_STORE.backup"
step ann verify --store "$DOCKET_STORE.backup"
