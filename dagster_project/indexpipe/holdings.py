"""`indexpipe holdings`: an index's composition at the close of a trading day, laid out like an iShares holdings file.

The rows come from the view ``fct_index_constituents_daily`` (the composition in force for the next session,
priced at the day's close), so they equal ``fct_index_holdings`` on every date that mart has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from indexpipe.warehouse import WarehouseError, connect_read_only, require_relations

FORMATS = ("csv", "parquet")

# The columns of an iShares holdings file that an index has (no notional value, FX or accrual for an index).
# Market value is the float cap the index holds; shares are the index's available shares x inclusion factor.
_SELECT = """
select
    v.ticker as "Ticker",
    v.name as "Name",
    v.icb_industry as "Sector",
    'Equity' as "Asset Class",
    v.float_market_cap as "Market Value",
    100 * v.weight as "Weight (%)",
    v.index_shares as "Shares",
    v.price as "Price",
    d.exchange as "Exchange",
    'USD' as "Currency"
from main.fct_index_constituents_daily as v
join main.dim_security as d using (security_id)
where v.index_code = $index_code and v.date = $day
order by v.weight desc, v.ticker, v.security_id
"""


@dataclass(frozen=True)
class HoldingsFile:
    path: Path
    index_code: str
    index_name: str
    day: date
    requested: date
    rows: int
    market_value: float


def default_path(index_code: str, day: date, fmt: str) -> Path:
    return Path(f"{index_code}_holdings_{day.isoformat()}.{fmt}")


def _row(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> tuple | None:
    """The first row, reading the result to its end (DuckDB 2 keeps a half-read result open on the connection)."""
    rows = con.execute(sql, params).fetchall()
    return rows[0] if rows else None


def _index_name(con: duckdb.DuckDBPyConnection, index_code: str) -> str:
    row = _row(con, "select index_name from main.dim_index where index_code = ?", [index_code])
    if row is None:
        codes = [r[0] for r in con.execute("select index_code from main.dim_index order by all").fetchall()]
        raise WarehouseError(f"unknown index {index_code!r}; the warehouse has {', '.join(codes)}")
    return row[0]


def _trading_day(con: duckdb.DuckDBPyConnection, requested: date) -> date:
    """The last session on or before the requested date, within the span the warehouse prices."""
    first, last = _row(
        con,
        "select (select min(as_of_date) from main.fct_index_holdings), (select max(date) from main.fct_index_levels)",
        [],
    )
    if first is None or last is None:
        raise WarehouseError("the warehouse has no holdings: build it first")
    (day,) = _row(
        con, "select max(session_date) from staging.stg_xnys_sessions where session_date <= ?", [requested]
    )
    if day is None or day < first or requested > last:
        raise WarehouseError(
            f"no holdings for {requested}: the warehouse covers the closes of {first} to {last}"
        )
    return day


def write_holdings(db: Path, index_code: str, requested: date, fmt: str, out: Path | None) -> HoldingsFile:
    if fmt not in FORMATS:
        raise WarehouseError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    with connect_read_only(db) as con:
        require_relations(
            con, ("fct_index_constituents_daily", "fct_index_holdings", "dim_security", "dim_index")
        )
        name = _index_name(con, index_code)
        day = _trading_day(con, requested)
        path = out if out is not None else default_path(index_code, day, fmt)
        path.parent.mkdir(parents=True, exist_ok=True)
        # the view is evaluated once (a relation would run it again for the count and for the file: the day's
        # prices, shares and classifications joined again); a few thousand rows at most
        con.execute(f"create temp table holdings as {_SELECT}", {"index_code": index_code, "day": day})
        holdings = con.table("holdings")  # in the order of _SELECT: DuckDB keeps insertion order
        [(rows, market_value)] = holdings.aggregate('count(*), coalesce(sum("Market Value"), 0)').fetchall()
        if rows == 0:
            raise WarehouseError(f"{index_code} has no constituents at the close of {day}")
        if fmt == "csv":
            holdings.write_csv(str(path), header=True)
        else:
            holdings.write_parquet(str(path))
    return HoldingsFile(path, index_code, name, day, requested, rows, market_value)
