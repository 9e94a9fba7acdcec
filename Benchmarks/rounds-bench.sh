#!/usr/bin/env bash
# Issue 10's folds, binaries alternated round by round (a binary run after another on the same page cache came out
# slower whichever it was, session 16):
#
#   Benchmarks/rounds-bench.sh RAW_LMDB STORE WORK ROUNDS DOCKET [DOCKET...]
#
# STORE is a store seeded by `seed-billing STORE N --sla` (only read), WORK a scratch folder (emptied, then removed).
# Each round makes a synced copy of STORE per DOCKET, then runs each step for every DOCKET in turn: the first open
# (`stats`: every read model caught up from the log), `rebuild` (all), and the linked `replay --as-of 2030-01-01
# --no-snapshots` (every event folded into a new folder that uses STORE's log in place), each under peak-memory.py
# (wall, CPU = user + system, peak anonymous and file-backed RSS) with the machine's load and the replay's data.mdb
# size; then each copy's and replay's read-model digests (the first 12 hex digits). The raw LMDB cursor scan of STORE
# runs before and after. Used for 1M and 10M (session 18: `seed-billing STORE 10000000 --sla`, 4.7 GB, 70 s).
set -euo pipefail
raw="$1" store="$2" work="$3" rounds="$4"
shift 4
export DOCKET_USER=ann
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
measure() { python3 "$here/peak-memory.py" "$@"; }
load() { echo "  (load: $(uptime | sed 's/.*load average: //'))"; }
rm -rf "$work" && mkdir -p "$work"
echo "### $(date -u) $store"
"$raw" scan "$store"
load
for round in $(seq "$rounds"); do
    n=0
    for docket in "$@"; do
        n=$((n + 1))
        cp -r "$store" "$work/live$n"
    done
    sync
    for step in open rebuild replay; do
        n=0
        for docket in "$@"; do
            n=$((n + 1))
            label="round $round $(basename "$docket")"
            case "$step" in
            open) measure "$label first open" -- "$docket" stats --store "$work/live$n" ;;
            rebuild) measure "$label rebuild (all)" -- "$docket" rebuild --store "$work/live$n" ;;
            replay)
                rm -rf "$work/replay$n"
                measure "$label linked replay --no-snapshots" -- \
                    "$docket" replay --store "$work/live$n" --as-of 2030-01-01 --no-snapshots --into "$work/replay$n"
                echo "  replay's data.mdb: $(du -m "$work/replay$n/data.mdb" | cut -f1) MB" ;;
            esac
            load
        done
    done
    n=0
    for docket in "$@"; do
        n=$((n + 1))
        for folder in "$work/live$n" "$work/replay$n"; do
            echo "$(basename "$docket") $(basename "$folder"): $("$docket" stats --store "$folder" --read-models | grep -E '[0-9a-f]{64}' | awk '{ print $1, substr($NF, 1, 12) }' | tr '\n' ' ')"
        done
        rm -rf "$work/live$n" "$work/replay$n"
    done
done
"$raw" scan "$store"
load
rm -rf "$work"
