"""The package against the CLI: the same results from paths, frames and
Arrow tables; errors as exceptions; buffers handed over without copying;
the GIL released and Ctrl-C honoured."""

import _thread
import csv
import filecmp
import json
import signal
import subprocess
import sys
import threading
import time

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import swarmscan

OUTPUTS = ["accounts.csv", "clusters.csv", "edges.csv", "domains.csv", "report.html", "network.gexf", "network.graphml"]
TABLES = ["accounts", "clusters", "edges", "domains"]


def rows_equal(table: pa.Table, path) -> None:
    """Every cell of `table` is the CSV's cell, read as the table's type."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert table.num_rows == len(rows)
    assert table.column_names == list(rows[0].keys()) if rows else True
    for got, want in zip(table.to_pylist(), rows):
        for name, value in got.items():
            field = table.schema.field(name).type
            if pa.types.is_integer(field):
                assert value == int(want[name]), name
            elif pa.types.is_floating(field):
                assert value == pytest.approx(float(want[name]), rel=1e-12), name
            else:
                assert value == want[name], name


def test_scan_writes_the_clis_outputs_byte_for_byte(gen, cli_scan, tmp_path):
    result = swarmscan.scan(gen / "events.csv")
    assert result.summary["results"]["clusters"] > 0, "the generated collection must have something to find"
    result.write(tmp_path)
    for name in OUTPUTS:
        assert filecmp.cmp(cli_scan / name, tmp_path / name, shallow=False), name
    summary = json.loads((tmp_path / "summary.json").read_text())
    cli_summary = json.loads((cli_scan / "summary.json").read_text())
    # The same figures, from the same function; the CLI adds where it wrote.
    want = {k: v for k, v in cli_summary["results"].items() if k != "out"}
    assert summary["results"] == want


def test_tables_hold_the_csvs_typed(gen, cli_scan):
    result = swarmscan.scan(gen / "events.csv")
    for name in TABLES:
        rows_equal(getattr(result, name), cli_scan / f"{name}.csv")
    assert result.accounts.schema.field("cluster_id").type == pa.int64()
    assert result.accounts.schema.field("score").type == pa.float64()
    assert result.accounts.schema.field("account_id").type == pa.string()


@pytest.mark.parametrize("kind", ["pandas", "pyarrow", "polars", "duckdb", "events", "list"])
def test_frames_tables_and_paths_give_the_same_scan(gen, cli_scan, tmp_path, kind):
    path = gen / "events.csv"
    if kind == "pandas":
        data = pd.read_csv(path, dtype=str, keep_default_na=False)
    elif kind == "pyarrow":
        t = pacsv.read_csv(path)
        data = t.cast(pa.schema([(f.name, pa.string()) for f in t.schema]))
    elif kind == "polars":
        import polars as pl

        data = pl.read_csv(path, infer_schema=False)
    elif kind == "duckdb":
        import duckdb

        # A query's result, as a notebook user holds one (read as text).
        data = duckdb.sql(f"select * from read_csv('{path}', all_varchar = true)")
    elif kind == "events":
        data = swarmscan.read(path)
    else:
        data = [str(path)]
    result = swarmscan.scan(data)
    result.write(tmp_path)
    for name in OUTPUTS[:4]:
        assert filecmp.cmp(cli_scan / name, tmp_path / name, shallow=False), (kind, name)


def test_read_accounts_for_every_record(tmp_path):
    p = tmp_path / "toolkit.csv"
    p.write_text(
        "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n"
        "1,a,a,,,hello,1600000000,\n"
        "2,b,b,1,,,not-a-time,\n"
        "3,c,c,1,,,1600000010,\n"
    )
    ev = swarmscan.read(p)
    assert len(ev) == 2
    (f,) = ev.accounting["files"]
    assert (f["records"], f["parsed"]) == (3, 2)
    assert sum(f["skipped"].values()) == 1
    assert f["examples"][0]["line"] == 3
    with pytest.raises(ValueError, match=r"toolkit.csv:3"):
        swarmscan.read(p, strict=True)
    # The same rows as a table: the bad row is line 3 of `<table>`.
    frame = pd.read_csv(p, dtype=str, keep_default_na=False)
    ev = swarmscan.read(frame)
    (f,) = ev.accounting["files"]
    assert (f["file"], f["records"], f["parsed"], f["examples"][0]["line"]) == ("<table>", 3, 2, 3)


def test_typed_columns_are_read_as_a_csv_would_hold_them():
    # Integer ids, a timestamp column and a list of URLs, as pandas or
    # Arrow users hold them.
    table = pa.table(
        {
            "message_id": pa.array([1, 2, 3, 4], pa.int64()),
            "user_id": ["a", "b", "c", "d"],
            "username": ["a", "b", "c", "d"],
            "repost_id": [None, None, None, None],
            "reply_id": [None, None, None, None],
            "message": ["x", "y", "z", "w"],
            # pandas' datetime64[ns] arrives as nanoseconds.
            "timestamp": pa.array(
                [1_600_000_000_000_000_000, 1_600_000_001_500_000_000, None, -250_000_000], pa.timestamp("ns")
            ),
            "urls": [["https://a.example/1", "https://b.example/2"], [], None, ["https://c.example/"]],
        }
    )
    ev = swarmscan.read(table)
    (f,) = ev.accounting["files"]
    assert (f["format"], f["records"], f["parsed"]) == ("cnt", 4, 3)
    assert f["examples"][0]["line"] == 4 and f["examples"][0]["field"] == "timestamp"
    t = ev.table.to_pydict()
    assert [str(x) for x in t["post_id"]] == ["1", "2", "4"]
    assert [x.timestamp() for x in t["ts"]] == [1_600_000_000.0, 1_600_000_001.5, -0.25]
    assert [len(u) for u in t["urls"]] == [2, 0, 1]


def test_network_equals_the_cli(gen, cli, tmp_path):
    for kind, compat in [("co_repost", "cnt"), ("co_link", None)]:
        out = tmp_path / f"{kind}.csv"
        args = ["network", kind, gen / "events.csv", "--window", "60", "--min-weight", "2", "-o", out]
        if compat:
            args += ["--compat", compat]
        cli(*args)
        table = swarmscan.network(kind, gen / "events.csv", window=60, min_weight=2, compat=compat)
        assert table.num_rows > 0, kind
        rows_equal(table, out)


def test_domains_and_eval_equal_the_cli(gen, cli, cli_scan, tmp_path):
    found = swarmscan.domains(domains=["washingtonpost.pm", "https://spiegel.ltd/article", "example.org"])
    assert found.column("domain").to_pylist() == ["spiegel.ltd", "washingtonpost.pm"]
    assert found.column("imitates").to_pylist() == ["spiegel.de", "washingtonpost.com"]
    cli("domains", gen / "events.csv", "-o", tmp_path / "domains.csv")
    rows_equal(swarmscan.domains(gen / "events.csv"), tmp_path / "domains.csv")

    cli("eval", cli_scan, "--labels", gen / "labels.csv", "--json", tmp_path / "eval.json")
    want = json.loads((tmp_path / "eval.json").read_text())
    assert swarmscan.eval(cli_scan, gen / "labels.csv") == want
    result = swarmscan.scan(gen / "events.csv")
    assert swarmscan.eval(result, pd.read_csv(gen / "labels.csv", dtype={"account_id": str})) == want
    assert want["recall"] > 0


def test_errors_are_exceptions_with_the_clis_messages(tmp_path, gen):
    with pytest.raises(OSError, match="missing.csv: cannot open"):
        swarmscan.scan(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match=r"unknown signal .*co_nothing.*known: co_repost"):
        swarmscan.scan(gen / "events.csv", signals=["co_nothing"])
    with pytest.raises(ValueError, match="fdr must be between 0 and 1"):
        swarmscan.scan(gen / "events.csv", fdr=2)
    with pytest.raises(ValueError, match="format not recognised"):
        swarmscan.read(pa.table({"a": [1, 2], "b": ["x", "y"]}))
    with pytest.raises(ValueError, match="needs a --columns mapping"):
        swarmscan.read(gen / "events.csv", format="csv")
    with pytest.raises(TypeError, match="data must be a path"):
        swarmscan.scan(42)
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(OSError, match="garbage.bin: format not recognised"):
        swarmscan.read(garbage)
    # Columns Arrow cannot print as CSV cells are an error, not a crash.
    nested = pa.table({"user_id": [{"x": 1}], "message_id": ["1"]})
    with pytest.raises((ValueError, OSError)):
        swarmscan.read(nested)


def test_result_buffers_reach_pyarrow_without_a_copy(gen):
    native = swarmscan._swarmscan.scan(([str(gen / "events.csv")], None, None, None, False))
    table, addresses = native._table_with_addresses("accounts")
    t = pa.table(table)
    assert t.num_rows > 0
    for column, built in zip(t.columns, addresses):
        (chunk,) = column.chunks
        seen = [b.address for b in chunk.buffers()[1:] if b is not None]
        assert seen == built, column


def test_the_engine_runs_without_the_gil(gen):
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    start = time.perf_counter()
    swarmscan.scan(gen / "events.csv")
    end = time.perf_counter()
    stop.set()
    t.join()
    during = [x for x in ticks if start < x < end]
    # With the GIL held the other thread could not run at all until the end.
    assert len(during) > 10 and max(b - a for a, b in zip(during, during[1:])) < 0.5


def test_ctrl_c_stops_a_scan(gen):
    start = time.perf_counter()
    swarmscan.scan(gen / "events.csv")
    full = time.perf_counter() - start
    # Python leaves SIGINT ignored when it starts ignoring it (a background
    # job of a non-interactive shell, as CI may be): handle it as a terminal
    # session does, so interrupt_main is Ctrl-C.
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        timer = threading.Timer(full / 10, _thread.interrupt_main)
        start = time.perf_counter()
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            swarmscan.scan(gen / "events.csv")
        stopped = time.perf_counter() - start
        timer.cancel()
    finally:
        signal.signal(signal.SIGINT, old)
    assert stopped < full, (stopped, full)


def test_report_and_graph(gen, cli_scan, tmp_path):
    result = swarmscan.scan(gen / "events.csv")
    result.report(tmp_path / "r.html")
    assert filecmp.cmp(cli_scan / "report.html", tmp_path / "r.html", shallow=False)
    g = result.to_networkx()
    assert set(g.nodes) == set(result.accounts.column("account_id").to_pylist())
    pairs = {tuple(sorted(p)) for p in zip(result.edges.column("source").to_pylist(), result.edges.column("target").to_pylist())}
    assert g.number_of_edges() == len(pairs)
    clusters = {d["cluster_id"] for _, d in g.nodes(data=True)}
    assert clusters == set(result.clusters.column("cluster_id").to_pylist())


def test_the_package_needs_only_pyarrow(gen):
    # numpy, pandas and networkx are optional: blocked here, the core still runs.
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('numpy', 'pandas', 'networkx'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import swarmscan\n"
        f"r = swarmscan.scan({str(gen / 'events.csv')!r})\n"
        "assert r.clusters.num_rows > 0\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
