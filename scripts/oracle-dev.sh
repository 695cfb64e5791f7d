#!/bin/sh
# Developer shortcut: stage the build and run the oracle on some cases (default: all but formail).
# usage: scripts/oracle-dev.sh [case-glob...]   results/diffs in /tmp/sluice-oracle-results
set -e
cd "$(dirname "$0")/.."
impl=/tmp/sluice-oracle-impl
rm -rf "$impl"; mkdir -p "$impl"; cp -r bin dist "$impl/"; chmod -R a+rX "$impl"
O=${SLUICE_SHARED:-../shared}/oracle
if [ $# -eq 0 ]; then set -- $(ls -d "$O"/cases/*/ | grep -v '/18[0-9]-formail-') test/oracle-cases/*/; fi
exec "$O/compare.sh" "$impl/bin/sluice procmail" "$@"
