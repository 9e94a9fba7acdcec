#!/usr/bin/env bash
# Issue 10 §5: `docket replay --as-of` a month end from a read-model snapshot, next to the full fold of the same
# moment (`--no-snapshots`) on the same store, in the same run, alternating:
#
#   Benchmarks/snapshot-bench.sh DOCKET STORE WORK [RUNS]
#
# DOCKET is a release `docket`, STORE a store seeded by `seed-billing STORE N --sla` (its simulated 2026 has month
# ends; the seeder adds the admin `ann`). STORE is only read: it is copied into WORK (emptied), because snapshots are
# written into the store's folder. Prints user and system CPU seconds, wall seconds and peak RSS of each command (the
# machine is shared: compare CPU), the machine's load, and whether the replays' digests are equal. A DOCKET with linked
# replays (it has `--standalone`) makes each replay from the snapshot both ways: standalone and linked (its default).
set -euo pipefail
docket="$1" store="$2" work="$3" runs="${4:-3}"
export DOCKET_USER=ann
timed() { local label="$1"; shift; /usr/bin/time -f "$label: %U s user, %S s sys, %e s wall, %M KiB peak RSS" "$@"; }
load() { echo "  (load: $(uptime | sed 's/.*load average: //'))"; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$2"; }
standalone=""
if "$docket" replay --help 2>/dev/null | grep -q -- --standalone; then standalone="--standalone"; fi
equal() { python3 -c "import json,sys; a,b=(json.load(open(f))['readModels'] for f in sys.argv[1:]); print('equal' if a==b else 'DIFFERENT')" "$1" "$2"; }
rm -rf "$work" && mkdir -p "$work/live"
mdb_copy "$store" "$work/live"
[ -f "$store/anchors" ] && cp "$store/anchors" "$work/live/"
live="$work/live"
echo "== snapshots on $store (copied to $live)"
load
timed "snapshot take (one full fold, a copy of the models per month end)" "$docket" snapshot take --store "$live" --json >"$work/take.json"
echo "  took: $(json "' '.join(d['taken'])" "$work/take.json")"
"$docket" snapshot list --store "$live" --json >"$work/list.json"
"$docket" snapshot list --store "$live" | tail -n 4
# The last month end (its last event exactly), and the middle of the month two before it (from a snapshot + a tail).
moment=$(python3 - "$work/list.json" <<'PY'
import json, sys, datetime
rows = json.load(open(sys.argv[1]))
before = datetime.datetime.fromisoformat(rows[-1]["before"].replace("Z", "+00:00"))
print((before - datetime.timedelta(milliseconds=1)).isoformat(timespec="milliseconds").replace("+00:00", "Z"))
PY
)
between=$(python3 - "$work/list.json" <<'PY'
import json, sys, datetime
rows = json.load(open(sys.argv[1]))
start, end = (datetime.datetime.fromisoformat(rows[i]["before"].replace("Z", "+00:00")) for i in (-3, -2))
print((start + (end - start) / 2).isoformat(timespec="seconds").replace("+00:00", "Z"))
PY
)
for as_of in "$moment" "$between"; do
    echo "== replay --as-of $as_of"
    for run in $(seq 1 "$runs"); do
        load
        timed "full fold (--no-snapshots), run $run" "$docket" replay --store "$live" --as-of "$as_of" --into "$work/full" --no-snapshots $standalone --json >"$work/full.json"
        timed "from the snapshot, standalone, run $run" "$docket" replay --store "$live" --as-of "$as_of" --into "$work/snap" $standalone --json >"$work/snap.json"
        echo "  position $(json "d['position']" "$work/snap.json"); snapshot $(json "d.get('snapshot')" "$work/snap.json")"
        same=$(equal "$work/full.json" "$work/snap.json")
        echo "  read-model digests (full fold vs from the snapshot, standalone): $same"
        [ "$same" = equal ] || exit 1
        if [ -n "$standalone" ]; then
            rm -rf "$work/linked"
            timed "from the snapshot, linked,     run $run" "$docket" replay --store "$live" --as-of "$as_of" --into "$work/linked" --json >"$work/linked.json"
            echo "  linked: snapshot's file in place: $(json "(d['snapshot'] or {}).get('position') == d['position']" "$work/linked.json")"
            same=$(equal "$work/full.json" "$work/linked.json")
            echo "  read-model digests (full fold vs from the snapshot, linked): $same"
            [ "$same" = equal ] || exit 1
            timed "  docket verify --log-only on the linked replay" "$docket" verify --log-only --store "$work/linked" --json >"$work/verify-linked.json"
            timed "  docket verify --log-only on the standalone replay" "$docket" verify --log-only --store "$work/snap" --json >"$work/verify-snap.json"
            cmp -s "$work/verify-linked.json" "$work/verify-snap.json" && echo "  verify --json: identical" || { echo "  verify --json: DIFFERENT"; exit 1; }
            rm -rf "$work/linked"
        fi
        rm -rf "$work/full" "$work/snap"
    done
done
load
echo "== disk: snapshots $(du -sb "$live/snapshots" | cut -f1) bytes for $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$work/list.json") month ends; the log copy $(stat -c %s "$live/data.mdb") bytes"
