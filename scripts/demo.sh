#!/usr/bin/env bash
# The demo: builds docket, creates a fresh store in ./demo-data and walks through the event log.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product docket >&2
docket() { .build/release/docket "$@"; }
export DOCKET_STORE="${DOCKET_STORE:-$PWD/demo-data}"
export DOCKET_USER="${DOCKET_USER:-demo}"
rm -rf "$DOCKET_STORE" "$DOCKET_STORE.backup"
step() { printf '\n\033[1m$ docket %s\033[0m\n' "$*"; docket "$@"; }

step init
step event append --stream client-acme --type client.registered --payload '{"name":"Acme Dental","code":"acme"}' --command-id demo-1
step event append --stream client-acme --type client.registered --payload '{"name":"Acme Dental","code":"acme"}' --command-id demo-1
step event append --stream ticket-T-1001 --type ticket.opened --payload '{"subject":"Backup failed on FS01","priority":"P2"}' --expected-version none
step event append --stream ticket-T-1001 --type ticket.commented --payload '{"text":"Looking at it"}' --expected-version 1
printf '\n\033[1m$ docket event append --stream ticket-T-1001 --expected-version 1   (stale: someone else wrote first)\033[0m\n'
docket event append --stream ticket-T-1001 --type ticket.commented --payload '{"text":"late"}' --expected-version 1 || echo "(exit code $?)"
step log
step log --stream ticket-T-1001 --json
step stats
step verify
step rebuild
step backup "$DOCKET_STORE.backup"
step verify --store "$DOCKET_STORE.backup"
