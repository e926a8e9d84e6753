#!/usr/bin/env python3
"""Reads a scan's network.gexf and network.graphml with networkx (an
independent GEXF/GraphML reader, as graph tools use) and checks that they
hold exactly the accounts of accounts.csv and the edges of edges.csv, with
their attributes.

    python3 scripts/check_graph_exports.py SCAN_DIR
"""
import csv
import math
import sys

import networkx as nx


def main(d):
    with open(f"{d}/accounts.csv", newline="") as f:
        accounts = {r["account_id"]: r for r in csv.DictReader(f)}
    with open(f"{d}/edges.csv", newline="") as f:
        edges = [r for r in csv.DictReader(f)]
    assert accounts and edges, "the scan reported nothing to check"
    want = sorted((min(r["source"], r["target"]), max(r["source"], r["target"]), r["signal"], int(r["weight"]), float(r["p_value"])) for r in edges)
    for name, read in (("network.gexf", nx.read_gexf), ("network.graphml", nx.read_graphml)):
        g = read(f"{d}/{name}")
        assert set(g.nodes) == set(accounts), f"{name}: nodes differ from accounts.csv"
        for n, a in g.nodes(data=True):
            row = accounts[n]
            assert str(a["cluster"]) == row["cluster_id"], (name, n, a, row)
            assert a["username"] == row["username"], (name, n, a, row)
            assert math.isclose(a["score"], float(row["score"]), abs_tol=5e-5), (name, n, a, row)
        got = sorted((min(u, v), max(u, v), a["signal"], int(a["weight"]), a["p_value"]) for u, v, a in g.edges(data=True))
        assert len(got) == len(want), f"{name}: {len(got)} edges, edges.csv has {len(want)}"
        for x, y in zip(got, want):
            assert x[:4] == y[:4] and math.isclose(x[4], y[4], rel_tol=1e-3), (name, x, y)
        print(f"{name}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges, attributes match the CSVs (networkx {nx.__version__})")


if __name__ == "__main__":
    main(sys.argv[1])
