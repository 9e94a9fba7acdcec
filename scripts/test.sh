#!/usr/bin/env bash
# Runs the whole test suite (installing liblmdb-dev first if it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests read the project's shared fixtures (real emails, alert payloads, business-hours vectors), which live in
# shared/ beside the repository, as on the CI machine. Without them, say so once instead of failing ~100 tests.
if [ ! -d ../shared/fixtures ]; then
  echo "scripts/test.sh: test fixtures not found at $(cd .. && pwd)/shared/fixtures; put the project's shared/ folder beside this clone (see README)" >&2
  exit 66
fi
scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build "$@"
