"""The Python bindings' overhead against the CLI (issue #21): the same scan of
the same events, alternating, several runs each.

    python scripts/bench_python.py [SCALE] [RUNS]      # default 1 (1 M events), 3

Needs the package installed in release (`pip install ./crates/python`) and a
release CLI (`cargo build --release`; or SWARMSCAN_BIN). Reports, per run,
the wall time of `swarmscan scan events.csv --out DIR` (process included),
of `swarmscan.scan("events.csv").write(DIR)` and of `swarmscan.scan(frame)
.write(DIR)` for the same events as a pandas frame of strings (the frame's
own reading with pandas not counted), and checks that the outputs agree.
"""

import filecmp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import swarmscan

REPO = Path(__file__).resolve().parents[1]
scale = sys.argv[1] if len(sys.argv) > 1 else "1"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
binary = os.environ.get("SWARMSCAN_BIN", str(REPO / "target" / "release" / "swarmscan"))
os.environ["SOURCE_DATE_EPOCH"] = "1"

work = Path(tempfile.mkdtemp(prefix="swarmscan-bench-python-"))
subprocess.run([binary, "-q", "gen", "--scale", scale, "--seed", "11", "--formats", "cnt", "--out", work / "data"], check=True)
events = work / "data" / "events.csv"
frame = pd.read_csv(events, dtype=str, keep_default_na=False)
print(f"{len(frame):,} events, {events.stat().st_size / 1e6:.0f} MB; CLI {binary}; swarmscan {swarmscan.__file__}")

times = {"cli": [], "python (path)": [], "python (pandas frame)": []}
for i in range(runs):
    t = time.perf_counter()
    subprocess.run([binary, "-q", "scan", events, "--out", work / "cli"], check=True)
    times["cli"].append(time.perf_counter() - t)
    t = time.perf_counter()
    swarmscan.scan(events).write(work / "py")
    times["python (path)"].append(time.perf_counter() - t)
    t = time.perf_counter()
    swarmscan.scan(frame).write(work / "frame")
    times["python (pandas frame)"].append(time.perf_counter() - t)

for name in ["accounts.csv", "clusters.csv", "edges.csv", "domains.csv"]:
    assert filecmp.cmp(work / "cli" / name, work / "py" / name, shallow=False), name
    assert filecmp.cmp(work / "cli" / name, work / "frame" / name, shallow=False), name
best_cli, median_cli = min(times["cli"]), statistics.median(times["cli"])
for name, ts in times.items():
    runs_s = ", ".join(f"{x:.2f}" for x in ts)
    best, median = min(ts), statistics.median(ts)
    print(
        f"{name:24} {runs_s} s   best {best:.2f} s ({100 * (best / best_cli - 1):+.1f} %), "
        f"median {median:.2f} s ({100 * (median / median_cli - 1):+.1f} %) against the CLI"
    )
