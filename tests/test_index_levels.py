"""Index levels, returns, contributions and characteristics on a crafted market, against hand-computed numbers
(issue 6). The market is tests/levels_fixtures.py; caps are in $B (100m shares: close / 10).

Daily return of an index: R = sum(beginning cap x member return) / sum(beginning cap), the beginning caps
being the shares in force that day at the previous close (split-adjusted).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from levels_fixtures import levels_market
from recon_fixtures import build_market

TOL = 1e-9
LEVEL_MARTS = (
    "dim_index",
    "fct_index_characteristics",
    "fct_index_levels",
    "fct_index_period_returns",
    "fct_industry_contribution",
    "fct_style_box_returns",
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # the marts the tests read, what they are built from and their checks (no preview, holdings or publication)
    return build_market(levels_market(), tmp_path_factory.mktemp("levels"), models=LEVEL_MARTS)


def _levels(db: Path, index_code: str) -> dict[date, tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select date, price_level, total_return_level, price_return, total_return, constituent_count "
            "from main.fct_index_levels where index_code = ? order by date",
            [index_code],
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_a_two_stock_index_across_a_reconstitution(db: Path) -> None:
    top50 = _levels(db, "RTOP50")
    # the series starts at the Top 50's base value on the 2023-06 effective date, the session before its first
    # composition (X, Y) takes effect
    first = min(top50)
    assert first == date(2023, 6, 23) and top50[first][:2] == (1000.0, 1000.0)
    # 2024-06-03: Y +2.5% -> 40/90 x 0.025 = 0.011111...
    assert top50[date(2024, 6, 3)][2] == pytest.approx(40 / 90 * 0.025, abs=TOL)
    # 2024-06-28, last day of the old composition: caps X 50, Y 41; X +2%, Y -1% -> (1.0 - 0.41) / 91
    assert top50[date(2024, 6, 28)][2] == pytest.approx(0.59 / 91, abs=TOL)
    # 2024-07-01, first day of the new composition X, Z at the 06-28 closes: X 51 (510 -> 520), Z 45.9
    # (459 -> 450): (51 x 10/510 - 45.9 x 9/459) / 96.9 = (1.0 - 0.9) / 96.9; Y's move that day does not count
    assert top50[date(2024, 7, 1)][2] == pytest.approx(0.1 / 96.9, abs=TOL)
    assert top50[date(2024, 7, 1)][4] == 2
    # the level chains through the change with no jump: 1000 x 1.0111111 x 1.0064835 x 1.0010320
    expected = 1000 * (1 + 40 / 90 * 0.025) * (1 + 0.59 / 91) * (1 + 0.1 / 96.9)
    assert top50[date(2024, 7, 1)][0] == pytest.approx(expected, rel=1e-12)
    assert top50[date(2024, 7, 1)][0] == pytest.approx(1018.716890, abs=1e-6)


def test_a_dividend_on_its_ex_date_moves_only_the_total_return(db: Path) -> None:
    top50 = _levels(db, "RTOP50")
    price_return, total_return = top50[date(2024, 5, 15)][2:4]
    # X ($50B of $90B) pays $5 on a $500 close: 1% yield x 50/90 weight
    assert price_return == 0.0
    assert total_return - price_return == pytest.approx(50 / 90 * 0.01, abs=TOL)
    assert top50[date(2024, 5, 15)][1] == pytest.approx(1000 * (1 + 50 / 90 * 0.01), rel=1e-12)


def test_corporate_actions_in_the_r1000(db: Path) -> None:
    r1000 = _levels(db, "R1000")
    # stock merger ex-date: T ($10B of $176B) priced at 0.5 x 200 + 5 = 105 against 100: +5%
    assert r1000[date(2023, 9, 12)][2] == pytest.approx(10 / 176 * 0.05, abs=TOL)
    # next session: T is gone and A holds 150m shares: A's $30B of $176B rises 2% (without the issued shares it
    # would be 20/166 x 2%); the September review (cut-off 2023-07-31, before the deal) keeps them
    assert r1000[date(2023, 9, 13)][2] == pytest.approx(30 / 176 * 0.02, abs=TOL)
    assert r1000[date(2023, 9, 13)][4] == 9
    # cash acquisition: C ($8B of $176.6B) at $88 against 80: +10%, then C leaves
    assert r1000[date(2023, 10, 11)][2] == pytest.approx(8 / 176.6 * 0.10, abs=TOL)
    assert r1000[date(2023, 10, 12)][4] == 8
    # delisting: D's last trade 60 -> 48 counts (-20% of $6B in $168.6B); on the delisting day D is out, no move
    assert r1000[date(2023, 11, 7)][2] == pytest.approx(6 / 168.6 * -0.20, abs=TOL)
    assert r1000[date(2023, 11, 8)][2] == 0.0 and r1000[date(2023, 11, 8)][4] == 7
    # spin-off ex-date: P 50 -> 40 plus one S at 12 = +4% of $5B in $162.6B; S has no previous close that day
    assert r1000[date(2023, 12, 6)][2] == pytest.approx(5 / 162.6 * 0.04, abs=TOL)
    # next day S ($1.2B) counts: +10% of $1.2B in 162.6 - 5 + 4 + 1.2 = $162.8B
    assert r1000[date(2023, 12, 7)][2] == pytest.approx(1.2 / 162.8 * 0.10, abs=TOL)
    assert r1000[date(2023, 12, 7)][4] == 8
    # split ex-date: Q 40 -> 20.4 on 2 for 1 is +2% of $4B in $162.92B; the day after nothing moves
    assert r1000[date(2024, 1, 10)][2] == pytest.approx(4 / 162.92 * 0.02, abs=TOL)
    assert r1000[date(2024, 1, 11)][2] == 0.0
    # special dividend: E 30 -> 27 with $3 paid adjusts the price (decision 6): no move in either index
    assert r1000[date(2024, 2, 7)][2] == 0.0 and r1000[date(2024, 2, 7)][3] == 0.0


def test_period_returns_chain_and_growth_of_1000(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        june = con.execute(
            "select price_return, total_return, growth_of_1000 from main.fct_index_period_returns "
            "where index_code = 'RTOP50' and period_type = 'month' and period_end = date '2024-06-28'"
        ).fetchone()
    # June 2024: 06-03 and 06-28 only: 1.0111111 x 1.0064835 - 1
    assert june[0] == pytest.approx((1 + 40 / 90 * 0.025) * (1 + 0.59 / 91) - 1, abs=TOL)
    assert june[1] == pytest.approx(june[0], abs=TOL)  # no dividend in June
    # growth of 1,000 since the start, total return: the May dividend too
    assert june[2] == pytest.approx(1000 * (1 + 50 / 90 * 0.01) * (1 + june[0]), rel=1e-12)


def test_industry_contributions_for_two_industries_over_two_days(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = {
            industry: (industry_return, contribution)
            for industry, industry_return, contribution in con.execute(
                "select icb_industry, industry_return, contribution from main.fct_industry_contribution "
                "where index_code = 'RTOP50' and period_type = 'month' and period_end = date '2024-06-28'"
            ).fetchall()
        }
    # day 1 (06-03): Technology 0, Health Care 40/90 x 2.5% = 0.0111111
    # day 2 (06-28): Technology 50/91 x 2% = 0.0109890, Health Care 41/91 x -1% = -0.0045055, each scaled by the
    # index's growth before the day (1.0111111): 0.0111111 and -0.0045556
    assert rows["Technology"][1] == pytest.approx(1 / 91 * (1 + 1 / 90), abs=TOL)
    assert rows["Health Care"][1] == pytest.approx(1 / 90 - 0.41 / 91 * (1 + 1 / 90), abs=TOL)
    assert rows["Technology"][1] + rows["Health Care"][1] == pytest.approx(
        (1 + 1 / 90) * (1 + 0.59 / 91) - 1, abs=1e-12
    )
    # industry returns compound their own days: Technology +2%, Health Care 1.025 x 0.99 - 1
    assert rows["Technology"][0] == pytest.approx(0.02, abs=TOL)
    assert rows["Health Care"][0] == pytest.approx(1.025 * 0.99 - 1, abs=TOL)


def test_harmonic_forecast_pe_of_three_names(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        value = con.execute(
            "select value from main.fct_index_characteristics where index_code = 'RTOP200' "
            "and as_of_date = date '2024-03-28' and metric = 'pe_forecast'"
        ).fetchone()[0]
    # Top 200 (scaled: X, Y, Z, A) on 2024-03-28: caps X 50, Y 40, Z 45, A 30.6; P/E 20, 40, 15 and A's negative
    # EPS left out: (50 + 40 + 45) / (50/20 + 40/40 + 45/15) = 135 / 6.5
    assert value == pytest.approx(135 / 6.5, abs=1e-9)


def test_the_style_box_uses_the_russell_1000_family_for_large(db: Path) -> None:
    # decision 12: the chartbook's large row is the Russell 1000 family, not the Top 200 (chartbook Exhibit 5:
    # 2024 large core = the Russell 1000's year return).
    # R1000 in 2024 (X, Y, Z, A, P, S, Q, E, through 2024-07-31), price returns of the days that move:
    #   01-10 Q's split +2% of $4B in $162.92B; 03-01 Z 300 -> 450: +$15B in $162.70B (Q 4.08, E 2.7 by then);
    #   06-03 Y +$1B in $177.70B; 06-28 X +1.0, Y -0.41, Z +0.9 in $178.70B; 07-01 (the 2024-06 R1000 is the
    #   same eight) X +1.0, Y -0.19, Z -0.9 in $180.19B
    # The Top 200 (X, Y, Z, A) has no Q, so its 2024 differs from the 01-10 day on.
    r1000_2024 = (1 + 0.08 / 162.92) * (1 + 15 / 162.70) * (1 + 1 / 177.70) * (1 + 1.49 / 178.70) * (
        1 - 0.09 / 180.19
    ) - 1
    with duckdb.connect(str(db), read_only=True) as con:
        box = {
            (segment, style): (index_code, price_return)
            for segment, style, index_code, price_return in con.execute(
                "select size_segment, style, index_code, price_return from main.fct_style_box_returns "
                "where period_type = 'year' and period_end = date '2024-07-31'"
            ).fetchall()
        }
        top200 = con.execute(
            "select price_return from main.fct_index_period_returns where index_code = 'RTOP200' "
            "and period_type = 'year' and period_end = date '2024-07-31'"
        ).fetchone()[0]
    assert box[("large", "core")] == ("R1000", pytest.approx(r1000_2024, abs=TOL))
    assert box[("large", "growth")][0] == "R1000G" and box[("large", "value")][0] == "R1000V"
    assert abs(top200 - r1000_2024) > 1e-4


def test_dividend_yield_divides_split_adjusted_dividends_by_todays_price(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        value = con.execute(
            "select value from main.fct_index_characteristics where index_code = 'R1000' "
            "and as_of_date = date '2024-03-28' and metric = 'dividend_yield'"
        ).fetchone()[0]
    # Q paid $1 on 2023-05-15 and split 2 for 1 on 2024-01-10: $0.50 per share of today, over today's 20.4.
    # It is the only dividend in the R1000's trailing year (X's comes in May; E's is special). R1000 caps on
    # 2024-03-28: X 50, Y 40, Z 45, A 30.6, P 4, S 1.32, Q 4.08 (200m x 20.4), E 2.7 = $177.70B, so the weighted
    # yield is 4.08/177.70 x 0.5/20.4 = 0.1/177.70 (the unadjusted $1 would give twice that)
    assert value == pytest.approx(0.1 / 177.70, abs=1e-12)


def test_base_dates_and_values_are_m7_appendix_a(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = {
            code: (parent, base_date, base_value)
            for code, parent, base_date, base_value in con.execute(
                "select index_code, parent_index_code, base_date, base_value from main.dim_index"
            ).fetchall()
        }
    # M7 Appendix A, "Calculated end of day": Russell 2500 12/31/90 = 100; Top 200 and Midcap growth/value
    # 12/31/85 = 100; Microcap growth/value 6/30/06 = 1000; and the ones that were right already
    expected = {
        "R2500": (date(1990, 12, 31), 100.0),
        "RTOP200G": (date(1985, 12, 31), 100.0),
        "RTOP200V": (date(1985, 12, 31), 100.0),
        "RMIDG": (date(1985, 12, 31), 100.0),
        "RMIDV": (date(1985, 12, 31), 100.0),
        "RMICROG": (date(2006, 6, 30), 1000.0),
        "RMICROV": (date(2006, 6, 30), 1000.0),
        "RMICRO": (date(2005, 6, 24), 1000.0),
        "R1000G": (date(1990, 12, 31), 100.0),
        "R2000V": (date(1993, 5, 31), 1000.0),
        "R3000G": (date(1995, 5, 31), 1000.0),
        "R2500V": (date(1995, 5, 31), 1000.0),
        "RTOP50": (date(2001, 12, 31), 1000.0),
        "R1000DEF": (date(2010, 12, 31), 1000.0),
    }
    for code, base in expected.items():
        assert rows[code][1:] == base, code
    # 10 size, 14 growth/value, 4 stability and the 14 capped twins (decision 13), each on its twin's base
    assert len(rows) == 42
    capped = {code for code in rows if code.endswith("C")}
    assert len(capped) == 14
    for code in capped:
        assert rows[code][0] == code[:-1] and rows[code][1:] == rows[code[:-1]][1:], code
