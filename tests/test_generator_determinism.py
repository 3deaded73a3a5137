"""The generator is deterministic by seed and writes exactly the input contract."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
from conftest import SMALL_MARKET
from indexpipe.calendars import trading_days
from indexpipe.contract import TABLES
from indexpipe.generator import generate_market, write_market


def _digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_same_seed_gives_byte_identical_files(tmp_path: Path, small_market_dir: Path) -> None:
    again = tmp_path / "again"
    write_market(generate_market(SMALL_MARKET), again)
    assert _digests(again) == _digests(small_market_dir)


def test_different_seed_gives_different_files(tmp_path: Path, small_market_dir: Path) -> None:
    other = tmp_path / "other"
    write_market(generate_market(replace(SMALL_MARKET, seed=SMALL_MARKET.seed + 1)), other)
    first, second = _digests(small_market_dir), _digests(other)
    assert first.keys() == second.keys()
    assert all(first[name] != second[name] for name in first)


def test_every_contract_table_is_written_with_its_columns_in_order(small_market_dir: Path) -> None:
    # a synthetic market has its whole history: no index before it (initial_membership) and no supplier's
    # home country (the waterfall decides); every other table and column is written
    not_written = {"initial_membership"}
    con = duckdb.connect()
    for table in TABLES:
        path = small_market_dir / (f"{table.name}.parquet" if table.name == "prices" else f"{table.name}.csv")
        assert path.exists() == (table.name not in not_written), path
        if table.name in not_written:
            continue
        reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
        columns = [r[0] for r in con.execute(f"describe select * from {reader}('{path}')").fetchall()]
        assert tuple(columns) == tuple(c for c in table.column_names if c != "home_country")


def test_prices_fall_on_xnys_trading_days_only(small_market_dir: Path) -> None:
    dates = duckdb.sql(
        f"select distinct date from read_parquet('{small_market_dir}/prices.parquet') order by 1"
    ).fetchnumpy()["date"]
    expected = trading_days(SMALL_MARKET.start, SMALL_MARKET.end)
    assert np.array_equal(dates.astype("datetime64[D]"), expected)
    # e.g. Juneteenth 2024 and Good Friday 2023 are XNYS holidays
    assert np.datetime64("2024-06-19") not in dates.astype("datetime64[D]")
    assert np.datetime64("2023-04-07") not in dates.astype("datetime64[D]")


def test_prices_are_written_in_date_order_for_row_group_pruning(small_market_dir: Path) -> None:
    # `indexpipe day` reads one day of prices.parquet: in (date, security_id) order each row group's min/max
    # statistics name a few months, and the reader skips the others
    path = small_market_dir / "prices.parquet"
    out_of_order = (
        duckdb.connect()
        .execute(
            f"""select count(*) from (
            select file_row_number, date, security_id, lag(date) over (order by file_row_number) as prev_date,
                lag(security_id) over (order by file_row_number) as prev_security
            from read_parquet('{path}', file_row_number = true))
        where file_row_number > 0 and (prev_date, prev_security) >= (date, security_id)"""
        )
        .fetchall()[0][0]
    )
    assert out_of_order == 0
