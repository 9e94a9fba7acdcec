#!/usr/bin/env bash
# `docket import` of an export (issue 10 §4) next to the raw LMDB bulk append of as many 373-byte values, 1,000 per
# durable transaction, run just before each import:
#
#   Benchmarks/import-bench.sh RAW_LMDB EXPORT WORK DOCKET [DOCKET...]
#
# RAW_LMDB is the release `raw-lmdb` tool (Tools/RawLMDB), EXPORT an NDJSON export (`docket export` of a store seeded
# by `seed-billing STORE N --sla`), WORK a scratch folder (emptied, then removed). For each release DOCKET in turn:
# the raw append, then the import into a new store under peak-memory.py (wall, CPU = user + system, peak anonymous
# and file-backed RSS), each with the machine's load; then the imported store's export compared byte for byte with
# EXPORT and its read-model digests (`stats --read-models`) printed, which must be the same for every DOCKET.
set -euo pipefail
raw="$1" export="$2" work="$3"
shift 3
# Export and stats of a store with events need an admin: the seeder adds `ann`.
export DOCKET_USER=ann
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
measure() { python3 "$here/peak-memory.py" "$@"; }
load() { echo "  (load: $(uptime | sed 's/.*load average: //'))"; }
events=$(wc -l < "$export")
echo "input: $export, $events lines, $(stat -c %s "$export") bytes"
rm -rf "$work" && mkdir -p "$work"
n=0
for docket in "$@"; do
    n=$((n + 1))
    "$raw" append "$work/raw-append" "$events" 373
    load
    rm -rf "$work/raw-append"
    measure "$docket import ($events events)" -- \
        sh -c "exec \"$docket\" import --store \"$work/store$n\" \"$export\" > /dev/null"
    load
    "$docket" export --store "$work/store$n" --output "$work/again.ndjson"
    if cmp -s "$export" "$work/again.ndjson"; then echo "  export of the imported store: identical to the input"; else echo "  export of the imported store: DIFFERS"; fi
    rm -f "$work/again.ndjson"
    "$docket" stats --store "$work/store$n" --read-models | tail -n +3 | sed 's/^/  /' > "$work/digests$n"
    cat "$work/digests$n"
    rm -rf "$work/store$n"
done
"$raw" append "$work/raw-append" "$events" 373
load
for i in $(seq 2 "$n"); do
    if cmp -s "$work/digests1" "$work/digests$i"; then echo "read-model digests of import $i: equal to import 1's"; else echo "read-model digests of import $i: DIFFER from import 1's"; fi
done
rm -rf "$work"
