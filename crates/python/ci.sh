#!/usr/bin/env bash
# The Python package as a user installs it, then its tests and the example
# notebook (run by .ci/run after `cargo test`, whose debug build of the
# engine the wheel reuses: MATURIN_PEP517_ARGS="--profile dev"; a user's
# `pip install ./crates/python` builds in release).
#
#   bash crates/python/ci.sh            # from the repository root
set -euo pipefail
cd "$(dirname "$0")/../.."

venv="${TMPDIR:-/tmp}/swarmscan-python-ci"
rm -rf "$venv"
python3 -m venv "$venv"
py="$venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check 'pip>=24' 2>&1 | grep -v "as the 'root' user" || true
"$py" -m pip install -q --disable-pip-version-check \
  'pytest>=8,<10' 'pandas>=2,<4' 'networkx>=3.2,<4' 'matplotlib>=3.8,<4' 'polars>=1,<3' 'duckdb>=1,<3' 2>&1 | grep -v "as the 'root' user" || true

start=$(date +%s)
MATURIN_PEP517_ARGS="${MATURIN_PEP517_ARGS:---profile dev}" \
  "$py" -m pip install -q --disable-pip-version-check ./crates/python 2>&1 | grep -v "as the 'root' user" || true
"$py" -c 'import swarmscan; print("installed swarmscan", swarmscan.__version__)'
echo "wheel built and installed in $(( $(date +%s) - start )) s"

export SWARMSCAN_BIN="${SWARMSCAN_BIN:-$PWD/target/debug/swarmscan}"
[ -x "$SWARMSCAN_BIN" ] || cargo build -q -p swarmscan
(cd crates/python/tests && "$py" -m pytest -q -p no:cacheprovider)
"$py" crates/python/examples/notebook.py "${TMPDIR:-/tmp}/swarmscan-notebook"
