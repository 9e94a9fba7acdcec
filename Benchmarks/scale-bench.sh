#!/usr/bin/env bash
# Issue 10 "Show it" at scale: the read-model figures on one seeded store (1M or 10M events), each next to its raw
# LMDB reference in the same run:
#
#   Benchmarks/scale-bench.sh DOCKET RAW_LMDB STORE WORK [STEPS]
#
# DOCKET is a release `docket`, RAW_LMDB the release `raw-lmdb` (Tools/RawLMDB), STORE a store seeded by
# `seed-billing STORE N --sla` (the seeder adds the admin `ann`); its folder gets the month-end snapshots and, with
# `open`, the read models. WORK is a scratch folder (emptied). STEPS (default all, in this order) picks some of:
#   scan      the raw LMDB cursor scan of STORE (the reference of the replay and the rebuild)
#   replay    `docket replay --as-of` the whole log, all read models, --no-snapshots (the full fold)
#   snapshots `docket replay --as-of` the whole log with snapshots: it writes one per month end it passes
#   asof      `docket replay --as-of` the last month end, from its snapshot, $RUNS runs (3): the default form (linked, where
#             DOCKET has `--standalone`; a docket before linked replays makes standalone ones), then `--standalone`
#   asofcheck the digests of those replays against a full fold's of the same moment (`--no-snapshots`; run `asof` first)
#   open      the first open of STORE (`docket stats`: builds every read model, which the seeder leaves out)
#   rebuild   `docket rebuild` (all) on STORE
#   transfer  `docket export`, then `docket import` of it into a new store, next to a raw bulk append of as many
#             373-byte values, 1,000 per durable transaction; store sizes against the export's bytes
# Each docket step prints wall and CPU seconds and peak private (anonymous) memory (peak-memory.py), and the load.
set -euo pipefail
docket="$1" raw="$2" store="$3" work="$4" steps="${5:-scan replay snapshots asof open rebuild transfer}"
export DOCKET_USER=ann
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
measure() { python3 "$here/peak-memory.py" "$@"; }
load() { echo "  (load: $(uptime | sed 's/.*load average: //'))"; }
mkdir -p "$work"
events=$("$raw" scan "$store" | sed -E 's/.*: ([0-9]+) events.*/\1/')
# A docket with linked replays makes them by default: the full-fold and snapshot steps ask for a standalone one, to
# measure what they always measured (a whole store with its own log).
standalone=""
if "$docket" replay --help 2>/dev/null | grep -q -- --standalone; then standalone="--standalone"; fi
kind() { if [ -n "$1" ] || [ -z "$standalone" ]; then echo standalone; else echo linked; fi; }
lastMonthEnd() {
    "$docket" snapshot list --store "$store" --json >"$work/list.json"
    python3 -c "
import json, sys, datetime
rows = json.load(open(sys.argv[1]))
before = datetime.datetime.fromisoformat(rows[-1]['before'].replace('Z', '+00:00'))
print((before - datetime.timedelta(milliseconds=1)).isoformat(timespec='milliseconds').replace('+00:00', 'Z'))" "$work/list.json"
}
echo "== $docket on $store ($events events), steps: $steps"
for step in $steps; do
    case "$step" in
    scan)
        "$raw" scan "$store"; load ;;
    replay)
        rm -rf "$work/replay"
        measure "replay --as-of (all read models, --no-snapshots)" -- "$docket" replay --store "$store" --as-of 2030-01-01 --into "$work/replay" --no-snapshots $standalone
        load
        echo "  replayed store: $(stat -c %s "$work/replay/data.mdb") bytes" ;;
    snapshots)
        rm -rf "$work/replay-snap"
        measure "replay --as-of (all read models), taking the month-end snapshots" -- "$docket" replay --store "$store" --as-of 2030-01-01 --into "$work/replay-snap" $standalone
        load
        rm -rf "$work/replay-snap"
        echo "  snapshots: $(du -sb "$store/snapshots" | cut -f1) bytes" ;;
    asof)
        moment=$(lastMonthEnd)
        for mode in "" $standalone; do
            for run in $(seq 1 "${RUNS:-3}"); do
                rm -rf "$work/asof"
                measure "replay --as-of $moment from its snapshot, $(kind "$mode"), run $run" -- "$docket" replay --store "$store" --as-of "$moment" --into "$work/asof" $mode
                load
            done
            rm -rf "$work/asof"
            "$docket" replay --store "$store" --as-of "$moment" --into "$work/asof" $mode --json >"$work/asof-$(kind "$mode").json"
            python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('  position', d['position'], 'snapshot', d.get('snapshot'), 'linked', d.get('linked', False))" "$work/asof-$(kind "$mode").json"
            measure "  a read on it: docket log --limit 5 --json" -- "$docket" log --store "$work/asof" --limit 5 --json
            rm -rf "$work/asof"
        done ;;
    asofcheck)
        moment=$(lastMonthEnd)
        rm -rf "$work/full"
        measure "replay --as-of $moment, full fold (--no-snapshots)" -- "$docket" replay --store "$store" --as-of "$moment" --into "$work/full" --no-snapshots $standalone --json
        rm -rf "$work/full"
        "$docket" replay --store "$store" --as-of "$moment" --into "$work/full" --no-snapshots $standalone --json >"$work/full.json"
        rm -rf "$work/full"
        for made in "$work"/asof-*.json; do
            python3 -c "
import json, sys
full, made = (json.load(open(f)) for f in sys.argv[1:])
same = full['readModels'] == made['readModels'] and full['position'] == made['position']
print('  digests of', sys.argv[2].rsplit('/', 1)[-1], 'against the full fold:', 'equal' if same else 'DIFFERENT')
sys.exit(0 if same else 1)" "$work/full.json" "$made"
        done ;;
    open)
        measure "first open (builds every read model)" -- "$docket" stats --store "$store"
        load ;;
    rebuild)
        measure "rebuild (all)" -- "$docket" rebuild --store "$store"
        load ;;
    transfer)
        rm -rf "$work/export.ndjson" "$work/imported" "$work/raw-append"
        measure "export" -- "$docket" export --store "$store" --output "$work/export.ndjson"
        load
        measure "import (log, then every read model)" -- "$docket" import --store "$work/imported" "$work/export.ndjson"
        load
        "$raw" append "$work/raw-append" "$events" 373
        load
        rm -rf "$work/raw-append"
        export_bytes=$(stat -c %s "$work/export.ndjson")
        for folder in "$store" "$work/replay" "$work/imported"; do
            [ -f "$folder/data.mdb" ] || continue
            bytes=$(stat -c %s "$folder/data.mdb")
            echo "size $folder/data.mdb: $bytes bytes = $(python3 -c "print(f'{$bytes / $export_bytes:.2f}')")x the export ($export_bytes bytes)"
        done
        rm -rf "$work/imported" ;;
    *) echo "unknown step $step" >&2; exit 64 ;;
    esac
done
