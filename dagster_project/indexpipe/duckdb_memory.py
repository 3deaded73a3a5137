"""How much memory DuckDB may take inside the pipeline's own process (not dbt's: dbt_project/profiles.yml).

A build runs two large processes one after the other: the run's process (input validation, loading, the Great
Expectations frames, publication) and dbt's child. DuckDB's default limit is 80% of the machine's memory, so in
the run's process a large input or mart took what it found: publishing ``fct_index_holdings`` (``order by all``
of 8.8M rows) took 2.4 GB on the default market and grew with the market's length. Capped, DuckDB spills the
sort to disk and writes the same bytes (a sort's result does not depend on where its runs were kept).

``INDEXPIPE_PIPELINE_MEMORY_LIMIT`` overrides the cap (a DuckDB size, e.g. ``3GB``); docs/memory.md gives the
measurements behind the default.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

import duckdb

PIPELINE_MEMORY_LIMIT_VARIABLE = "INDEXPIPE_PIPELINE_MEMORY_LIMIT"
# DuckDB reads GB as 10^9 bytes: 1,907 MiB of buffers beside the run's ~650 MiB of Python (Dagster, GE, pandas)
DEFAULT_PIPELINE_MEMORY_LIMIT = "2GB"
_databases = itertools.count()


def pipeline_memory_limit() -> str:
    return os.environ.get(PIPELINE_MEMORY_LIMIT_VARIABLE, "").strip() or DEFAULT_PIPELINE_MEMORY_LIMIT


def limit_pipeline_memory(
    con: duckdb.DuckDBPyConnection, in_memory: bool = False
) -> duckdb.DuckDBPyConnection:
    """Cap ``con``'s database (a SET, not ``config=``: a second connection to the same file with another config
    than the first is refused). An in-memory database spills to ``.tmp`` of the working directory by default: it
    gets a folder of its own under the system's temporary directory instead (DuckDB creates it when it first
    spills and removes it, whole, when the database closes: so never shared)."""
    con.execute("set memory_limit = ?", [pipeline_memory_limit()])
    if in_memory:
        folder = Path(tempfile.gettempdir()) / f"indexpipe-duckdb-{os.getpid()}-{next(_databases)}"
        con.execute("set temp_directory = ?", [str(folder)])
    return con


def connect_read_only_capped(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection of the run's own steps (the checks, the publication), capped like its others (the
    commands that only read a built warehouse use indexpipe.warehouse.read_only, with its one-line errors)."""
    return limit_pipeline_memory(duckdb.connect(str(db), read_only=True))
