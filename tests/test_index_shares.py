"""Quarterly share and float updates with their buffers, and a split applied once (docs/methodology.md §3, §4).

Events in this market (XNYS): 2023-06 reconstitution (cut-off 2023-04-28, applied 2023-06-26), 2023-Q3 (cut-off
2023-07-31, applied 2023-09-18), 2023-Q4 (2023-10-31 -> 2023-12-18), 2024-Q1 (2024-01-31 -> 2024-03-18), 2024-06
reconstitution (2024-04-30 -> 2024-07-01), 2024-Q3 (2024-07-31 -> 2024-09-23).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from recon_fixtures import Company, Line, Market, SharesRow, build_market, single_line

START, END = date(2023, 3, 1), date(2024, 10, 31)
M = 1_000_000


def _market() -> Market:
    x = Line(
        "X_1",
        {START: 50.0, date(2024, 8, 15): 25.0},  # 2-for-1 split on 2024-08-15
        [
            SharesRow(date(2023, 1, 3), 100 * M, 50 * M),  # float 50%
            SharesRow(date(2023, 7, 3), 100.8 * M, 50.4 * M),  # +0.8%: inside the 1% buffer
            SharesRow(
                date(2023, 10, 2), 101.3 * M, 53.689 * M
            ),  # +1.3% vs 100m: applied; float 53% (+3.0 pts: kept)
            SharesRow(date(2024, 1, 16), 101.3 * M, 54.1955 * M),  # float 53.5%: +3.5 pts vs 50%: applied
            SharesRow(date(2024, 3, 1), 101.5 * M, 54.81 * M),  # +0.2%, float 54%: June applies everything
            SharesRow(date(2024, 8, 15), 203 * M, 109.62 * M),  # the split restated by the vendor
        ],
    )
    y = Line(
        "Y_1",
        {START: 20.0},
        [
            SharesRow(date(2023, 1, 3), 50 * M, 5 * M),  # float 10%: 1-point buffer
            SharesRow(date(2023, 7, 3), 50 * M, 5.4 * M),  # 10.8%: +0.8 pt, kept at 10%
            SharesRow(date(2023, 10, 2), 50 * M, 5.6 * M),  # 11.2%: +1.2 pts vs 10%: applied
        ],
    )
    filler = [
        single_line(f"F{n:02d}", 10 * M, {START: 10.0 + n}, shares_from=date(2023, 1, 3)) for n in range(1, 4)
    ]
    return Market(
        START, END, [Company("X", [x]), Company("Y", [y]), *filler], splits=[("X_1", date(2024, 8, 15), 2.0)]
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_market(
        _market(),
        tmp_path_factory.mktemp("index_shares"),
        dbt_vars={"rank_top50": 1, "rank_top200": 2, "rank_top500": 3, "rank_r1000": 3, "rank_micro_top": 4,
                  "rank_r3000": 5, "rank_r3000e": 5},
        models=("fct_index_holdings",),  # and the index shares it weights by, with their checks
    )  # fmt: skip


def _states(db: Path, security_id: str) -> dict[date, tuple[float, float]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select apply_date, index_shares, index_float from intermediate.int_index_shares "
            "where security_id = ? order by apply_date",
            [security_id],
        ).fetchall()
    return {d: (shares, fl) for d, shares, fl in rows}


def test_shares_change_only_past_the_1pct_buffer_and_float_past_3_points(db: Path) -> None:
    s = _states(db, "X_1")
    assert s[date(2023, 6, 26)] == pytest.approx((100 * M, 0.50))  # June: as reported
    assert s[date(2023, 9, 18)] == pytest.approx((100 * M, 0.50))  # +0.8% and float unchanged: nothing moves
    assert s[date(2023, 12, 18)] == pytest.approx((101.3 * M, 0.50))  # +1.3% applied; +3.0 pts is not > 3
    assert s[date(2024, 3, 18)] == pytest.approx((101.3 * M, 0.535))  # +3.5 pts applied
    assert s[date(2024, 7, 1)] == pytest.approx((101.5 * M, 0.54))  # June: no buffers
    # split on 2024-08-15 at once: 101.5m x 2 = 203m; the 2024-Q3 update (cut-off 2024-07-31, before the split)
    # is restated for the split, so it neither undoes it nor applies it twice
    assert s[date(2024, 8, 15)] == pytest.approx((203 * M, 0.54))
    assert s[date(2024, 9, 23)] == pytest.approx((203 * M, 0.54))


def test_low_floats_move_on_one_point(db: Path) -> None:
    s = _states(db, "Y_1")
    assert s[date(2023, 9, 18)] == pytest.approx((50 * M, 0.10))  # +0.8 pt kept
    assert s[date(2023, 12, 18)] == pytest.approx((50 * M, 0.112))  # +1.2 pts applied


def test_holdings_weight_by_the_index_shares(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "select available_shares, close_price, float_market_cap from main.fct_index_holdings "
            "where index_code = 'R3000E' and security_id = 'X_1' and as_of_date = date '2023-09-29'"
        ).fetchone()
    # month end after the 2023-Q3 update: 100m x 50% = 50m shares (the raw file says 50.4m) x $50
    assert row == pytest.approx((50 * M, 50.0, 2_500 * M))
