"""The run's own DuckDB connections are capped (indexpipe.duckdb_memory), spill instead, and write the same bytes."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import duckdb
import pytest
from indexpipe.duckdb_memory import PIPELINE_MEMORY_LIMIT_VARIABLE, limit_pipeline_memory
from indexpipe.ingest.validate import validate_input_dir


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    return con.execute("select current_setting(?)", [name]).fetchone()[0]


def test_the_default_cap_and_a_temporary_folder_per_in_memory_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(PIPELINE_MEMORY_LIMIT_VARIABLE, raising=False)
    with duckdb.connect() as first, duckdb.connect() as second:
        limit_pipeline_memory(first, in_memory=True)
        limit_pipeline_memory(second, in_memory=True)
        # DuckDB reads 2GB as 2 x 10^9 bytes and shows it in binary units: 2e9 / 2^30 = 1.86 GiB
        assert _setting(first, "memory_limit") == "1.8 GiB"
        folders = {Path(_setting(con, "temp_directory")) for con in (first, second)}
        assert len(folders) == 2  # DuckDB removes its folder whole when it closes: never shared
        assert all(f.parent == Path(tempfile.gettempdir()) for f in folders)


def test_the_variable_overrides_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PIPELINE_MEMORY_LIMIT_VARIABLE, "1GB")
    with duckdb.connect() as con:
        limit_pipeline_memory(con)
        assert _setting(con, "memory_limit") == "953.6 MiB"  # 10^9 / 2^20 = 953.67 MiB


def test_the_validation_connection_is_capped(small_market_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PIPELINE_MEMORY_LIMIT_VARIABLE, "1GB")
    with validate_input_dir(small_market_dir) as validated, validated.typed_connection() as con:
        assert _setting(con, "memory_limit") == "953.6 MiB"


def test_a_sort_that_spills_writes_the_same_parquet_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publication's ``copy (... order by all)`` of 2M rows of three BIGINTs (48 MB of values) under a 20 MB cap
    (which it could only finish by spilling: DuckDB raises an out-of-memory error otherwise) writes the file it
    writes with no cap, byte for byte."""
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(
            "create table t as select (i * 7919) % 1000003 as a, i % 17 as b, (hash(i) % 1000000007)::bigint as c "
            "from range(2000000) as r(i)"
        )
    monkeypatch.setenv(PIPELINE_MEMORY_LIMIT_VARIABLE, "20MB")
    digests = []
    for capped in (False, True):
        target = tmp_path / f"capped-{capped}.parquet"
        with duckdb.connect(str(db), read_only=True) as con:
            if capped:
                limit_pipeline_memory(con)
                assert _setting(con, "memory_limit") == "19.0 MiB"
            con.execute(f"copy (select * from t order by all) to '{target}' (format parquet)")
        digests.append(hashlib.sha256(target.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
