"""One new trading day extends the levels without recomputing history, and gives the same numbers as a full
rebuild, byte for byte (issue 6)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb
from indexpipe.build import build, calculate_day
from indexpipe.settings import Settings
from indexpipe.warehouse.published import published_link

NEW_DAY = date(2024, 11, 13)  # a plain Wednesday: no rank day, effective date or month end
DAY_BEFORE = date(2024, 11, 12)
LEVEL_PATH = (
    "intermediate.int_security_daily_returns",
    "intermediate.int_index_daily_industry_returns",
    "main.fct_index_levels",
    "main.fct_index_period_returns",
    "main.fct_industry_contribution",
    "main.fct_style_box_returns",
)


def _digest(db: Path, table: str) -> tuple[int, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(f"select * from {table} order by all").fetchall()
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


def test_one_new_day_equals_a_full_rebuild(small_market_dir: Path, tmp_path: Path) -> None:
    full = tmp_path / "full" / "w.duckdb"
    full.parent.mkdir()
    build(Settings(input_dir=small_market_dir, duckdb_path=full), through=NEW_DAY)

    daily = tmp_path / "daily" / "w.duckdb"
    daily.parent.mkdir()
    settings = Settings(input_dir=small_market_dir, duckdb_path=daily)
    build(settings, through=DAY_BEFORE)
    with duckdb.connect(str(daily), read_only=True) as con:
        history = con.execute(
            "select count(*), max(date) from main.fct_index_levels where date <= ?", [DAY_BEFORE]
        ).fetchone()
    assert history[1] == DAY_BEFORE

    result = calculate_day(settings, NEW_DAY)
    # only the day's partition and the daily path ran, not the reconstitution models
    assert not any("int_reconstitution_chain" in step for step in result.step_seconds)
    with duckdb.connect(str(daily), read_only=True) as con:
        assert con.execute("select max(date) from main.fct_index_levels").fetchone()[0] == NEW_DAY
        assert (
            con.execute(
                "select count(*), max(date) from main.fct_index_levels where date <= ?", [DAY_BEFORE]
            ).fetchone()
            == history
        )

    for table in LEVEL_PATH:
        assert _digest(daily, table) == _digest(full, table), table
    published = "fct_index_levels.parquet"
    assert (published_link(daily) / published).read_bytes() == (published_link(full) / published).read_bytes()

    # the same day again changes nothing
    calculate_day(settings, NEW_DAY)
    for table in LEVEL_PATH:
        assert _digest(daily, table) == _digest(full, table), table
