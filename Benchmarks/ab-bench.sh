#!/usr/bin/env bash
# Alternates release binaries on one warm store, round by round, and compares each with the first by the ratio of
# their times in the same round (wall times on this VM move by 10-20 % between phases of a few minutes; a ratio within
# a round does not):
#
#   Benchmarks/ab-bench.sh ROUNDS STORE ARGS... -- DOCKET [DOCKET...]
#
# runs `DOCKET ARGS... --store STORE` for each DOCKET in turn, ROUNDS times (e.g. `rebuild`: the store's models are
# rebuilt in place each time, so STORE must be a copy, opened once before so that the first round does not catch its
# models up: never a seeded store that others read). Prints each DOCKET's
# wall and CPU (user + system) minimum and median, and each one's per-round wall ratios to the first DOCKET with their
# median, and the median CPU ratio. Used in session 19 to tell changes of 2-5 % apart (Benchmarks/README.md).
set -euo pipefail
rounds="$1" store="$2"
shift 2
args=()
while [ "$1" != "--" ]; do args+=("$1"); shift; done
shift
export DOCKET_USER=ann
for round in $(seq "$rounds"); do
    for docket in "$@"; do
        /usr/bin/time -f "$docket %e %U %S" "$docket" "${args[@]}" --store "$store" > /dev/null
    done
done 2>&1 | python3 -c '
import statistics, sys
dockets = sys.argv[1:]
wall = {d: [] for d in dockets}
cpu = {d: [] for d in dockets}
for line in sys.stdin:
    fields = line.split()
    if len(fields) == 4 and fields[0] in wall:
        wall[fields[0]].append(float(fields[1]))
        cpu[fields[0]].append(float(fields[2]) + float(fields[3]))
for d in dockets:
    print(f"{d}: wall min {min(wall[d]):.2f} median {statistics.median(wall[d]):.2f} s, CPU min {min(cpu[d]):.2f} median {statistics.median(cpu[d]):.2f} s")
first = dockets[0]
for d in dockets[1:]:
    ratios = [a / b for a, b in zip(wall[d], wall[first])]
    cpu_ratios = [a / b for a, b in zip(cpu[d], cpu[first])]
    print(f"{d} / {first}: wall ratios " + " ".join(f"{r:.2f}" for r in ratios)
          + f", median {statistics.median(ratios):.3f}; CPU median {statistics.median(cpu_ratios):.3f}")
' "$@"
