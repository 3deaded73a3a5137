"""Write validated input into schema ``raw`` of the warehouse, one transaction per call.

The warehouse is ATTACHed to the validation connection, so the typed views built while validating feed the
inserts directly (CSV is parsed once). It is attached only here, after validation succeeded, and DETACHed
before returning: DuckDB allows one read-write process per file, and dbt runs right after us.

Every write appends to ``raw._load_log`` in the same transaction, so the log never claims a load that
was rolled back.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from indexpipe.contract import PRICES, TABLES, TABLES_BY_NAME, Table
from indexpipe.ingest.files import sql_ident, sql_string
from indexpipe.ingest.validate import SQL_TYPES, ValidatedInput, typed_view_name, validate_input_dir

RAW_SCHEMA = "raw"
LOAD_LOG_TABLE = "_load_log"
REFERENCE_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if t.name != PRICES.name)

_WAREHOUSE = "indexpipe_warehouse"  # attach alias; unlikely to collide with anything a caller attaches
_LOAD_LOG_COLUMNS = (
    "table_name VARCHAR, source_file VARCHAR, window_start DATE, window_end DATE, row_count BIGINT, "
    "content_sha256 VARCHAR, loaded_at TIMESTAMP"
)


@dataclass(frozen=True)
class LoadResult:
    """Rows written per table and how long it took (the caller publishes rows/second)."""

    row_counts: dict[str, int]
    table_seconds: dict[str, float]
    seconds: float  # wall time of the whole call, attach to detach
    window_start: date | None = None
    window_end: date | None = None

    @property
    def rows(self) -> int:
        return sum(self.row_counts.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class _Write:
    table: Table
    start: date | None = None
    end: date | None = None
    windowed: bool = False  # False: replace the whole table

    def predicate(self) -> str:
        date_column = sql_ident("date")
        bounds = []
        if self.start is not None:
            bounds.append(f"{date_column} >= DATE '{self.start.isoformat()}'")
        if self.end is not None:
            bounds.append(f"{date_column} <= DATE '{self.end.isoformat()}'")
        return " AND ".join(bounds) or "TRUE"


def load_reference_tables(
    validated: ValidatedInput, duckdb_path: Path, tables: Iterable[str] = REFERENCE_TABLES
) -> LoadResult:
    """Replace every table in ``tables`` (non-price tables only) in ``raw``, all in one transaction."""
    names = tuple(tables)
    unknown = [n for n in names if n not in REFERENCE_TABLES]
    if unknown:
        raise ValueError(
            f"not reference tables: {', '.join(unknown)} (choose from {', '.join(REFERENCE_TABLES)})"
        )
    return _load(validated, duckdb_path, [_Write(TABLES_BY_NAME[n]) for n in names])


def load_prices_window(
    validated: ValidatedInput, duckdb_path: Path, start: date | None = None, end: date | None = None
) -> LoadResult:
    """Replace the ``raw.prices`` rows with ``start <= date <= end`` (None = unbounded) by the input's rows.

    The input is the truth for the window: a warehouse row in the window that the input lacks is removed.
    Rerunning with the same input and window leaves the table unchanged.
    """
    if start is not None and end is not None and start > end:
        raise ValueError(f"window start {start} is after its end {end}")
    whole = start is None and end is None
    write = _Write(PRICES, start, end, windowed=not whole)
    return _load(validated, duckdb_path, [write], window=(start, end))


def load_all_tables(validated: ValidatedInput, duckdb_path: Path) -> LoadResult:
    """Replace every raw table, prices included, in one transaction (a full rebuild)."""
    writes = [_Write(TABLES_BY_NAME[n]) for n in REFERENCE_TABLES] + [_Write(PRICES)]
    return _load(validated, duckdb_path, writes)


def ingest_input_dir(input_dir: Path, duckdb_path: Path) -> LoadResult:
    """Validate ``input_dir`` completely, then replace every raw table; a bad input changes nothing."""
    with validate_input_dir(input_dir) as validated:
        return load_all_tables(validated, duckdb_path)


def _load(
    validated: ValidatedInput,
    duckdb_path: Path,
    writes: list[_Write],
    window: tuple[date | None, date | None] = (None, None),
) -> LoadResult:
    started = time.perf_counter()
    validated.verify_unchanged([w.table.name for w in writes])
    path = Path(duckdb_path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    counts: dict[str, int] = {}
    seconds: dict[str, float] = {}
    with validated.typed_connection() as con:
        con.execute(f"ATTACH {sql_string(str(path))} AS {_WAREHOUSE}")
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {_WAREHOUSE}.{RAW_SCHEMA}")
                con.execute(f"CREATE TABLE IF NOT EXISTS {_raw(LOAD_LOG_TABLE)} ({_LOAD_LOG_COLUMNS})")
                for write in writes:
                    table_started = time.perf_counter()
                    counts[write.table.name] = _write_table(con, write)
                    _log(con, validated, write, counts[write.table.name], loaded_at)
                    seconds[write.table.name] = time.perf_counter() - table_started
                con.execute("COMMIT")
            except BaseException:
                _rollback(con)
                raise
        finally:
            con.execute(f"DETACH {_WAREHOUSE}")
    return LoadResult(counts, seconds, time.perf_counter() - started, *window)


def _raw(table: str) -> str:
    return f"{_WAREHOUSE}.{RAW_SCHEMA}.{sql_ident(table)}"


def _write_table(con: duckdb.DuckDBPyConnection, write: _Write) -> int:
    table = write.table
    columns = ", ".join(sql_ident(c) for c in table.column_names)
    # A total order (a permutation of the key) so a rerun writes the same rows in the same order.
    order = ", ".join(sql_ident(k) for k in table.write_order)
    select = f"SELECT {columns} FROM {typed_view_name(table.name)} WHERE {write.predicate()} ORDER BY {order}"
    if not write.windowed:
        return con.execute(f"CREATE OR REPLACE TABLE {_raw(table.name)} AS {select}").fetchone()[0]
    ddl = ", ".join(f"{sql_ident(c.name)} {SQL_TYPES[c.type]}" for c in table.columns)
    con.execute(f"CREATE TABLE IF NOT EXISTS {_raw(table.name)} ({ddl})")
    con.execute(f"DELETE FROM {_raw(table.name)} WHERE {write.predicate()}")
    return con.execute(f"INSERT INTO {_raw(table.name)} ({columns}) {select}").fetchone()[0]


def _log(
    con: duckdb.DuckDBPyConnection, validated: ValidatedInput, write: _Write, rows: int, loaded_at: datetime
) -> None:
    con.execute(
        f"INSERT INTO {_raw(LOAD_LOG_TABLE)} VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            write.table.name,
            validated.source_names(write.table.name),
            write.start,
            write.end,
            rows,
            validated.fingerprints[write.table.name],
            loaded_at,
        ],
    )


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    # The failed statement may already have ended the transaction; the original error is the one to raise.
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")


__all__ = [
    "LOAD_LOG_TABLE",
    "RAW_SCHEMA",
    "REFERENCE_TABLES",
    "LoadResult",
    "ingest_input_dir",
    "load_all_tables",
    "load_prices_window",
    "load_reference_tables",
]
