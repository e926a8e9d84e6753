#!/usr/bin/env bash
# Builds the report's script from source: installs the exact packages of
# package-lock.json, then bundles into crates/report/assets/.
#
#   crates/report/web/build.sh           rebuild and write the assets (commit them)
#   crates/report/web/build.sh --check   fail if the committed assets differ from a rebuild
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
node build.mjs "$@"
