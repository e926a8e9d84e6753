#!/usr/bin/env bash
# Co-action networks: coordination-network-toolkit 1.5.2 against `swarmscan
# network --compat cnt` on the same generated input, in one run, plus
# swarmscan alone at a larger size. Writes WORKDIR/results.md (the tables of
# BENCHMARKS.md, "Co-action networks").
#
#   usage: scripts/bench_networks.sh [WORKDIR]
#
# For each scale in SIZES (millions of events, `swarmscan gen --seed 42`):
#   * the toolkit: run_cnt.sh (preprocess, then compute + CSV export per
#     network), KEEP_EMPTY_URL=1 so that it computes its real semantics
#     (messages without URLs share the URL "") — the same semantics as
#     swarmscan's compatibility mode, so the outputs are also compared;
#   * swarmscan: all six networks in one invocation (one read), RUNS times,
#     fastest kept; and each network in its own invocation (read included);
#   * `swarmscan inspect` (read only), to separate the detector's memory
#     from the event table's.
# Then swarmscan alone at BIG (millions): the default mode on every network
# but co_post, and the compatibility mode on co_retweet, co_tweet,
# co_similar_tweet and co_reply (co_post and the toolkit's co_link, where all
# URL-less posts match, grow with the square of the event rate: at 10M
# events over one week they are billions of pairs).
#
# Environment (defaults in brackets):
#   SIZES         scales compared with the toolkit                  [0.1 1]
#   BIG           scale for swarmscan alone; empty to skip          [10]
#   TW MINW SIM   window s, min weight, co_similar threshold        [60 2 0.8]
#   RUNS          swarmscan repetitions (fastest kept)              [3]
#   STEP_TIMEOUT  seconds before a toolkit step is killed           [1200]
#   SKIP_TOOLKIT  1 = swarmscan only                                [0]
#   SHARED        the shared folder beside the checkout             [../shared]
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
WORK="${1:-$(mktemp -d "${TMPDIR:-/tmp}/bench-networks.XXXXXX")}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
SIZES="${SIZES:-0.1 1}"
BIG="${BIG-10}"
TW="${TW:-60}"
MINW="${MINW:-2}"
SIM="${SIM:-0.8}"
RUNS="${RUNS:-3}"
export STEP_TIMEOUT="${STEP_TIMEOUT:-1200}"
SKIP_TOOLKIT="${SKIP_TOOLKIT:-0}"
NETS="co_retweet co_link co_tweet co_similar_tweet co_reply co_post"
BIN="$ROOT/target/release/swarmscan"
export PEERS_VENV="${PEERS_VENV:-${TMPDIR:-/tmp}/swarmscan-peers/venv}"
PY=python3
RES="$WORK/results.md"

stable() { case "$1" in co_retweet) echo co_repost;; co_tweet) echo co_text;; co_similar_tweet) echo co_similar;; *) echo "$1";; esac; }
# wall seconds and max RSS (kB) from a /usr/bin/time -v file
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.2f", s}' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }
json() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

echo "== build"
(cd "$ROOT" && cargo build --release -p swarmscan) || exit 1
[ "$SKIP_TOOLKIT" = 1 ] || bash "$SHARED/peers/cnt/setup.sh" || exit 1

{
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ {print $2}') GiB;"
  echo "commit $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet || echo '+changes'), $(date -u +%Y-%m-%d)."
  echo "Command: \`scripts/bench_networks.sh\` (SIZES='$SIZES' BIG='$BIG' TW=$TW MINW=$MINW SIM=$SIM RUNS=$RUNS STEP_TIMEOUT=$STEP_TIMEOUT)."
  echo
} > "$RES"

for scale in $SIZES; do
  D="$WORK/s$scale"
  mkdir -p "$D"
  echo "== scale $scale: data"
  [ -f "$D/gen/events.csv" ] || "$BIN" -q gen --out "$D/gen" --scale "$scale" --seed 42 || exit 1
  IN="$D/gen/events.csv"
  ROWS=$(( $(wc -l < "$IN") - 1 ))

  if [ "$SKIP_TOOLKIT" != 1 ]; then
    echo "== scale $scale: toolkit"
    KEEP_EMPTY_URL=1 TW="$TW" MINW="$MINW" SIM="$SIM" STEPS="$NETS" \
      bash "$SHARED/peers/cnt/run_cnt.sh" "$IN" "$D/cnt" > "$D/cnt.log" 2>&1
    tail -n 20 "$D/cnt.log"
  fi

  echo "== scale $scale: swarmscan"
  /usr/bin/time -v -o "$D/time_inspect.txt" "$BIN" -q inspect "$IN"
  ALL="co_retweet,co_link,co_tweet,co_similar_tweet,co_reply,co_post"
  best=""
  for r in $(seq "$RUNS"); do
    rm -f "$D"/ss_*.csv
    /usr/bin/time -v -o "$D/time_all_$r.txt" "$BIN" -q network "$ALL" --compat cnt --window "$TW" --min-weight "$MINW" \
      --similarity "$SIM" "$IN" -o "$D/ss_{network}.csv" --summary-json "$D/summary_all_$r.json" || exit 1
    w=$(wall "$D/time_all_$r.txt")
    if [ -z "$best" ] || [ "$(echo "$w < $(wall "$D/time_all_$best.txt")" | bc)" = 1 ]; then best=$r; fi
  done
  for net in $NETS; do
    /usr/bin/time -v -o "$D/time_one_$net.txt" "$BIN" -q network "$net" --compat cnt --window "$TW" --min-weight "$MINW" \
      --similarity "$SIM" "$IN" -o /dev/null || exit 1
  done

  S="$D/summary_all_$best.json"
  EVENTS=$(json "$S" "d['events']")
  READ=$(json "$S" "round(d['timings_s']['read'], 2)")
  {
    echo "### $ROWS messages (\`swarmscan gen --scale $scale --seed 42\`)"
    echo
    echo "| network | toolkit compute + export (s) | swarmscan (s) | ratio | swarmscan alone, own read (s) | edges | same CSV |"
    echo "|---|---|---|---|---|---|---|"
  } >> "$RES"
  tk_total=0
  if [ "$SKIP_TOOLKIT" != 1 ]; then
    pre=$(awk -F'\t' '$1 == "preprocess" {print $2}' "$D/cnt/timings.tsv")
    tk_total=$pre
    echo "| preprocess / read | $pre | $READ | $(echo "scale=1; $pre / $READ" | bc)× | | | |" >> "$RES"
  fi
  for net in $NETS; do
    st=$(stable "$net")
    ss=$(json "$S" "round(sum(d['results']['$st']['timings_s'].values()), 3)")
    edges=$(json "$S" "d['results']['$st']['edges_written']")
    one=$(wall "$D/time_one_$net.txt")
    tk="—"; ratio="—"; same="—"
    if [ "$SKIP_TOOLKIT" != 1 ]; then
      c=$(awk -F'\t' -v n="$net" '$1 == n {print $2 "\t" $5}' "$D/cnt/timings.tsv")
      e=$(awk -F'\t' -v n="export_$net" '$1 == n {print $2}' "$D/cnt/timings.tsv")
      ct=$(echo "$c" | cut -f1); rc=$(echo "$c" | cut -f2)
      if [ "$rc" = 0 ] && [ -n "$e" ]; then
        tk=$(echo "$ct + $e" | bc)
        ratio="$(echo "scale=0; $tk / $ss" | bc)×"
        cmp -s "$D/cnt/$net.csv" "$D/ss_$st.csv" && same=yes || same=NO
      else
        tk="> $ct (killed)"
        ratio="> $(echo "scale=0; $ct / $ss" | bc)×"
        e=0
      fi
      tk_total=$(echo "$tk_total + $ct + ${e:-0}" | bc)
    fi
    echo "| $net | $tk | $ss | $ratio | $one | $edges | $same |" >> "$RES"
  done
  allw=$(wall "$D/time_all_$best.txt")
  allrss=$(rss "$D/time_all_$best.txt")
  irss=$(rss "$D/time_inspect.txt")
  iw=$(wall "$D/time_inspect.txt")
  {
    if [ "$SKIP_TOOLKIT" != 1 ]; then
      echo "| **total** | **$tk_total** | **$allw** (one run, read included) | **$(echo "scale=0; $tk_total / $allw" | bc)×** | | | |"
    else
      echo "| **total** | | **$allw** (one run, read included) | | | | |"
    fi
    echo
    echo "swarmscan: peak RSS $((allrss / 1024)) MiB for all six networks vs $((irss / 1024)) MiB for reading alone (\`inspect\`, ${iw} s):"
    echo "$(( (allrss - irss) * 1024 / EVENTS )) bytes per event of working memory beyond the event table."
    echo
  } >> "$RES"
done

if [ -n "$BIG" ]; then
  D="$WORK/s$BIG"
  mkdir -p "$D"
  echo "== scale $BIG: data"
  [ -f "$D/gen/events.csv" ] || "$BIN" -q gen --out "$D/gen" --scale "$BIG" --seed 42 || exit 1
  IN="$D/gen/events.csv"
  /usr/bin/time -v -o "$D/time_inspect.txt" "$BIN" -q inspect "$IN"
  echo "== scale $BIG: default mode"
  /usr/bin/time -v -o "$D/time_default.txt" "$BIN" -q network co_repost,co_link,co_reply,co_text,co_similar,co_hashtag \
    --window "$TW" --min-weight "$MINW" --similarity "$SIM" "$IN" -o "$D/default_{network}.csv" --summary-json "$D/summary_default.json"
  echo "== scale $BIG: compatibility mode"
  /usr/bin/time -v -o "$D/time_cnt.txt" "$BIN" -q network co_retweet,co_tweet,co_similar_tweet,co_reply --compat cnt \
    --window "$TW" --min-weight "$MINW" --similarity "$SIM" "$IN" -o "$D/cnt_{network}.csv" --summary-json "$D/summary_cnt.json"
  EVENTS=$(json "$D/summary_default.json" "d['events']")
  irss=$(rss "$D/time_inspect.txt")
  {
    echo "### swarmscan alone: $EVENTS events (\`swarmscan gen --scale $BIG --seed 42\`)"
    echo
    echo "| run | wall (s) | read (s) | peak RSS (MiB) | bytes/event beyond the table | per network: seconds (edges) |"
    echo "|---|---|---|---|---|---|"
    echo "| \`inspect\` (read only) | $(wall "$D/time_inspect.txt") | | $((irss / 1024)) | | |"
    for m in default cnt; do
      S="$D/summary_$m.json"
      per=$(json "$S" "', '.join('%s %.2f (%d)' % (k, sum(v['timings_s'].values()), v['edges_written']) for k, v in d['results'].items() if isinstance(v, dict))")
      r=$(rss "$D/time_$m.txt")
      echo "| $m mode | $(wall "$D/time_$m.txt") | $(json "$S" "round(d['timings_s']['read'], 2)") | $((r / 1024)) | $(( (r - irss) * 1024 / EVENTS )) | $per |"
    done
    echo
  } >> "$RES"
fi

echo "== results ($RES)"
cat "$RES"
