#!/usr/bin/env bash
# Builds the seed corpus of every fuzz target under fuzz/corpus/ from the real
# samples in ../shared/data/real and the test fixtures (small slices, never
# whole files; fuzz/corpus/ is not committed). Usage: bash fuzz/seed.sh
set -u  # (no pipefail: `head` ends the greps early on purpose)
cd "$(dirname "$0")"
real=../../shared/data/real
fixtures=../crates/ingest/tests/data
out=corpus
mkdir -p "$out"/{read_sniffed,read_as,time,url_canon,lookalike,wordbreak,outlet_list}

n=0
for f in $(find "$real" "$fixtures" -type f \( -name '*.json' -o -name '*.jsonl' -o -name '*.csv' -o -name '*.gz' \) | sort); do
  n=$((n + 1))
  if [[ $f == *.gz ]]; then
    zcat "$f" 2>/dev/null | head -c 8192 > "$out/read_sniffed/plain-$n" || true
    head -c 8192 "$f" > "$out/read_sniffed/gz-cut-$n"
  else
    head -c 8192 "$f" > "$out/read_sniffed/plain-$n"
    head -c 8192 "$f" | gzip -c > "$out/read_sniffed/gz-$n"
  fi
  # read_as: first byte picks the format (0..9, +0x80 for a tiny record limit).
  for sel in 0 1 2 3 4 5 6 7 8 9; do
    { printf "\\x$(printf %02x "$sel")"; head -c 4096 "$out/read_sniffed/plain-$n"; } > "$out/read_as/$sel-$n"
  done
done

# Strings for the text targets, taken from the same samples.
text_of() { for f in $(find "$real" "$fixtures" -type f \( -name '*.json*' -o -name '*.csv' \) | sort); do head -c 200000 "$f"; done; }
i=0
text_of | grep -aoE '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(Z|[+-][0-9:]+)?' | sort -u | head -200 |
  while IFS= read -r t; do i=$((i + 1)); printf '%s' "$t" > "$out/time/$i"; done
text_of | grep -aoE 'https?://[^" ,\\]+' | sort -u | head -300 |
  while IFS= read -r u; do i=$((i + 1)); printf '%s' "$u" > "$out/url_canon/$i"; printf '%s' "$u" > "$out/lookalike/$i"; done
cut -f1 ../crates/domains/data/outlets.tsv | grep -v '^#' | head -100 |
  while IFS= read -r d; do i=$((i + 1)); printf '%s' "$d" > "$out/lookalike/d$i"; done
text_of | grep -aoE '"(text|full_text)": ?"[^"]{10,280}"' | head -200 |
  while IFS= read -r t; do i=$((i + 1)); printf '%s' "$t" > "$out/wordbreak/$i"; done
head -c 4096 ../crates/domains/data/outlets.tsv > "$out/outlet_list/builtin-head"
grep -v '^#' ../crates/domains/data/outlets.tsv | awk 'NR % 40 == 1' > "$out/outlet_list/sample"
for d in "$out"/*; do echo "$(basename "$d"): $(ls "$d" | wc -l) seeds"; done
