#!/usr/bin/env bash
# The bulk rebuild path of issue 10 §3 (folding the log into every read model), next to the raw LMDB cursor scan
# of the same store in the same run:
#
#   Benchmarks/folds-bench.sh RAW_LMDB STORE WORK DOCKET [DOCKET...]
#
# RAW_LMDB is the release `raw-lmdb` tool (Tools/RawLMDB), STORE a store seeded by `seed-billing STORE N --sla`
# (the seeder writes no read models; STORE is only read), WORK a scratch folder (emptied, then removed). For each
# release DOCKET, e.g. the previous one and this one (step by step, each step for every DOCKET in turn):
#   - the first open of a copy of STORE (`docket stats`): every read model caught up from the log, as on the first
#     open after a format change;
#   - `docket rebuild` (all) on that copy;
#   - `docket replay --as-of $AS_OF` (default 2030-01-01: the whole log) into a new folder (with `--no-snapshots` when
#     the binary has it, so every event is folded and no snapshot is written, and `--standalone` when it has that, so
#     the replay copies the log as a docket before linked replays did: like for like);
# each under peak-memory.py (wall, CPU = user + system of the child, peak anonymous and file-backed RSS), with the
# machine's load. Then the read-model digests of the copies and replays of every DOCKET are printed (they must be
# equal), and the raw scan is measured again. `$DOCKET_FOLD_THREADS` is passed on (a docket before it ignores it).
# `ROUNDS=N` runs all of it N times over new copies (wall times on this VM move by ~10 % from one round to the next);
# `LINKED=1` makes the replay a linked one (the replay's folder uses STORE's log in place: `docket`'s default since
# linked replays) instead of `--standalone`. Used for 1M and 10M (`seed-billing STORE 10000000 --sla`: 4.7 GB, 70 s).
set -euo pipefail
raw="$1" store="$2" work="$3"
shift 3
export DOCKET_USER=ann
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
measure() { python3 "$here/peak-memory.py" "$@"; }
load() { echo "  (load: $(uptime | sed 's/.*load average: //'))"; }
rm -rf "$work" && mkdir -p "$work"
"$raw" scan "$store"
load
for round in $(seq "${ROUNDS:-1}"); do
    round_label=""
    [ "${ROUNDS:-1}" -gt 1 ] && round_label="round $round: "
    # Every copy made (and synced) first, then each step for every DOCKET in turn: run one binary's steps after the
    # other's, the second ran on a page cache the first had churned and came out slower whichever it was (session 16).
    n=0
    for docket in "$@"; do
        n=$((n + 1))
        # Synced: the copy's dirty pages would otherwise be written back during the first commit's fsync and counted.
        cp -r "$store" "$work/live$n"
    done
    sync
    for step in open rebuild replay; do
        n=0
        for docket in "$@"; do
            n=$((n + 1))
            label="${round_label}$(basename "$docket")"
            case "$step" in
            open)
                measure "$label first open (every read model caught up)" -- "$docket" stats --store "$work/live$n" ;;
            rebuild)
                measure "$label rebuild (all)" -- "$docket" rebuild --store "$work/live$n" ;;
            replay)
                flags=()
                if "$docket" replay --help 2>/dev/null | grep -q -- --no-snapshots; then flags+=(--no-snapshots); fi
                if [ "${LINKED:-0}" != 1 ] && "$docket" replay --help 2>/dev/null | grep -q -- --standalone; then flags+=(--standalone); fi
                measure "$label replay --as-of ${AS_OF:-2030-01-01} (all read models${flags[*]:+, ${flags[*]}})" -- \
                    "$docket" replay --store "$work/live$n" --as-of "${AS_OF:-2030-01-01}" --into "$work/replay$n" "${flags[@]}"
                echo "  the replay's data.mdb: $(du -m "$work/replay$n/data.mdb" | cut -f1) MB" ;;
            esac
            load
        done
    done
    n=0
    for docket in "$@"; do
        n=$((n + 1))
        for folder in "$work/live$n" "$work/replay$n"; do
            echo "digests of $folder ($(basename "$docket")):"
            "$docket" stats --store "$folder" --read-models | grep -E '[0-9a-f]{64}' | awk '{ print "  " $1, $NF }'
        done
        rm -rf "$work/live$n" "$work/replay$n"
    done
done
"$raw" scan "$store"
load
rm -rf "$work"
