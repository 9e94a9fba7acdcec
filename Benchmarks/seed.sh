#!/usr/bin/env bash
# Prepares the CLI latency benchmarks (CLILatency, issue 3): builds the release `docket` binary, the
# `seed-store` tool and the `bare-swift` reference, then seeds the two stores (reused when already seeded).
#
#   Benchmarks/seed.sh            # then: cd Benchmarks && swift package benchmark --filter "CLI.*"
#   Benchmarks/seed.sh --force    # rebuild the stores from scratch
#
# Also builds <repo>/.build-bench-cli-static/release/docket (--static-swift-stdlib --experimental-lto-mode=full)
# unless SKIP_STATIC=1.
# DOCKET_BENCH_STORE_1M / DOCKET_BENCH_STORE_100K override the store folders (default /tmp/docket-bench-1m
# and /tmp/docket-bench-100k). The docket binary goes to <repo>/.build-bench-cli/release/docket, a scratch
# path of its own so it does not contend with the main .build.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
store_1m="${DOCKET_BENCH_STORE_1M:-/tmp/docket-bench-1m}"
store_100k="${DOCKET_BENCH_STORE_100K:-/tmp/docket-bench-100k}"
force=()
[[ "${1:-}" == "--force" ]] && force=(--force)

echo "== building the release docket binary"
(cd "$root" && swift build -c release --product docket --scratch-path "$root/.build-bench-cli")
if [[ "${SKIP_STATIC:-0}" != 1 ]]; then
  # The same CLI with the Swift runtime and Foundation linked in statically and optimized at link time, as
  # docs/operations.md installs it: CLILatency times it next to the default build when it exists (about 9-11 minutes
  # to build on 2 cores, 5 of them the link; SKIP_STATIC=1 skips it).
  echo "== building the release docket binary with --static-swift-stdlib"
  (cd "$root" && swift build -c release --product docket --static-swift-stdlib --experimental-lto-mode=full --scratch-path "$root/.build-bench-cli-static")
fi
echo "== building seed-store and bare-swift"
(cd "$here" && swift build -c release --product seed-store && swift build -c release --product bare-swift)
seed="$here/.build/release/seed-store"

echo "== seeding $store_1m: 100,000 open tickets x (10 events + 1 SLA start) (1,100,029 events)"
/usr/bin/time -f "seed-store: %e s wall, %M KiB max RSS" "$seed" --store "$store_1m" --tickets 100000 --events-per-ticket 10 "${force[@]}"
echo "== seeding $store_100k: 100,000 open tickets x (3 events + 1 SLA start) (400,029 events)"
/usr/bin/time -f "seed-store: %e s wall, %M KiB max RSS" "$seed" --store "$store_100k" --tickets 100000 --events-per-ticket 3 "${force[@]}"
du -sh "$store_1m" "$store_100k"
