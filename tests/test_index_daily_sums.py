"""The daily index sums, summed once per line, day and inclusion factor and spread to index sets (issue 15), give
the same integers as summing every member-day on its own (tests/sql/index_daily_industry_returns_member_days.sql,
the formulation before issue 15), on crafted markets that hold what the grouping must get right:

- the chartbook market (tests/chartbook_fixtures.py): ten size indexes over nested rank bands, a stock merger, a
  cash deal, a delisting, a spin-off, a split, a special dividend, a reclassification and a day without a trade;
- the style market (tests/style_fixtures.py): growth/value and defensive/dynamic probabilities between 0 and 1, so
  one line holds several factors a day, and a company that moves from the R2000 to the R1000;
- the capping market (tests/capping_fixtures.py): capped growth indexes that copy their twin before the first
  capping review (2025-03-24) and hold capped factors after it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

SQL_DIR = Path(__file__).parent / "sql"
COLUMNS = (
    "index_code, trade_date, icb_industry, constituent_count, begin_cents, price_end_cents, total_end_cents"
)


@pytest.fixture(scope="module")
def style_db(style_warehouse: Path) -> Path:
    return style_warehouse


@pytest.fixture(scope="module")
def capping_db(capping_warehouse: Path) -> Path:
    return capping_warehouse


def _model_and_member_days(db: Path) -> tuple[list[tuple], list[tuple]]:
    member_days = (SQL_DIR / "index_daily_industry_returns_member_days.sql").read_text()
    with duckdb.connect(str(db), read_only=True) as con:
        model = con.execute(
            f"select {COLUMNS} from intermediate.int_index_daily_industry_returns order by all"
        ).fetchall()
        reference = con.execute(f"select {COLUMNS} from ({member_days}) order by all").fetchall()
    return model, reference


def _factors_per_line_day(db: Path) -> int:
    """The most distinct inclusion factors one line holds on one day (1: nothing to group)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select max(n) from (select count(distinct m.inclusion_factor) as n "
            "from intermediate.int_security_daily_returns as r join main.fct_index_membership as m "
            "on m.security_id = r.security_id and r.trade_date >= m.valid_from "
            "and (m.valid_to is null or r.trade_date < m.valid_to) group by r.security_id, r.trade_date)"
        ).fetchone()[0]


def test_size_bands_and_corporate_actions(chartbook_warehouse: Path) -> None:
    model, reference = _model_and_member_days(chartbook_warehouse)
    assert len(model) > 1000
    assert model == reference
    with duckdb.connect(str(chartbook_warehouse), read_only=True) as con:
        day = dict(
            con.execute(
                "select index_code, sum(begin_cents) from intermediate.int_index_daily_industry_returns "
                "where trade_date = ? group by all",
                [date(2023, 8, 15)],
            ).fetchall()
        )
    # 2023-08-15, a quiet day: caps in $B are close / 10 with 100m shares each (tests/levels_fixtures.py)
    # R1000 = X 50 + Y 40 + Z 30 + A 20 + T 10 + C 8 + D 6 + P 5 + Q 4 + E 3 = $176B = 17,600,000,000,000 cents
    assert day["R1000"] == 17_600_000_000_000
    # R2000 = R1..R5 = 1.0 + 0.9 + 0.8 + 0.7 + 0.6 = $4.0B; R3000 and R3000E = 176 + 4 = $180B
    assert day["R2000"] == 400_000_000_000
    assert day["R3000"] == day["R3000E"] == 18_000_000_000_000
    # Top 50 (scaled: the top 2) = X 50 + Y 40 = $90B
    assert day["RTOP50"] == 9_000_000_000_000


def test_fractional_style_and_stability_factors(style_db: Path) -> None:
    # a line in R1000G and R1000V with probabilities between 0 and 1, and in R1000DEF/DYN: several factors a day
    assert _factors_per_line_day(style_db) >= 3
    model, reference = _model_and_member_days(style_db)
    assert {row[0] for row in model} >= {"R1000G", "R1000V", "R2000G", "R2000V", "R1000DEF", "R2000DYN"}
    assert model == reference


def test_capped_twins_before_and_after_the_first_review(capping_db: Path) -> None:
    model, reference = _model_and_member_days(capping_db)
    assert model == reference
    day_rows: dict[tuple[str, date], list[tuple]] = {}
    for row in model:
        day_rows.setdefault((row[0], row[1]), []).append(row[2:])
    # the last session before the first capped one: the capped index is its twin's copy
    before, first_capped = date(2025, 3, 21), date(2025, 3, 24)
    assert day_rows[("R1000GC", before)] == day_rows[("R1000G", before)]
    # from the review on, M (40% of R1000G on the reference date) is capped: the capped index holds less of it
    capped_begin = sum(row[2] for row in day_rows[("R1000GC", first_capped)])
    twin_begin = sum(row[2] for row in day_rows[("R1000G", first_capped)])
    assert capped_begin < twin_begin
