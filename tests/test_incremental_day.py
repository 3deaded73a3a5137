"""New trading days extend the levels without recomputing history, and give the same numbers as a full rebuild,
byte for byte (issue 6). The full rebuild is the session's small market built as the UI launches build_all
(conftest.py ``small_ui_build``, shared: whole price range, last session 2024-12-31). The warehouse the days extend is
built by the command line with ``--through`` a Sunday, which also shows that option loading prices up to the last
session on or before it; then its two missing sessions are calculated one day at a time."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb
from indexpipe.build import calculate_day
from indexpipe.cli import main
from indexpipe.settings import Settings
from indexpipe.warehouse.published import published_link

THROUGH = date(2024, 12, 29)  # a Sunday: the daily warehouse's prices end on Friday 2024-12-27
DAY_BEFORE = date(2024, 12, 27)
# the market's last two sessions: a plain Monday, then a month, quarter and year end. Neither is a rank day or an
# effective date (the Q4 review took effect after Friday 2024-12-20) and no line lists, delists or goes ex on them.
NEW_DAYS = (date(2024, 12, 30), date(2024, 12, 31))
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


def test_new_days_equal_a_full_rebuild(
    small_ui_build: Path, small_market_dir: Path, tmp_path: Path, capsys
) -> None:
    full = small_ui_build  # read only: a shared build
    with duckdb.connect(str(full), read_only=True) as con:
        assert con.execute("select max(date) from raw.prices").fetchone()[0] == NEW_DAYS[-1]

    daily = tmp_path / "daily" / "w.duckdb"
    daily.parent.mkdir()
    settings = Settings(input_dir=small_market_dir, duckdb_path=daily)
    # `indexpipe build --through`: the input's prices run to 2024-12-31; those after the Sunday are not loaded
    assert (
        main(["build", "--data-dir", str(small_market_dir), "--db", str(daily), "--through", str(THROUGH)])
        == 0
    )
    assert "built" in capsys.readouterr().out
    with duckdb.connect(str(daily), read_only=True) as con:
        assert con.execute("select max(date) from raw.prices").fetchone()[0] == DAY_BEFORE
        assert con.execute("select max(trade_date) from staging.stg_prices").fetchone()[0] == DAY_BEFORE
        history = con.execute(
            "select count(*), max(date) from main.fct_index_levels where date <= ?", [DAY_BEFORE]
        ).fetchone()
    assert history[1] == DAY_BEFORE

    for day in NEW_DAYS:
        result = calculate_day(settings, day)
        # only the day's partition and the daily path ran, not the reconstitution models
        assert not any("int_reconstitution_chain" in step for step in result.step_seconds)
        with duckdb.connect(str(daily), read_only=True) as con:
            assert con.execute("select max(date) from main.fct_index_levels").fetchone()[0] == day
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
    calculate_day(settings, NEW_DAYS[-1])
    for table in LEVEL_PATH:
        assert _digest(daily, table) == _digest(full, table), table
