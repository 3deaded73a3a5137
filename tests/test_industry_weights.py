"""ICB industry weights per index and month end, with a reclassification taken point in time (issue 5, item 4)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from recon_fixtures import Market, build_market, single_line

START, END = date(2024, 3, 1), date(2024, 7, 31)
M = 1_000_000


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # float 80% everywhere (single_line's default): float caps T1 400M, T2 160M, H1 160M, F1 160M = 880M
    companies = [
        single_line("T1", 10 * M, {START: 50.0}, shares_from=date(2024, 1, 2)),
        single_line("T2", 5 * M, {START: 40.0}, shares_from=date(2024, 1, 2)),
        single_line("H1", 8 * M, {START: 25.0}, shares_from=date(2024, 1, 2)),
        single_line("F1", 20 * M, {START: 10.0}, shares_from=date(2024, 1, 2)),
    ]
    market = Market(
        START,
        END,
        companies,
        industries=[
            ("H1", date(2020, 1, 2), "Health Care"),
            ("H1", date(2024, 7, 15), "Financials"),  # reclassified between the two month ends
            ("F1", date(2020, 1, 2), "Financials"),
        ],
    )
    return build_market(market, tmp_path_factory.mktemp("industry"), models=("fct_industry_weights",))


def _weights(db: Path, as_of: date) -> dict[str, tuple[float, int]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select icb_industry, weight, constituent_count from main.fct_industry_weights "
            "where index_code = 'R1000' and as_of_date = ?",
            [as_of],
        ).fetchall()
    return {industry: (weight, count) for industry, weight, count in rows}


def test_weights_by_industry_at_the_june_month_end(db: Path) -> None:
    w = _weights(db, date(2024, 6, 28))  # the effective date is also June's last session
    assert len(w) == 11
    assert w["Technology"] == (pytest.approx(560 / 880), 2)  # (400M + 160M) / 880M
    assert w["Health Care"] == (pytest.approx(160 / 880), 1)
    assert w["Financials"] == (pytest.approx(160 / 880), 1)
    assert w["Energy"] == (0.0, 0)
    assert sum(weight for weight, _ in w.values()) == pytest.approx(1.0, abs=1e-12)


def test_a_reclassification_moves_the_weight_from_its_effective_date(db: Path) -> None:
    w = _weights(db, date(2024, 7, 31))
    assert w["Financials"] == (pytest.approx(320 / 880), 2)  # F1 + H1 after 2024-07-15
    assert w["Health Care"] == (0.0, 0)
    assert w["Technology"] == (pytest.approx(560 / 880), 2)
