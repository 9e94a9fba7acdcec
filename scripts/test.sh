#!/usr/bin/env bash
# Runs the whole test suite (installing liblmdb-dev first if it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build "$@"
