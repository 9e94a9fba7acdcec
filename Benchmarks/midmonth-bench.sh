#!/usr/bin/env bash
# Issue 10 §5 between month ends: `replay --as-of` a moment mid-month, restored from the month end before it and the
# rest folded, binaries alternated:
#
#   Benchmarks/midmonth-bench.sh STORE WORK AS_OF ROUNDS TAKER DOCKET [DOCKET...]
#
# STORE is a store seeded by `seed-billing STORE N --sla` (only read: copied into WORK with mdb_copy), AS_OF e.g.
# 2026-11-16T00:00:00Z. TAKER (a release docket) takes the month-end snapshots of the copy once; then each round runs
# the linked replay of AS_OF with every DOCKET in turn (/usr/bin/time: user, system, wall, peak RSS) and the replays'
# digests are compared. The DOCKETs must read TAKER's snapshots (same read-model formats).
set -euo pipefail
store="$1" work="$2" asof="$3" rounds="$4" taker="$5"
shift 5
export DOCKET_USER=ann
rm -rf "$work" && mkdir -p "$work/live"
mdb_copy "$store" "$work/live"
[ -f "$store/anchors" ] && cp "$store/anchors" "$work/live/"
/usr/bin/time -f "snapshot take ($(basename "$taker")): %U s user, %S s sys, %e s wall" "$taker" snapshot take --store "$work/live" --json > /dev/null
sync
for round in $(seq "$rounds"); do
    n=0
    for docket in "$@"; do
        n=$((n + 1))
        rm -rf "$work/replay$n"
        sync
        /usr/bin/time -f "round $round $(basename "$docket") replay --as-of $asof (linked): %U s user, %S s sys, %e s wall, %M KiB peak RSS" \
            "$docket" replay --store "$work/live" --as-of "$asof" --into "$work/replay$n" --json > "$work/replay$n.json"
    done
done
n=0
for docket in "$@"; do
    n=$((n + 1))
    python3 -c "import json,sys; a,b=(json.load(open(f))['readModels'] for f in sys.argv[1:3]); print('digests of replay', sys.argv[3], 'equal to the first' if a==b else 'DIFFER from the first')" "$work/replay1.json" "$work/replay$n.json" "$n"
done
rm -rf "$work"
