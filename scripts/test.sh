#!/bin/sh
# The whole test suite: build, type-check, unit/integration tests (node:test), then the
# procmail differential oracle (needs root and procmail installed; see .ci/run).
# `sh scripts/test.sh unit` runs only the node:test part.
set -e
cd "$(dirname "$0")/.."
npm run --silent build
npm run --silent typecheck
files=$(find test -name '*.test.ts' | sort)
if [ "$1" = unit ]; then
  exec node --import tsx --test --test-reporter=spec $files
fi
exec node --import tsx --test --test-reporter=spec --test-concurrency=1 $files
