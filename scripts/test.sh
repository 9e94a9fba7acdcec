#!/usr/bin/env bash
# Runs the whole test suite (installing liblmdb-dev, libmimalloc-dev and the tests' tools first when missing: ensure-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build "$@"
