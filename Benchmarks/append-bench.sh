#!/usr/bin/env bash
# `docket event append --stdin --batch 1000` (issue 10 §4) next to the raw LMDB bulk append of as many 373-byte
# values, 1,000 per durable transaction, in the same run:
#
#   Benchmarks/append-bench.sh RAW_LMDB WORK EVENTS DOCKET [DOCKET...]
#
# RAW_LMDB is the release `raw-lmdb` tool (Tools/RawLMDB), WORK a scratch folder (emptied, then removed), EVENTS the
# number of lines (the generator of readmodels-bench.sh: a type that is not Docket's own, 300-byte payloads, one
# stream per 10 events). For each release DOCKET in turn: a new store (`docket init`, admin `ann`), then the append
# under peak-memory.py (wall, CPU = user + system, peak anonymous and file-backed RSS); the raw append before and
# after all of them, with the machine's load.
set -euo pipefail
raw="$1" work="$2" events="$3"
shift 3
export DOCKET_USER=ann
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
measure() { python3 "$here/peak-memory.py" "$@"; }
load() { echo "  (load: $(uptime | sed 's/.*load average: //'))"; }
rm -rf "$work" && mkdir -p "$work"
python3 -c "
import sys
pad = 'x' * 280
for i in range($events):
    sys.stdout.write('{\"stream\":\"bench-%d\",\"type\":\"bench.noted\",\"payload\":{\"n\":%d,\"text\":\"%s\"}}\n' % (i // 10, i, pad))
" > "$work/append.ndjson"
echo "input: $events lines, $(stat -c %s "$work/append.ndjson") bytes"
"$raw" append "$work/raw-append" "$events" 373
load
rm -rf "$work/raw-append"
n=0
for docket in "$@"; do
    n=$((n + 1))
    "$docket" init --store "$work/store$n" > /dev/null
    measure "$docket event append --stdin --batch 1000 ($events events)" -- \
        sh -c "exec \"$docket\" event append --stdin --batch 1000 --store \"$work/store$n\" < \"$work/append.ndjson\" > /dev/null"
    load
    echo "  head: $("$docket" log --store "$work/store$n" --from "$events" --limit 2 | tail -1 | cut -c1-60)"
done
"$raw" append "$work/raw-append" "$events" 373
load
rm -rf "$work"
