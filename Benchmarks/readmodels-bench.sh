#!/usr/bin/env bash
# The read-model benchmarks of issue 10, each next to its raw LMDB reference in the same run:
#
#   Benchmarks/readmodels-bench.sh DOCKET RAW_LMDB STORE WORK [LABEL]
#
# DOCKET is a release `docket` binary, RAW_LMDB the release `raw-lmdb` tool (Tools/RawLMDB), STORE a store seeded
# by `seed-billing STORE N --sla` (only read: the commands run on a copy of it in WORK), WORK a scratch folder
# (emptied). Run it twice in one session,
# once with the old and once with the new `docket`, to have both next to the same references. Each figure is
# printed with the machine's load (`uptime`), since the machine is shared.
#
# It measures: the raw cursor scan of STORE; `docket replay --as-of` of the whole log (all read models); the first
# open of the copy by this `docket` (`docket stats`: it builds or upgrades the read models the copy lacks, e.g.
# those of an older format written by a previous release); `docket export`; `docket import` of that export into a new store (with its read models) next to a raw bulk append of the
# same number of 373-byte values, 1,000 per durable transaction; `docket rebuild` (all) on the imported store; the
# `docket event append --stdin --batch 1000` of APPENDS (default 200,000) lines onto the copy, next to a raw bulk
# append of as many values; the replayed and imported stores' sizes against the export's bytes. Times and peak
# private memory by peak-memory.py.
set -euo pipefail
docket="$1" raw="$2" store="$3" work="$4" label="${5:-docket}"
# Replay, rebuild, export and import of a store with events need an admin: the seeder adds `ann`.
export DOCKET_USER=ann
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
measure() { python3 "$here/peak-memory.py" "$@"; }
load() { echo "  (load: $(uptime | sed 's/.*load average: //'))"; }
scan=$("$raw" scan "$store")
echo "$scan"
events=$(echo "$scan" | sed -E 's/.*: ([0-9]+) events.*/\1/')
load
rm -rf "$work" && mkdir -p "$work"
echo "== $label on $store ($events events)"
measure "$label replay --as-of (all read models)" -- "$docket" replay --store "$store" --as-of 2030-01-01 --into "$work/replay"
load
cp -r "$store" "$work/live" && sync  # the copy's dirty pages are not the first open's to write
measure "$label first open (catch-up of read models)" -- "$docket" stats --store "$work/live"
load
measure "$label export" -- "$docket" export --store "$work/live" --output "$work/export.ndjson"
load
measure "$label import" -- "$docket" import --store "$work/imported" "$work/export.ndjson"
load
"$raw" append "$work/raw-append" "$events" 373
load
measure "$label rebuild (all)" -- "$docket" rebuild --store "$work/imported"
load
# `docket event append --stdin --batch 1000`: APPENDS lines of an event type that is not Docket's own (300-byte
# payloads, one stream per 10 events) onto the copy, next to a raw bulk append of as many 373-byte values.
appends="${APPENDS:-200000}"
python3 -c "
import sys
pad = 'x' * 280
for i in range($appends):
    sys.stdout.write('{\"stream\":\"bench-%d\",\"type\":\"bench.noted\",\"payload\":{\"n\":%d,\"text\":\"%s\"}}\n' % (i // 10, i, pad))
" > "$work/append.ndjson"
measure "$label event append --stdin --batch 1000 ($appends events)" -- sh -c "exec \"$docket\" event append --stdin --batch 1000 --store \"$work/live\" < \"$work/append.ndjson\" > /dev/null"
load
rm -rf "$work/raw-append"
"$raw" append "$work/raw-append" "$appends" 373
load
"$raw" scan "$store"
load
export_bytes=$(stat -c %s "$work/export.ndjson")
for folder in "$store" "$work/replay" "$work/imported"; do
    bytes=$(stat -c %s "$folder/data.mdb")
    echo "size $folder/data.mdb: $bytes bytes = $(python3 -c "print(f'{$bytes / $export_bytes:.2f}')")x the export ($export_bytes bytes)"
done
"$docket" stats --store "$work/imported" --read-models | tail -n +3
rm -rf "$work/raw-append"
