#!/usr/bin/env bash
# The quality matrix of issue #14: `swarmscan gen` scenarios × scales × seeds,
# each scanned with default parameters and scored with `swarmscan eval`.
# Prints one markdown table on stdout (progress on stderr). The full matrix
# (--all, 120 cells) took 16 min on the loaded 2-core development VM.
#
#   usage: scripts/quality_matrix.sh [--tuning | --held-out | --all] [--summary]
#                                    [--scenarios a,b,...] [--scales S,S,...]
#                                    [--seeds N,N,...] [--big] [--keep DIR] [--tsv FILE]
#          scripts/quality_matrix.sh --render FILE [--summary]
#
# Seeds are split in two: TUNING seeds (1 2 3) may be looked at while
# changing the method; HELD-OUT seeds (101 102 103) are only for reporting,
# never for choosing parameters. The table's first column says which split
# a row belongs to. Default: both splits.
#
# Per row: events and accounts written by gen; precision (`—` when nothing
# is flagged), recall, F1 over operation members; fans and organic accounts
# flagged (n/N); members flagged per operation kind (n/N, `—` where the
# scenario has none); members with at least two events of their operation
# flagged (n/N, rate) and their share of all members ("ceiling": a member
# with fewer gives no co-action test anything to count); significant / tested pairs of the scan; scan wall time
# and peak memory; and which of the #14 targets the cell misses (F1 ≥ 0.95,
# precision ≥ 0.97, ≤ 1 % of fans, ≤ 0.1 % of accounts on organic-only
# data; `ok` when none). The summary pools the seeds of a split, scenario
# and scale (sums of counts, not means of rates).
#
# Options:
#   --scenarios   presets to run [all of them]
#   --scales      override every scenario's scales (below) [per scenario]
#   --seeds       override the split's seeds
#   --big         also run the default preset at scale 10
#   --summary     print a second table: the seeds pooled per split, scenario and scale
#   --keep DIR    keep generated data and scan outputs under DIR (else a temp dir, removed)
#   --tsv FILE    also write the raw rows (tab-separated) to FILE
#   --render FILE print the tables of a FILE written by --tsv, running nothing
#
# Environment:
#   SWARMSCAN     the binary [target/release/swarmscan]
#   SCAN_ARGS     extra arguments for `swarmscan scan` [none]
#   SWARMSCAN_THREADS  worker threads of gen and scan [all cores]
#
# Scales per scenario (millions of events before any focus filter):
#   default 0.02 0.1 1 (and 10 with --big), small 0.02 0.05, focused 0.3 1,
#   op-heavy 0.05 0.3, fast-fans 0.1 1, quiet-ring 0.1 1, slow-links 0.1 1,
#   waves 0.1 1, organic-only 0.05 0.3 1.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${SWARMSCAN:-$ROOT/target/release/swarmscan}"
TUNING_SEEDS="1 2 3"
HELDOUT_SEEDS="101 102 103"
SPLITS="tuning held-out"
SCENARIOS="default small focused op-heavy fast-fans quiet-ring slow-links waves organic-only"
SCALES_OVERRIDE=""
SEEDS_OVERRIDE=""
BIG=0
SUMMARY=0
KEEP=""
TSV_OUT=""
RENDER=""

while [ $# -gt 0 ]; do
    case "$1" in
        --tuning) SPLITS="tuning" ;;
        --held-out) SPLITS="held-out" ;;
        --all) SPLITS="tuning held-out" ;;
        --summary) SUMMARY=1 ;;
        --big) BIG=1 ;;
        --scenarios) SCENARIOS="${2//,/ }"; shift ;;
        --scales) SCALES_OVERRIDE="${2//,/ }"; shift ;;
        --seeds) SEEDS_OVERRIDE="${2//,/ }"; shift ;;
        --keep) KEEP="$2"; shift ;;
        --tsv) TSV_OUT="$2"; shift ;;
        --render) RENDER="$2"; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

KINDS="cloned_news repost_ring copypasta reply_swarm slow_link hashtag_push"

# `n/N` of a group kind in eval's JSON, `0/0` when absent.
share() { jq -r --arg k "$2" '(.by_kind[$k] // {flagged:0,accounts:0}) | "\(.flagged)/\(.accounts)"' "$1"; }

run_matrix() {
[ -x "$BIN" ] || { echo "no swarmscan binary at $BIN (build it with cargo build --release, or set SWARMSCAN)" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is needed to read eval's JSON" >&2; exit 2; }

scales_of() {
    if [ -n "$SCALES_OVERRIDE" ]; then echo "$SCALES_OVERRIDE"; return; fi
    case "$1" in
        default) if [ "$BIG" = 1 ]; then echo "0.02 0.1 1 10"; else echo "0.02 0.1 1"; fi ;;
        small) echo "0.02 0.05" ;;
        focused) echo "0.3 1" ;;
        op-heavy) echo "0.05 0.3" ;;
        organic-only) echo "0.05 0.3 1" ;;
        *) echo "0.1 1" ;;
    esac
}

if [ -n "$KEEP" ]; then
    WORK="$KEEP"
    mkdir -p "$WORK"
else
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/quality-matrix.XXXXXX")"
    trap 'rm -rf "$WORK"' EXIT
fi

TSV="$WORK/rows.tsv"
: > "$TSV"

for split in $SPLITS; do
    if [ -n "$SEEDS_OVERRIDE" ]; then seeds="$SEEDS_OVERRIDE";
    elif [ "$split" = tuning ]; then seeds="$TUNING_SEEDS"; else seeds="$HELDOUT_SEEDS"; fi
    for scenario in $SCENARIOS; do
        for scale in $(scales_of "$scenario"); do
            for seed in $seeds; do
                cell="$WORK/$scenario-$scale-$seed"
                rm -rf "$cell"
                echo "[$split] $scenario scale $scale seed $seed" >&2
                "$BIN" --quiet gen --out "$cell/data" --scenario "$scenario" --scale "$scale" --seed "$seed" --formats cnt
                start=$(date +%s.%N)
                rc=0
                # shellcheck disable=SC2086
                /usr/bin/time -f '%M' -o "$cell/rss" "$BIN" --quiet scan "$cell/data/events.csv" --out "$cell/scan" ${SCAN_ARGS:-} || rc=$?
                end=$(date +%s.%N)
                if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
                    echo "scan failed (exit $rc) on $cell" >&2
                    exit 1
                fi
                "$BIN" --quiet eval "$cell/scan" --labels "$cell/data/labels.csv" --json "$cell/eval.json"
                ev="$cell/eval.json"
                events=$(jq -r '.generator.events' "$cell/data/operations.json")
                accounts=$(jq -r '.generator.accounts' "$cell/data/operations.json")
                kinds=""
                for k in $KINDS; do kinds="$kinds	$(share "$ev" "$k")"; done
                secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
                rss=$(tail -n 1 "$cell/rss" 2>/dev/null || echo 0)
                pairs=$(jq -r '"\(.results.significant_pairs)\t\(.results.tested_pairs)"' "$cell/scan/summary.json")
                # Members with two or more events of their operation (the
                # most any co-action test can see): flagged/total.
                visible=$(jq -r '[.by_participation[]? | select(.lo >= 2)] | "\(map(.flagged) | add // 0)/\(map(.members) | add // 0)"' "$ev")
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s%s\t%.1f\t%s\t%s\t%s\n' \
                    "$split" "$scenario" "$scale" "$seed" "$events" "$accounts" \
                    "$(jq -r '.positives' "$ev")" "$(jq -r '.flagged' "$ev")" "$(jq -r '.true_positives' "$ev")" \
                    "$(jq -r '.labelled' "$ev")" "$(share "$ev" fan)" "$(share "$ev" organic)" "$kinds" \
                    "$secs" "$rss" "$pairs" "$visible" >> "$TSV"
                [ -z "$TSV_OUT" ] || cp "$TSV" "$TSV_OUT"
                [ -n "$KEEP" ] || rm -rf "$cell"
            done
        done
    done
done
}

if [ -n "$RENDER" ]; then
    TSV="$RENDER"
else
    run_matrix
fi

# The tables, from the TSV rows (awk: no further dependencies).
awk -F'\t' -v summary="$SUMMARY" '
function num(s,   a) { split(s, a, "/"); return a[1] + 0 }
function den(s,   a) { split(s, a, "/"); return a[2] + 0 }
function nn(n, d) { return d > 0 ? n "/" d : "—" }
function fmt(x) { return x < 0 ? "—" : sprintf("%.2f", x) }
# Members with ≥ 2 events of their operation, flagged (rate), and their
# share of all members (the recall no co-action test can exceed); "—" for
# rows written before the column existed.
function visible(s) { return (s == "" || den(s) == 0) ? "—" : sprintf("%s (%.2f)", s, num(s) / den(s)) }
function ceiling(s, pos) { return (s == "" || pos == 0) ? "—" : sprintf("%.2f", den(s) / pos) }
function thousands(n,   s) { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s); return s }
# Scores of pooled counts: sets P R F (-1 = undefined) and returns the misses.
function score(pos, flagged, tp, labelled, fan_n, fan_d,   miss) {
    P = (pos > 0 && flagged > 0) ? tp / flagged : -1
    R = pos > 0 ? tp / pos : -1
    F = (P > 0 && R > 0) ? 2 * P * R / (P + R) : (pos > 0 ? 0 : -1)
    miss = ""
    if (pos > 0) {
        if (F < 0.95) miss = miss " F1"
        if (P >= 0 && P < 0.97) miss = miss " P"
    } else if (labelled > 0 && flagged / labelled > 0.001) miss = miss " organic>0.1%"
    if (fan_d > 0 && fan_n / fan_d > 0.01) miss = miss " fans>1%"
    return miss == "" ? "ok" : substr(miss, 2)
}
BEGIN {
    print "| split | scenario | scale | seed | events | accounts | precision | recall | F1 | fans flagged | organic flagged | cloned_news | repost_ring | copypasta | reply_swarm | slow_link | hashtag_push | members with ≥ 2 events: flagged | ceiling | pairs sig/tested | scan s | scan MB | misses |"
    print "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
}
{
    miss = score($7, $8, $9, $10, num($11), den($11))
    kinds = ""
    for (i = 13; i <= 18; i++) kinds = kinds " | " nn(num($i), den($i))
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s%s | %s | %s | %s/%s | %s | %d | %s |\n", $1, $2, $3, $4, thousands($5), thousands($6), fmt(P), fmt(R), fmt(F), nn(num($11), den($11)), nn(num($12), den($12)), kinds, visible($23), ceiling($23, $7), $21, $22, $19, $20 / 1024, miss
    key = $1 SUBSEP $2 SUBSEP $3
    if (!(key in n)) order[++keys] = key
    n[key]++; ev[key] += $5; pos[key] += $7; fl[key] += $8; tp[key] += $9; lab[key] += $10; st[key] += $19
    if (miss != "ok") below[key]++
    for (i = 11; i <= 18; i++) { cn[key, i] += num($i); cd[key, i] += den($i) }
    if ($23 != "") { vn[key] += num($23); vd[key] += den($23) } else vna[key] = 1
}
END {
    if (!summary) exit
    print ""
    print "| split | scenario | scale | seeds | events (mean) | precision | recall | F1 | fans flagged | organic flagged | cloned_news | repost_ring | copypasta | reply_swarm | slow_link | hashtag_push | members with ≥ 2 events: flagged | ceiling | scan s (mean) | cells below target |"
    print "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    for (j = 1; j <= keys; j++) {
        k = order[j]; split(k, parts, SUBSEP); c = n[k]
        miss = score(pos[k], fl[k], tp[k], lab[k], cn[k, 11], cd[k, 11])
        kinds = ""
        for (i = 13; i <= 18; i++) kinds = kinds " | " nn(cn[k, i], cd[k, i])
        vs = (k in vna) ? "" : vn[k] "/" vd[k]
        printf "| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s%s | %s | %s | %.1f | %d of %d (%s) |\n", parts[1], parts[2], parts[3], c, thousands(ev[k] / c), \
            fmt(P), fmt(R), fmt(F), nn(cn[k, 11], cd[k, 11]), nn(cn[k, 12], cd[k, 12]), kinds, visible(vs), ceiling(vs, pos[k]), st[k] / c, below[k] + 0, c, miss
    }
}' "$TSV"
