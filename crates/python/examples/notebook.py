# %% [markdown]
# # swarmscan in a notebook
#
# Load a collection, scan it for coordinated accounts, look at the clusters in
# pandas and draw one with networkx. Each `# %%` is a cell (VS Code, Jupyter
# with jupytext, Spyder); `python examples/notebook.py [DIR]` runs it whole
# (CI does), writing its figure and report into DIR.
#
# Needs: `pip install ./crates/python pandas networkx matplotlib`.

# %%
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed; remove in a notebook
import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd

import swarmscan

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="swarmscan-notebook-"))
out.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# A collection to try it on: synthetic activity with planted operations and
# their labels (use your own data instead: any path, or a pandas frame).

# %%
files = swarmscan.generate(out / "data", scale=0.05, seed=7)
frame = pd.read_csv(files["events"], dtype=str, keep_default_na=False)  # your own frame would go here
frame.head()

# %% [markdown]
# Scan it. Every record is accounted for; the tables come back as Arrow.

# %%
result = swarmscan.scan(frame)
print(result)
print(result.summary["ingest"]["files"][0]["parsed"], "events read")
clusters = result.clusters.to_pandas()
clusters[["cluster_id", "size", "score", "signals", "why"]]

# %%
accounts = result.accounts.to_pandas()
accounts.groupby("cluster_id").size().rename("members")

# %% [markdown]
# How good is it? The generator's labels say which accounts were planted.

# %%
scores = swarmscan.eval(result, files["labels"])
print({k: round(scores[k], 3) for k in ("precision", "recall", "f1")})

# %% [markdown]
# Draw the largest cluster.

# %%
graph = result.to_networkx()
biggest = int(clusters.sort_values("size", ascending=False).iloc[0]["cluster_id"])
members = [n for n, d in graph.nodes(data=True) if d["cluster_id"] == biggest]
sub = graph.subgraph(members)
fig, ax = plt.subplots(figsize=(6, 6))
nx.draw_networkx(sub, ax=ax, node_size=120, with_labels=False, width=[0.5 + d["weight"] / 4 for *_, d in sub.edges(data=True)])
ax.set_title(f"cluster {biggest}: {len(members)} accounts")
fig.savefig(out / "cluster.png", dpi=80)

# %% [markdown]
# The interactive report, and the CLI's output files.

# %%
result.report(out / "report.html")
result.write(out / "scan")
print("wrote", out / "report.html", "and", out / "cluster.png")
assert len(members) >= 3 and scores["precision"] > 0.9
