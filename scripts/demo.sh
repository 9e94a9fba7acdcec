#!/usr/bin/env bash
# The demo: builds docket, creates a fresh store in ./demo-data and runs a morning at an MSP:
# users and clients, tickets opened, assigned, worked, waiting on the client, merged and closed,
# then the queue, a ticket's history, and the log's own checks (verify, rebuild, backup).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product docket --static-swift-stdlib --experimental-lto-mode=full >&2
BIN="$PWD/.build/release/docket"
export DOCKET_STORE="${DOCKET_STORE:-$PWD/demo-data}"
rm -rf "$DOCKET_STORE" "$DOCKET_STORE.backup" "$DOCKET_STORE.as-of" "$DOCKET_STORE".*.yaml
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
# Three contract types: Acme pays by the hour, Globex bought a block of hours, Initech pays a monthly retainer
# (and, like most MSP clients, so much a month per managed workstation: a recurring charge per unit).
step bill contract add acme-2026 --client acme --name "Acme managed services" --effective 2026-01-01 --sla-policy gold \
  --terms '{"model":"hourly","currency":"USD","rates":{"remote":12500,"onsite":15000,"*":12500},"rounding":{"incrementMinutes":15,"scope":"entry"},"minimumMinutesPerTicket":30,"afterHours":{"calendar":"ny-office","multiplierPercent":150},"nonBillableWorkTypes":["internal"],"taxBasisPoints":0}'
step bill contract add globex-2026 --client globex --name "Globex managed services" --effective 2026-01-01 --sla-policy gold \
  --terms '{"model":"block","currency":"EUR","block":{"id":"2026-H2","minutes":600,"priceMinor":95000,"overageRatePerHour":11000},"rounding":{"incrementMinutes":6,"scope":"ticket"},"taxBasisPoints":1900}'
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
step dora alert list
echo "${ALERT/firing/resolved}" | step dora intake alert --format generic
step dora ticket assign T-1001 --to bob
step dora ticket assign T-1003 --to tia
step bob ticket comment T-1001 "Backup job failed on a full volume; clearing old snapshots." 
step bob ticket comment T-1001 "Volume at 98%, snapshots older than 90 days pruned." --internal
step bob ticket status T-1001 waiting-on-client
step tia ticket reply T-1003 --template password-reset
step tia ticket merge T-1004 --into T-1003
step tia ticket close T-1003 --resolution "Password reset; MFA re-enrolled on her phone." --time 20m
step raj ticket comment T-1002 "Scanner firmware rolled back, back online."
step raj ticket close T-1002 --resolution "Firmware 4.2 broke Wi-Fi roaming; rolled back to 4.1 and pinned." --time 1h15m --work-type onsite
step bob ticket close T-1001 || echo "(refused, exit code $?)"
step bob queue
step bob queue --mine
step dora queue --unassigned
step bob ticket show T-1003
step bob ticket show T-1001
step dora sla
step dora tick
# T-1001 waits on Acme: from now on each tick reminds a client after 3 days of silence and closes after 7.
step dora followup set --remind-after 3d --close-after 7d
# Routine work on a schedule: docket tick (cron, every minute) opens each occurrence's ticket once.
step dora schedule add acme-patching --client acme --subject "Monthly patch review" --every month --day 1 --at 08:00 --assign bob
step dora schedule add acme-qbr --client acme --subject "Quarterly business review" --every month --interval 3 --day last --at 10:00
step dora schedule list
step dora report sla --from 2026-01-01 --to 2027-01-01 --by priority
step bill contract show acme-2026 --at 2026-11-29

# Billing: a month of time for three clients on three contract types, invoices, an audit and profitability.
step dora client add initech --name "Initech" --domain initech.example --time-zone America/New_York --currency USD
step bill contract add initech-2026 --client initech --name "Initech retainer" --effective 2026-11-01 \
  --terms '{"model":"retainer","currency":"USD","rates":{"*":11000},"retainer":{"monthlyFeeMinor":250000,"includedMinutes":300,"coveredCategories":["helpdesk"]},"recurring":{"workstations":{"description":"Managed workstation","unitPriceMinor":4500,"quantity":18}},"taxBasisPoints":800}'
for rate in "bob 4500" "tia 4000" "raj 5200"; do
  set -- $rate
  step bill user cost-rate "$1" "$2" --currency USD --effective 2026-01-01
done
step dora ticket open --client initech --subject "Mailbox full" --priority P3 --source email --category helpdesk
step dora ticket open --client initech --subject "Migrate file server to SharePoint" --priority P3 --source phone --category project
step dora ticket open --client acme --subject "New X-ray workstation" --priority P3 --source portal --category project
# log TECH TICKET DURATION AT [FLAGS…]
log() { local tech=$1 ticket=$2 duration=$3 at=$4; shift 4; step "$tech" time log "$ticket" "$duration" --at "$at" "$@" >/dev/null; }
log bob T-1001 50m "2026-11-02 14:00" --note "Diagnosed the failed backup"
log bob T-1001 20m "2026-11-03 15:10"
log tia T-1003 35m "2026-11-04 13:30"
log raj T-1002 2h "2026-11-05 08:00" --work-type onsite
log raj T-1002 40m "2026-11-05 10:15" --work-type travel
log bob T-1009 3h "2026-11-07 15:00" --work-type onsite --note "Saturday install (after hours)"
log tia T-1009 1h30m "2026-11-10 14:00" --work-type remote
log tia T-1007 25m "2026-11-11 15:00"
log raj T-1008 4h "2026-11-12 13:00" --work-type onsite
log raj T-1008 3h30m "2026-11-19 13:00" --work-type onsite
log bob T-1008 1h "2026-11-20 14:00" --work-type remote
log tia T-1005 6h "2026-11-16 08:00" --work-type onsite
log tia T-1005 5h "2026-11-23 08:00" --work-type onsite
log bob T-1009 30m "2026-11-24 14:00" --work-type internal
step tia time correct TE-10 --minutes 20m --reason "Logged the whole call, not just the mailbox cleanup"
step bob time list --ticket T-1009
# Hardware resold on the X-ray workstation ticket: a one-off charge, billed once on acme's November invoice.
step bill charge add acme --ticket T-1009 --description "Dell OptiPlex 7010" --unit-price 1,149.00 --unit-cost 905.00 \
  --category hardware --date 2026-11-07
step bill invoice charges globex --period 2026-11
step bill invoice run --period 2026-11
step bill invoice list --period 2026-11
for draft in acme-D1 globex-D1 initech-D1; do step bill invoice finalize "$draft"; done
step bill invoice show INV-2026-0001
step bill charge list --client acme
step bill audit invoice INV-2026-0001
# The moment the invoices went out, to the millisecond: `replay --as-of` rebuilds the read models as they stood then.
AS_OF=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
# A correction after the invoice was sent: the final invoice never changes; the difference goes on the next one.
step bob time correct TE-8 --minutes 2h30m --reason "Install finished at 17:30, not 18:00"
step bill invoice run --period 2026-11
step bill invoice show acme-D2
# A billing dispute: "what did acme pay for on 7 November?" — that day's entries, read in acme's zone, and the lines billing them.
step bill time list --client acme --from 2026-11-07 --to 2026-11-08
step bob ticket list --search backup
step bill invoice export --format csv --period 2026-11
step ann replay --as-of "$AS_OF" --into "$DOCKET_STORE.as-of"   # admin only: a replay copies the whole log
step bill invoice show acme-D2 --store "$DOCKET_STORE.as-of" || echo "(acme-D2 did not exist yet at $AS_OF, exit code $?)"
live=$(DOCKET_USER=bill "$BIN" invoice show INV-2026-0001 --json)
as_of=$(DOCKET_USER=bill "$BIN" invoice show INV-2026-0001 --json --store "$DOCKET_STORE.as-of")
if [ -n "$live" ] && [ "$live" = "$as_of" ]; then
  echo "INV-2026-0001 rebuilt as of $AS_OF is identical to the live one"
else
  echo "INV-2026-0001 rebuilt as of $AS_OF differs from the live one" >&2
  exit 1
fi
# The same in one command, with no folder to name: `--as-of` on any read command (admins).
step ann invoice show acme-D2 --as-of "$AS_OF" || echo "(acme-D2 did not exist yet at $AS_OF, exit code $?)"
step ann queue --as-of "$AS_OF"
step bill report profitability --from 2026-11-01 --to 2026-12-01
step bill report leakage --from 2026-11-01 --to 2026-12-01
step bill report utilization --from 2026-11-01 --to 2026-12-01
step bill report volume --from 2026-11-01 --to 2026-12-01

# One cause, many callers: the shared office's internet line is down and two clients call. Raj works the outage
# on one ticket; the calls are linked under it, hear one update each, and close with it.
new_ticket() { DOCKET_USER=dora "$BIN" ticket open "$@" | grep -o 'T-[0-9]*' | head -1; }
OUTAGE=$(new_ticket --client acme --subject "Internet down at Harbour House (shared line)" --priority P1 --source phone --assign raj)
CALL1=$(new_ticket --client acme --contact acme-1 --subject "No internet at the front desk" --priority P2 --source phone)
CALL2=$(new_ticket --client globex --contact globex-1 --subject "Harbour House office offline" --priority P2 --source phone)
step raj ticket link "$CALL1" --parent "$OUTAGE"
step raj ticket link "$CALL2" --parent "$OUTAGE"
step raj ticket comment "$OUTAGE" "The line provider has an engineer on the way; we'll update you by noon." --to-children
step raj ticket close "$OUTAGE" --resolution "The provider replaced a failed line card; the office is back online." --time 40m
step raj ticket show "$CALL2"

step ann stats
step ann verify
step ann rebuild
step ann queue --json
step ann backup "$DOCKET_STORE.backup"
step ann verify --store "$DOCKET_STORE.backup"
