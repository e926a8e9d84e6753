"""swarmscan: expose coordinated influence operations in social-media data.

The engine of the ``swarmscan`` command line, for notebooks. Every function
takes ``data`` as

* a path or a list of paths (any format the CLI reads: twarc2, v1.1, IRA,
  toolkit CSV, Telegram, Bluesky, Mastodon, CrowdTangle, CooRTweet, mapped
  CSV, Parquet; plain, ``.gz`` or ``.zst``), or
* a table: anything with ``__arrow_c_stream__`` (pyarrow, polars, duckdb,
  pandas ≥ 2.2) or a pandas frame. Its columns are read as the CSV file it
  would be, so the toolkit's, CooRTweet's and the other known layouts are
  recognised by their column names, and ``columns=`` maps any other
  (``"account=user,time=created,id=post_id,..."``, as ``--columns``).
  A table returned by :func:`read` is taken as it is.

Results come back as ``pyarrow.Table`` objects whose buffers the engine
built (no copy on the way); ``.to_pandas()`` or ``polars.from_arrow`` take
it from there. Bad arguments and unreadable input raise ``ValueError`` or
``OSError`` with the CLI's messages.
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable, Mapping, Sequence

import pyarrow as pa

from . import _swarmscan, coortweet

__version__: str = _swarmscan.__version__

__all__ = ["Events", "ScanResult", "read", "scan", "network", "domains", "eval", "generate", "coortweet", "__version__"]


class Events:
    """Events read by :func:`read`: the table (swarmscan's event schema,
    ``docs/parquet.md``) and the record accounting of every input."""

    def __init__(self, table: pa.Table, accounting: dict):
        self.table = table
        #: Per input: records read, parsed and skipped by reason, with
        #: ``file:line`` examples (the CLI's ``inspect``).
        self.accounting = accounting

    def __len__(self) -> int:
        return self.table.num_rows

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self.table.__arrow_c_stream__(requested_schema)

    def to_pandas(self, **kwargs: Any):
        return self.table.to_pandas(**kwargs)

    def __repr__(self) -> str:
        files = self.accounting.get("files", [])
        skipped = sum(sum(f.get("skipped", {}).values()) for f in files)
        return f"<swarmscan.Events: {len(self)} events from {len(files)} input(s), {skipped} records skipped>"


def _input(data: Any, format: str | None, columns: str | None, strict: bool) -> tuple:
    """``data`` and how to read it, for the native module: ``(paths, table,
    format, columns, strict)``."""
    how = (format, columns, strict)
    if isinstance(data, (str, os.PathLike)):
        return ([os.fspath(data)], None, *how)
    if isinstance(data, Events):
        return ([], data.table, *how)
    if hasattr(data, "__arrow_c_stream__"):
        return ([], data, *how)
    if type(data).__module__.split(".")[0] == "pandas":
        return ([], pa.Table.from_pandas(data, preserve_index=False), *how)
    if isinstance(data, (list, tuple)) and data and all(isinstance(p, (str, os.PathLike)) for p in data):
        return ([os.fspath(p) for p in data], None, *how)
    raise TypeError(
        "data must be a path, a list of paths, or a table (pyarrow, polars, duckdb, pandas); "
        f"got {type(data).__name__}"
    )


def read(
    data: Any,
    format: str | None = None,
    columns: str | None = None,
    *,
    strict: bool = False,
) -> Events:
    """Reads events, with every record parsed or counted as skipped.

    ``format`` forces a reader (``cnt``, ``twarc2``, ``csv``, …; default:
    recognised from the content) and ``columns`` maps a CSV's or a table's
    columns (``--columns``); ``strict`` stops at the first malformed record.
    """
    table, accounting = _swarmscan.read(_input(data, format, columns, strict))
    return Events(pa.table(table), json.loads(accounting))


def _bytes(limit: int | str | None) -> int | None:
    if limit is None or isinstance(limit, int):
        return limit
    s = limit.strip().upper().removesuffix("B").removesuffix("I")
    shift = {"K": 10, "M": 20, "G": 30, "T": 40}.get(s[-1:], 0)
    number = s[:-1] if shift else s
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"expected bytes such as 8G, 512M or a number, got {limit!r}") from None
    if not value > 0:
        raise ValueError(f"the memory limit must be positive (got {limit!r})")
    return int(value * (1 << shift))


def _windows(window: Mapping[str, float | str] | str | None) -> list[tuple[str, float | None]]:
    if window is None:
        return []
    if window == "auto":
        return [("*", None)]  # every signal whose window can be estimated
    if isinstance(window, str):
        raise ValueError(f"window must be 'auto' or a mapping of signal to seconds or 'auto', got {window!r}")
    return [(s, None if w == "auto" else float(w)) for s, w in window.items()]


class ScanResult:
    """A finished scan: the tables of the output contract
    (``docs/scan.md``), the run's summary, the report and the graph."""

    def __init__(self, native: Any):
        self._native = native
        self._tables: dict[str, pa.Table] = {}
        #: ``summary.json``'s figures: events, accounts, the accounting,
        #: pairs tested and significant, signals, memory and parameters.
        self.summary: dict = json.loads(native.summary_json())

    def _table(self, name: str) -> pa.Table:
        if name not in self._tables:
            self._tables[name] = pa.table(self._native.table(name))
        return self._tables[name]

    @property
    def accounts(self) -> pa.Table:
        """``account_id, username, cluster_id, score, signals, why``: every
        flagged account."""
        return self._table("accounts")

    @property
    def clusters(self) -> pa.Table:
        """``cluster_id, size, score, signals, top_targets, why``."""
        return self._table("clusters")

    @property
    def edges(self) -> pa.Table:
        """``source, target, signal, weight, p_value, evidence``: the
        significant pairs inside reported clusters, one row per signal."""
        return self._table("edges")

    @property
    def domains(self) -> pa.Table:
        """``domain, imitates, rule, score, posts, clusters``: lookalike news
        domains shared in the data."""
        return self._table("domains")

    def report(self, path: str | os.PathLike) -> None:
        """Writes the self-contained interactive HTML report."""
        self._native.write("report.html", os.fspath(path))

    def write(self, directory: str | os.PathLike) -> None:
        """Writes the CLI's output files into ``directory``: the four CSV
        tables, ``report.html``, ``network.gexf``, ``network.graphml`` and
        ``summary.json`` last (each written whole or not at all)."""
        d = os.fspath(directory)
        os.makedirs(d, exist_ok=True)
        for name in ("accounts.csv", "clusters.csv", "edges.csv", "domains.csv", "report.html",
                     "network.gexf", "network.graphml"):
            self._native.write(name, os.path.join(d, name))
        tmp = os.path.join(d, ".summary.json.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.summary, f, indent=2)
            f.write("\n")
        os.replace(tmp, os.path.join(d, "summary.json"))

    def to_networkx(self):
        """The flagged accounts as a ``networkx.Graph``: nodes carry
        ``cluster_id``, ``score`` and ``username``; an edge joins two accounts
        with at least one significant signal, with ``signals`` (their names),
        ``weight`` (the sum of the signals' weights) and ``p_value`` (the
        smallest)."""
        import networkx as nx

        g = nx.Graph()
        for row in self.accounts.to_pylist():
            g.add_node(row["account_id"], cluster_id=row["cluster_id"], score=row["score"], username=row["username"])
        for row in self.edges.to_pylist():
            a, b = row["source"], row["target"]
            if g.has_edge(a, b):
                e = g.edges[a, b]
                e["signals"].append(row["signal"])
                e["weight"] += row["weight"]
                e["p_value"] = min(e["p_value"], row["p_value"])
            else:
                g.add_edge(a, b, signals=[row["signal"]], weight=row["weight"], p_value=row["p_value"])
        return g

    def __repr__(self) -> str:
        r = self.summary["results"]
        return f"<swarmscan.ScanResult: {r['clusters']} clusters of {r['flagged_accounts']} accounts>"


def scan(
    data: Any,
    *,
    format: str | None = None,
    columns: str | None = None,
    strict: bool = False,
    fdr: float = 0.01,
    min_cluster: int = 3,
    similarity: float = 0.6,
    signals: Sequence[str] | None = None,
    window: Mapping[str, float | str] | str | None = None,
    seed: int = 42,
    memory_limit: int | str | None = None,
    outlets: str | os.PathLike | None = None,
) -> ScanResult:
    """The main job (``swarmscan scan``): every co-action signal tested
    against the null model, clusters with their evidence, lookalike news
    domains. Parameters are the CLI's flags: ``window`` maps a signal to
    seconds or ``"auto"`` (or is ``"auto"`` for every signal that can be
    estimated); ``memory_limit`` is bytes or ``"8G"`` (default: three
    quarters of the machine's memory). The engine runs without the GIL."""
    native = _swarmscan.scan(
        _input(data, format, columns, strict),
        fdr,
        min_cluster,
        similarity,
        list(signals) if signals is not None else None,
        _windows(window),
        seed,
        _bytes(memory_limit),
        os.fspath(outlets) if outlets is not None else None,
    )
    return ScanResult(native)


def network(
    kind: str,
    data: Any,
    *,
    window: float | None = None,
    min_weight: int | None = None,
    compat: str | None = None,
    similarity: float = 0.8,
    min_doc_tokens: int = 1,
    evidence: int = 5,
    format: str | None = None,
    columns: str | None = None,
    strict: bool = False,
) -> pa.Table:
    """One co-action network (``swarmscan network``) as an edge table:
    ``co_repost``, ``co_link``, ``co_reply``, ``co_text``, ``co_similar``,
    ``co_post`` or ``co_hashtag``. ``compat="cnt"`` reproduces the
    coordination-network-toolkit 1.5.2 row for row."""
    table = _swarmscan.network(
        kind, _input(data, format, columns, strict), window, min_weight, compat, similarity, min_doc_tokens, evidence
    )
    return pa.table(table)


def domains(
    data: Any = None,
    *,
    domains: Iterable[str] | str | os.PathLike | None = None,
    outlets: str | os.PathLike | None = None,
    blocklist: str | os.PathLike | None = None,
    format: str | None = None,
    columns: str | None = None,
    strict: bool = False,
) -> pa.Table:
    """Lookalike news domains (``swarmscan domains``) among the URLs of
    ``data`` and/or the ``domains`` given (a list of domains or URLs, or a
    file with one per line): ``domain, registrable_domain, imitates, rule,
    score``. ``outlets`` adds your list of outlets to the built-in one;
    ``blocklist`` names domains never to report."""
    if data is None and domains is None:
        raise ValueError("give data, domains, or both")
    if isinstance(domains, (str, os.PathLike)):
        with open(domains, encoding="utf-8") as f:
            domains = [line.strip() for line in f if line.strip() and not line.lstrip().startswith("#")]
    table = _swarmscan.domains(
        _input(data, format, columns, strict) if data is not None else None,
        list(domains or []),
        os.fspath(outlets) if outlets is not None else None,
        os.fspath(blocklist) if blocklist is not None else None,
        strict,
    )
    return pa.table(table)


def eval(result: ScanResult | str | os.PathLike, labels: Any, *, positive_prefix: str = "op_") -> dict:
    """``swarmscan eval``: a scan's flagged accounts against labels.

    ``result`` is a :class:`ScanResult` or a scan's output directory;
    ``labels`` a path to ``labels.csv`` or a table with ``account_id`` and
    ``label`` (and ``op_actions``, as ``swarmscan gen`` writes). Returns
    precision, recall, F1, ARI, purity, the share flagged per label kind and,
    with ``op_actions``, recall by participation."""
    import pyarrow.csv as pacsv

    def strings(path: str | os.PathLike) -> pa.Table:
        t = pacsv.read_csv(os.fspath(path))
        return t.cast(pa.schema([(f.name, pa.string()) for f in t.schema]))

    accounts = result.accounts if isinstance(result, ScanResult) else strings(os.path.join(result, "accounts.csv"))
    flagged = {
        str(a): int(c)
        for a, c in zip(accounts.column("account_id").to_pylist(), accounts.column("cluster_id").to_pylist())
    }
    if isinstance(labels, (str, os.PathLike)):
        table = strings(labels)
    elif type(labels).__module__.split(".")[0] == "pandas":
        table = pa.Table.from_pandas(labels, preserve_index=False)
    else:
        table = pa.table(labels)
    for c in ("account_id", "label"):
        if c not in table.column_names:
            raise ValueError(f"labels: no column {c!r}")
    ids = [str(v) for v in table.column("account_id").to_pylist()]
    label_map = dict(zip(ids, (str(v) for v in table.column("label").to_pylist())))
    actions = None
    if "op_actions" in table.column_names:
        actions = {i: int(n) for i, n in zip(ids, table.column("op_actions").to_pylist())}
    return json.loads(_swarmscan.evaluate(label_map, flagged, positive_prefix, actions))


def generate(
    out: str | os.PathLike, *, scale: float | None = None, seed: int = 42, scenario: str = "default"
) -> dict[str, str]:
    """Synthetic activity with planted operations and their labels
    (``swarmscan gen``): writes ``events.csv`` (the toolkit's CSV),
    ``labels.csv`` and ``operations.json`` into ``out`` and returns their
    paths by name. ``scale`` is millions of events (0.1 ≈ 100,000); the
    scenarios are the CLI's (``default``, ``small``, ``focused``, …)."""
    files = _swarmscan.generate(os.fspath(out), scale, seed, scenario)
    return {os.path.splitext(os.path.basename(f))[0]: f for f in files}
