#!/usr/bin/env bash
# Coverage of our lookalike test set by dnstwist (the usual lookalike generator) versus
# what swarmscan-domains reports, on crates/domains/tests/data/lookalikes.txt.
#
#   bash crates/domains/scripts/compare_dnstwist.sh [OUT_DIR]
#
# dnstwist works forwards: for each outlet in the test set it generates its candidate list
# (`dnstwist --format list --tld ICANN_TLDS OUTLET`, no DNS lookups); a lookalike counts as
# covered when it is in the candidate list of the outlet it imitates. swarmscan works
# backwards: every lookalike is checked once (`--example check_list`) and counts when it is
# reported as imitating that outlet (or a same-name outlet). Needs network access to PyPI
# for the first install only (shared/peers/dnstwist/setup.sh).
set -euo pipefail

CRATE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$CRATE/../.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
OUT="${1:-$ROOT/target/dnstwist-compare}"
LOOKALIKES="$CRATE/tests/data/lookalikes.txt"
export PEERS_VENV="${PEERS_VENV:-${TMPDIR:-/tmp}/swarmscan-peers/venv}"
mkdir -p "$OUT/candidates"

echo "== installing dnstwist ($SHARED/peers/dnstwist/setup.sh)"
bash "$SHARED/peers/dnstwist/setup.sh"
DNSTWIST="$PEERS_VENV/bin/dnstwist"

echo "== ICANN top-level domains for --tld (from the PSL copy shipped by the 'tld' package)"
"$PEERS_VENV/bin/python" - "$OUT/icann_tlds.txt" <<'PY'
import pathlib, sys, tld
res = pathlib.Path(tld.__file__).parent / "res" / "effective_tld_names_public_only.dat.txt"
tlds = set()
for line in res.read_text(encoding="utf-8").splitlines():
    line = line.strip()
    if not line or line.startswith("//") or "." in line or line[0] in "*!":
        continue
    tlds.add(line.encode("idna").decode("ascii"))
pathlib.Path(sys.argv[1]).write_text("".join(t + "\n" for t in sorted(tlds)))
print(len(tlds), "TLDs")
PY

echo "== dnstwist candidates for every imitated outlet"
grep -v '^#' "$LOOKALIKES" | cut -f2 | sort -u > "$OUT/outlets.txt"
start=$(date +%s)
xargs -P "$(nproc)" -I{} sh -c \
  '"$0" --format list --tld "$1" "{}" > "$2/{}.txt" 2>/dev/null || true' \
  "$DNSTWIST" "$OUT/icann_tlds.txt" "$OUT/candidates" < "$OUT/outlets.txt"
echo "$(wc -l < "$OUT/outlets.txt") outlets in $(( $(date +%s) - start )) s," \
  "$(cat "$OUT"/candidates/*.txt | wc -l) candidates"

echo "== swarmscan-domains on the same lookalikes"
start=$(date +%s)
(cd "$ROOT" && cargo run -q --release -p swarmscan-domains --example check_list -- "$LOOKALIKES") \
  > "$OUT/swarmscan.csv"
echo "checked in $(( $(date +%s) - start )) s (including the build)"

"$PEERS_VENV/bin/python" - "$LOOKALIKES" "$OUT" <<'PY'
import csv, pathlib, sys
from collections import defaultdict
lookalikes, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
rows = [l.split("\t") for l in lookalikes.read_text().splitlines() if l and not l.startswith("#")]
found = {r["domain"]: r for r in csv.DictReader(open(out / "swarmscan.csv"))}
label = lambda d: d.split(".")[0]
cands = {}
def candidates(outlet):
    if outlet not in cands:
        path = out / "candidates" / f"{outlet}.txt"
        cands[outlet] = {l.strip().lower() for l in path.read_text().splitlines()} if path.exists() else set()
    return cands[outlet]
per = defaultdict(lambda: [0, 0, 0, 0])
detail = []
for domain, imitates, rule in rows:
    d = domain.lower()
    tw = d in candidates(imitates)
    f = found.get(d)
    ss = f is not None and (f["imitates"] == imitates or label(f["imitates"]) == label(imitates))
    p = per[rule]
    p[0] += 1; p[1] += tw; p[2] += ss; p[3] += tw and not ss
    detail.append(f"{domain}\t{imitates}\t{rule}\t{'dnstwist' if tw else '-'}\t{'swarmscan' if ss else '-'}")
(out / "detail.tsv").write_text("domain\timitates\trule\tdnstwist\tswarmscan\n" + "\n".join(detail) + "\n")
print(f"{'rule':<30}{'lookalikes':>11}{'dnstwist':>10}{'swarmscan':>11}{'dnstwist only':>15}")
tot = [0, 0, 0, 0]
for rule in sorted(per):
    p = per[rule]
    tot = [a + b for a, b in zip(tot, p)]
    print(f"{rule:<30}{p[0]:>11}{p[1]:>10}{p[2]:>11}{p[3]:>15}")
print(f"{'total':<30}{tot[0]:>11}{tot[1]:>10}{tot[2]:>11}{tot[3]:>15}")
print(f"dnstwist covers {tot[1]/tot[0]:.1%}, swarmscan reports {tot[2]/tot[0]:.1%}; details in {out/'detail.tsv'}")
PY
