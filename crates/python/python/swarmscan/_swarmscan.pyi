"""Type stubs of the native module (crates/python/src/lib.rs). Use the
functions of the `swarmscan` package; these are its building blocks."""

from os import PathLike
from typing import Any

__version__: str

class ScanOutput:
    def table(self, name: str) -> Any: ...
    def _table_with_addresses(self, name: str) -> tuple[Any, list[list[int]]]: ...
    def summary_json(self) -> str: ...
    def write(self, name: str, path: str | PathLike[str]) -> None: ...

# `input`: (paths, table, format, columns, strict)
Input = tuple[list[str], Any, str | None, str | None, bool]

def read(input: Input) -> tuple[Any, str]: ...
def scan(
    input: Input,
    fdr: float = 0.01,
    min_cluster: int = 3,
    similarity: float = 0.6,
    signals: list[str] | None = None,
    windows: list[tuple[str, float | None]] = ...,
    seed: int = 42,
    memory_limit: int | None = None,
    outlets: str | PathLike[str] | None = None,
) -> ScanOutput: ...
def network(
    kind: str,
    input: Input,
    window: float | None = None,
    min_weight: int | None = None,
    compat: str | None = None,
    similarity: float = 0.8,
    min_doc_tokens: int = 1,
    evidence: int = 5,
) -> Any: ...
def domains(
    input: Input | None = None,
    domains: list[str] = ...,
    outlets: str | PathLike[str] | None = None,
    blocklist: str | PathLike[str] | None = None,
    strict: bool = False,
) -> Any: ...
def evaluate(
    labels: dict[str, str],
    flagged: dict[str, int],
    positive_prefix: str = "op_",
    actions: dict[str, int] | None = None,
) -> str: ...
def generate(out: str | PathLike[str], scale: float | None = None, seed: int = 42, scenario: str = "default") -> list[str]: ...
def default_memory_limit() -> int | None: ...
