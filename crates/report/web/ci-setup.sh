#!/usr/bin/env bash
# Installs what the HTML report's browser tests need on a fresh Debian
# machine: Debian's Chromium at /usr/bin/chromium and the pinned npm
# packages of crates/report/web (playwright-core, esbuild, sigma, ...).
# Needs Node.js >= 20 and npm already installed.
#
# Then: SWARMSCAN_BROWSER_TESTS=1 cargo test -p swarmscan-report --test browser
set -euo pipefail
cd "$(dirname "$0")"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null | grep -i chromium >&2 || true

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "ci-setup: node and npm are needed (Node.js >= 20, as playwright-core requires)" >&2
  exit 1
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
  echo "ci-setup: Node.js $(node --version) is too old: playwright-core needs >= 20" >&2
  exit 1
fi

npm ci --no-audit --no-fund --loglevel=error
echo "browser test prerequisites ready: $(node --version), playwright-core $(node -p 'require("playwright-core/package.json").version')" >&2
