"""Fixtures: the CLI binary the package is compared with, and small generated
collections written by it (`swarmscan gen`)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
REAL = REPO.parent / "shared" / "data" / "real"


def _binary() -> Path:
    env = os.environ.get("SWARMSCAN_BIN")
    if env:
        return Path(env)
    for profile in ("debug", "release"):
        p = REPO / "target" / profile / "swarmscan"
        if p.exists():
            return p
    found = shutil.which("swarmscan")
    if found:
        return Path(found)
    pytest.fail("no swarmscan binary: run `cargo build` first or set SWARMSCAN_BIN")


@pytest.fixture(scope="session")
def cli():
    """Runs the CLI with SOURCE_DATE_EPOCH fixed, as the package's runs are."""
    binary = _binary()

    def run(*args: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, SOURCE_DATE_EPOCH="1")
        return subprocess.run([str(binary), "-q", *map(str, args)], check=True, env=env, capture_output=True, text=True)

    return run


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")


@pytest.fixture(scope="session")
def gen(cli, tmp_path_factory):
    """A generated collection with planted operations: events.csv, labels.csv."""
    out = tmp_path_factory.mktemp("gen")
    cli("gen", "--scale", "0.03", "--seed", "5", "--formats", "cnt", "--out", out)
    return out


@pytest.fixture(scope="session")
def cli_scan(cli, gen, tmp_path_factory):
    """The CLI's scan of `gen`."""
    out = tmp_path_factory.mktemp("cli-scan")
    cli("scan", gen / "events.csv", "--out", out)
    return out
