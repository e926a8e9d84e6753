"""CooRTweet's two main functions under their own names, for its users.

``detect_groups`` and ``generate_coordinated_network`` follow CooRTweet
(Righetti & Balluff; checked against its code at d31a008): the same columns
in and out, the same filters, the same orientation of each pair, the same
aggregation. Checked in ``tests/test_coortweet.py`` against the real
package's output on its own Russian retweet data (the reference files are
made by ``scripts/coortweet_reference.R``).

What differs:

* ``detect_groups`` returns a pandas frame whose rows are sorted by
  ``object_id, content_id, content_id_y`` (CooRTweet's order follows its
  data.table grouping); the rows are the same.
* ``generate_coordinated_network`` returns a ``networkx.Graph`` instead of an
  igraph graph, with the same edge attributes. Only the full network is
  built: ``fast_net=True`` and ``subgraph`` 2 and 3, which need CooRTweet's
  ``flag_speed_share``, raise ``ValueError``.
* Account ids are ordered by Python's string order where CooRTweet uses R's
  ``pmin``/``pmax`` (the locale's collation; the same for the hexadecimal
  ids of CooRTweet's data).

Both need pandas (``pip install swarmscan[pandas]``); the graph needs
networkx.
"""

from __future__ import annotations

from typing import Any

REQUIRED = ("object_id", "account_id", "content_id", "timestamp_share")


def _frame(x: Any):
    import pandas as pd

    if isinstance(x, pd.DataFrame):
        df = x.copy()
    elif hasattr(x, "__arrow_c_stream__"):
        import pyarrow as pa

        df = pa.table(x).to_pandas()
    else:
        df = pd.DataFrame(x)
    if "id_account" in df.columns and "account_id" not in df.columns:
        df = df.rename(columns={"id_account": "account_id"})
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ValueError(
            "detect_groups needs the columns object_id, account_id, content_id and timestamp_share; "
            f"missing: {', '.join(missing)}"
        )
    return df


def detect_groups(x: Any, time_window: int = 10, min_participation: int = 2, remove_loops: bool = True):
    """Pairs of shares of the same object within ``time_window`` seconds.

    ``x`` holds ``object_id`` (what is shared: a retweeted tweet, a URL, a
    hashtag), ``account_id``, ``content_id`` (the share itself) and
    ``timestamp_share`` (Unix seconds). Accounts with fewer than
    ``min_participation`` shares are left out first; ``remove_loops`` drops
    pairs of an account with itself, of a content with itself and of the
    object's own post; then only pairs with a content of an account that has
    ``min_participation`` contents among the pairs are kept.

    Returns ``object_id, account_id, account_id_y, content_id, content_id_y,
    time_delta``: ``account_id``/``content_id`` is the earlier share of the
    pair (on equal times, the one CooRTweet's row order puts first) and
    ``time_delta`` the absolute difference in seconds.
    """
    import numpy as np
    import pandas as pd

    df = _frame(x)
    for c in ("object_id", "account_id", "content_id"):
        df[c] = df[c].astype(str)
    df["timestamp_share"] = df["timestamp_share"].astype("int64")
    df = df[list(REQUIRED)].reset_index(drop=True)

    # Accounts with enough shares, rows grouped by account in order of first
    # appearance (data.table's `by`), which fixes each pair's orientation.
    counts = df.groupby("account_id", sort=False)["account_id"].transform("size")
    df = df[counts >= min_participation]
    first = pd.factorize(df["account_id"])[0]
    df = df.iloc[np.argsort(first, kind="stable")].reset_index(drop=True)

    obj = pd.factorize(df["object_id"])[0].astype(np.int64)
    t = df["timestamp_share"].to_numpy(np.int64)
    n = len(df)
    empty = pd.DataFrame(
        {
            "object_id": pd.Series(dtype=str),
            "account_id": pd.Series(dtype=str),
            "account_id_y": pd.Series(dtype=str),
            "content_id": pd.Series(dtype=str),
            "content_id_y": pd.Series(dtype=str),
            "time_delta": pd.Series(dtype=np.int64),
        }
    )
    if n == 0:
        return empty

    # Every pair of shares of one object within the window: sort by (object,
    # time) and take, for each share, the later ones up to time + window.
    order = np.lexsort((t, obj))
    span = int(t.max() - t.min()) + int(time_window) + 1
    key = obj[order] * span + (t[order] - t.min())
    hi = np.searchsorted(key, key + int(time_window), side="right")
    starts = np.arange(n) + 1
    counts = hi - starts
    i = np.repeat(np.arange(n), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    j = i + 1 + offsets
    a, b = order[i], order[j]
    # CooRTweet's pair (x, i) has x before i in its row order.
    xr, yr = np.minimum(a, b), np.maximum(a, b)

    content = df["content_id"].to_numpy(object)
    account = df["account_id"].to_numpy(object)
    objects = df["object_id"].to_numpy(object)
    delta = t[xr] - t[yr]
    keep = np.ones(len(xr), dtype=bool)
    if remove_loops:
        keep &= objects[xr] != content[xr]
        keep &= objects[xr] != content[yr]
        keep &= content[xr] != content[yr]
        keep &= account[xr] != account[yr]
    xr, yr, delta = xr[keep], yr[keep], delta[keep]

    if min_participation >= 1:
        in_pairs = set(content[xr]) | set(content[yr])
        rows = df[df["content_id"].isin(in_pairs)]
        enough = rows.groupby("account_id", sort=False)["account_id"].transform("size") >= min_participation
        allowed = set(rows.loc[enough, "content_id"])
        keep = np.fromiter((c in allowed for c in content[xr]), bool, len(xr)) | np.fromiter(
            (c in allowed for c in content[yr]), bool, len(yr)
        )
        xr, yr, delta = xr[keep], yr[keep], delta[keep]

    # The earlier share first.
    swap = delta > 0
    first_row = np.where(swap, yr, xr)
    second_row = np.where(swap, xr, yr)
    out = pd.DataFrame(
        {
            "object_id": objects[first_row],
            "account_id": account[first_row],
            "account_id_y": account[second_row],
            "content_id": content[first_row],
            "content_id_y": content[second_row],
            "time_delta": np.abs(delta),
        }
    )
    if out.empty:
        return empty
    return out.sort_values(["object_id", "content_id", "content_id_y"], kind="stable").reset_index(drop=True)


def generate_coordinated_network(
    x: Any, fast_net: bool = False, edge_weight: float = 0.5, subgraph: int = 0, objects: bool = False
):
    """The network of :func:`detect_groups`' pairs, as a ``networkx.Graph``.

    One edge per pair of accounts, with ``weight`` (the pairs of shares),
    ``avg_time_delta``, ``n_content_id``, ``n_content_id_y``,
    ``edge_symmetry_score`` (the smaller of the two distinct-content counts
    over the larger), ``weight_threshold`` (1 where ``weight`` exceeds the
    ``edge_weight`` quantile of all weights, R's default quantile) and, with
    ``objects``, ``object_ids`` (comma-separated). ``subgraph=1`` keeps only
    the edges over the threshold and their accounts.
    """
    import networkx as nx
    import numpy as np
    import pandas as pd

    if not (isinstance(edge_weight, (int, float)) and 0 <= edge_weight <= 1):
        raise ValueError("edge_weight must be a numeric value between 0 and 1")
    if fast_net or subgraph in (2, 3):
        raise ValueError(
            "fast_net and subgraphs 2 and 3 need CooRTweet's flag_speed_share, which swarmscan does not have"
        )
    df = x.copy() if isinstance(x, pd.DataFrame) else pd.DataFrame(x)
    if "id_user" in df.columns and "account_id" not in df.columns:
        df = df.rename(columns={"id_user": "account_id"})
    a = df["account_id"].astype(str)
    b = df["account_id_y"].astype(str)
    df["account_id"], df["account_id_y"] = np.where(a <= b, a, b), np.where(a <= b, b, a)
    g = df.groupby(["account_id", "account_id_y"], sort=False)
    agg = pd.DataFrame(
        {
            "weight": g.size(),
            "avg_time_delta": g["time_delta"].mean(),
            "n_content_id": g["content_id"].nunique(),
            "n_content_id_y": g["content_id_y"].nunique(),
        }
    )
    agg["edge_symmetry_score"] = np.minimum(agg["n_content_id"], agg["n_content_id_y"]) / np.maximum(
        agg["n_content_id"], agg["n_content_id_y"]
    )
    if objects:
        agg["object_ids"] = g["object_id"].agg(lambda s: ",".join(pd.unique(s)))
    threshold = float(np.quantile(agg["weight"].to_numpy(float), edge_weight)) if len(agg) else 0.0
    agg["weight_threshold"] = (agg["weight"] > threshold).astype(int)
    graph = nx.Graph()
    for (u, v), row in agg.iterrows():
        if subgraph == 1 and row["weight_threshold"] != 1:
            continue
        attrs = row.to_dict()
        for k in ("weight", "n_content_id", "n_content_id_y", "weight_threshold"):
            attrs[k] = int(attrs[k])
        graph.add_edge(u, v, **attrs)
    return graph
