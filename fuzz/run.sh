#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, one at a time,
# one process each (in-process, like `-jobs=1`), on the stable toolchain without sanitizers.
# Installs cargo-fuzz 0.13.2 if missing and seeds the corpus if absent.
# Usage: bash fuzz/run.sh [SECONDS] [TARGET...]   (default 30 s, all targets)
# Summary lines go to stdout: target, seconds, execs, crash (yes/no).
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(read_sniffed read_as time url_canon lookalike wordbreak outlet_list)
fi
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz@0.13.2
[ -d corpus/read_sniffed ] || bash seed.sh >/dev/null
cargo fuzz build -s none --release
mkdir -p logs
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  log="logs/$t.log"
  # RAYON_NUM_THREADS=1: the readers' parallel drivers stay on one core.
  if RAYON_NUM_THREADS=1 cargo fuzz run -s none --release "$t" "corpus/$t" -- \
      -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"$log" 2>&1; then
    crash=no
  else
    crash=yes
    status=1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  echo "$t ${secs}s execs=${execs:-?} crash=$crash"
  if [ $crash = yes ]; then
    tail -40 "$log"
    echo "a crash input is in fuzz/artifacts/$t/; replay it with: cargo fuzz run -s none --release $t fuzz/artifacts/$t/<file>"
  fi
done
exit $status
