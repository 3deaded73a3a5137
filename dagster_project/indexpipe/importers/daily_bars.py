"""Reader for archives of per-ticker daily bar CSVs (``data/<TICKER>.csv`` inside ``*.tar.xz``).

Each CSV is ``Date,Open,High,Low,Close,Adj Close,Volume`` with timestamps at midnight New York time written in
UTC (``2020-07-27 04:00:00+00:00``); the file name is the ticker in the archive's spelling (``BRK.B``,
``ABR.PRD``, ``AACT.WS``), which is the canonical one. The archives are streamed once (xz cannot seek) into one
scratch CSV with the ticker in front of every row, outside the output directory, and DuckDB reads that file in
one parallel scan: thousands of small files cost more to create and delete than to parse.
"""

from __future__ import annotations

import tarfile
from collections.abc import Sequence
from pathlib import Path

import duckdb

from indexpipe.ingest.files import sql_ident, sql_string

_HEADER = b"ticker,Date,Open,High,Low,Close,Adj Close,Volume\n"
_COLUMNS = (
    "{'ticker': 'VARCHAR', 'Date': 'VARCHAR', 'Open': 'DOUBLE', 'High': 'DOUBLE', 'Low': 'DOUBLE', "
    "'Close': 'DOUBLE', 'Adj Close': 'DOUBLE', 'Volume': 'DOUBLE'}"
)


def ticker_of(member_name: str) -> str:
    return member_name.rsplit("/", 1)[-1].removesuffix(".csv").upper()


def _first_per_day(rows: list[bytes]) -> list[bytes]:
    """The rows of a file with each day once (the first row of a day written twice)."""
    days = [row[:10] for row in rows]
    if len(set(days)) == len(days):
        return rows
    seen: set[bytes] = set()
    return [row for row, day in zip(rows, days, strict=True) if not (day in seen or seen.add(day))]


def combine_archives(archives: Sequence[Path], target: Path) -> int:
    """Stream every ``*.csv`` member of the archives into ``target`` as ``ticker,<bar columns>`` rows; the
    number of ticker files written. A ticker found in two archives keeps the first archive's file, and a day
    written twice in one file its first row."""
    seen: set[str] = set()
    with target.open("wb") as out:
        out.write(_HEADER)
        for archive in archives:
            with tarfile.open(archive, "r|*") as tar:
                for member in tar:
                    if not member.isfile() or not member.name.endswith(".csv"):
                        continue
                    ticker = ticker_of(member.name)
                    handle = tar.extractfile(member)
                    if ticker in seen or handle is None:
                        continue
                    data = handle.read().replace(b"\r\n", b"\n")
                    rows = data[data.find(b"\n") + 1 :].rstrip(b"\n").split(b"\n")
                    if rows == [b""]:
                        continue
                    seen.add(ticker)
                    prefix = ticker.encode() + b","
                    out.write(prefix + (b"\n" + prefix).join(_first_per_day(rows)) + b"\n")
    return len(seen)


def load_bars(con: duckdb.DuckDBPyConnection, combined: Path, table: str) -> int:
    """Create ``table(ticker, date, close, volume)`` from the combined CSV; returns the number of rows."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {sql_ident(table)} AS
        SELECT ticker, CAST(left(Date, 10) AS DATE) AS date, Close AS close, Volume AS volume
        FROM read_csv({sql_string(str(combined))}, header = true, auto_detect = false, columns = {_COLUMNS})
        WHERE Close IS NOT NULL AND Close > 0
        """
    )
    return con.execute(f"SELECT count(*) FROM {sql_ident(table)}").fetchall()[0][0]
