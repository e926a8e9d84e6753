#!/usr/bin/env bash
# The Ballista cluster against the local engine, side by side on one input
# (issue #18): a scheduler and EXECUTORS executors of VCORES task slots on
# this machine, then `swarmscan network NETWORKS` (or, with NETWORKS =
# `scan`, `swarmscan scan`) locally and with `--cluster`, alternating, each
# under /usr/bin/time. Prints wall time and peak RSS of each run and the
# executors' peak RSS, and checks that the edge lists (the scan's outputs)
# are byte-identical.
#
#   scripts/cluster_bench.sh INPUT [NETWORKS|scan] [EXECUTORS] [VCORES] [PARTITIONS] [ROUNDS]
#
# SWARMSCAN: a release binary built with `--features cluster`
# (default target/release/swarmscan).
set -euo pipefail

input=${1:?usage: cluster_bench.sh INPUT [NETWORKS] [EXECUTORS] [VCORES] [PARTITIONS] [ROUNDS]}
networks=${2:-co_link,co_repost,co_reply,co_text,co_hashtag}
executors=${3:-2}
vcores=${4:-1}
partitions=${5:-8}
rounds=${6:-2}
bin=${SWARMSCAN:-target/release/swarmscan}
work=$(mktemp -d "${TMPDIR:-/tmp}/swarmscan-cluster-bench.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1" >&2
  exit 1
}

sched=$(port)
"$bin" cluster scheduler --listen "127.0.0.1:$sched" >/dev/null 2>&1 &
pids+=($!)
wait_port "$sched"
for i in $(seq "$executors"); do
  flight=$(port)
  grpc=$(port)
  mkdir -p "$work/exec$i"
  "$bin" cluster executor --scheduler "127.0.0.1:$sched" \
    --external-host 127.0.0.1 --port "$flight" --grpc-port "$grpc" --vcores "$vcores" --work-dir "$work/exec$i" \
    >/dev/null 2>&1 &
  pids+=($!)
  wait_port "$flight"
done

echo "input: $input; networks: $networks; $executors executors × $vcores task slots; $partitions partitions"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $($bin --version)"
printf '%-8s %6s %10s %14s\n' run round wall_s peak_rss_MB
for r in $(seq "$rounds"); do
  for how in local cluster; do
    out="$work/$how"
    rm -rf "$out"
    mkdir -p "$out"
    extra=()
    [ "$how" = cluster ] && extra=(--cluster "127.0.0.1:$sched" --partitions "$partitions" --staging-dir "$work")
    if [ "$networks" = scan ]; then
      SOURCE_DATE_EPOCH=0 /usr/bin/time -f '%e %M' -o "$work/time" "$bin" -q scan "$input" --out "$out" "${extra[@]}"
    else
      /usr/bin/time -f '%e %M' -o "$work/time" "$bin" -q network "$networks" "$input" -o "$out/{network}.csv" \
        --summary-json "$out/summary.json" "${extra[@]}"
    fi
    read -r wall rss <"$work/time"
    printf '%-8s %6s %10s %14.0f\n' "$how" "$r" "$wall" "$((rss / 1024))"
    python3 - "$out/summary.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
t = s.get("timings_s", {})
if "signals_and_tests" in t:
    print("         " + ", ".join("%s %.1f s" % (k, v) for k, v in t.items() if "/" not in k))
else:
    print("         read %.1f s; " % t.get("read", 0) + ", ".join(
        "%s %.1f s (%d edges)" % (k, v["timings_s"]["extract"] + v["timings_s"]["compute_and_write"], v["edges"])
        for k, v in s["results"].items() if isinstance(v, dict) and "timings_s" in v))
EOF
  done
  for f in "$work/local"/*.csv "$work/local"/*.html "$work/local"/*.gexf "$work/local"/*.graphml; do
    [ -e "$f" ] || continue
    cmp -s "$f" "$work/cluster/$(basename "$f")" || { echo "DIFFERENT: $(basename "$f")" >&2; exit 1; }
  done
  echo "         round $r: the outputs are byte-identical ($(ls "$work/local" | grep -vc summary.json) files)"
done
# Peak RSS of the servers (VmHWM), read before stopping them.
hwm() { awk '/VmHWM/{printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
echo "scheduler peak RSS: $(hwm "${pids[0]}") MB"
for i in $(seq "$executors"); do echo "executor $i peak RSS: $(hwm "${pids[$i]}") MB"; done
