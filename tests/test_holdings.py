"""`indexpipe holdings` and the view fct_index_constituents_daily on the crafted market of
tests/chartbook_fixtures.py, against hand-computed numbers (caps in $B = close / 10 for 100m shares), and on the
default market against fct_index_holdings on every date that mart has.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest
from chartbook_fixtures import R5_NO_TRADE, RECLASSIFIED
from indexpipe.cli import main
from indexpipe.holdings import write_holdings

COLUMNS = ["Ticker", "Name", "Sector", "Asset Class", "Market Value", "Weight (%)", "Shares", "Price", "Exchange",
           "Currency"]  # fmt: skip


def _day(db: Path, index_code: str, day: date) -> dict[str, tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select security_id, index_shares, price, float_market_cap, weight, icb_industry "
            "from main.fct_index_constituents_daily where index_code = ? and date = ?",
            [index_code, day],
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_the_close_of_a_merger_ex_date_holds_the_next_session_composition(chartbook_warehouse: Path) -> None:
    before = _day(chartbook_warehouse, "R1000", date(2023, 9, 11))
    # the day before: T ($10B) is in, A holds 100m shares at 200; X 50 + Y 40 + Z 30 + A 20 + T 10 + C 8 + D 6
    # + P 5 + Q 4 + E 3 = $176B
    assert len(before) == 10
    assert before["T_1"][3] == pytest.approx(10 / 176, abs=1e-12)
    assert before["A_1"][:3] == (100e6, 200.0, 20e9)
    ex_date = _day(chartbook_warehouse, "R1000", date(2023, 9, 12))
    # at the ex-date's close T has left (it is out from the next session) and A holds the 150m shares issued to
    # T's holders, at A's close of 200: $30B of 50 + 40 + 30 + 30 + 8 + 6 + 5 + 4 + 3 = $176B
    assert "T_1" not in ex_date and len(ex_date) == 9
    assert ex_date["A_1"][:3] == (150e6, 200.0, 30e9)
    assert ex_date["A_1"][3] == pytest.approx(30 / 176, abs=1e-12)
    assert sum(row[3] for row in ex_date.values()) == pytest.approx(1.0, abs=1e-12)


def test_a_split_day_and_a_day_without_a_trade(chartbook_warehouse: Path) -> None:
    split = _day(chartbook_warehouse, "R1000", date(2024, 1, 10))
    # Q splits 2 for 1 and closes at 20.4: 200m shares, $4.08B. Members X 50, Y 40, Z 30, A 30.6 (150m x 204),
    # P 4 (after the spin-off), S 1.32, Q 4.08, E 3 = $163.0B
    assert split["Q_1"][:3] == (200e6, 20.4, pytest.approx(4.08e9, rel=1e-12))
    assert split["Q_1"][3] == pytest.approx(4.08 / 163.0, abs=1e-12)
    assert sorted(split) == ["A_1", "E_1", "P_1", "Q_1", "S_1", "X_1", "Y_1", "Z_1"]
    r2000 = _day(chartbook_warehouse, "R2000", R5_NO_TRADE)
    # R5 did not trade on 2023-11-30: its last close, 6.5 from 2023-11-29, prices it at $0.65B of
    # 1.0 + 0.9 + 0.8 + 0.7 + 0.65 = $4.05B
    assert r2000["R5_1"][1:3] == (6.5, pytest.approx(0.65e9, rel=1e-12))
    assert r2000["R5_1"][3] == pytest.approx(0.65 / 4.05, abs=1e-12)


def test_the_sector_is_the_classification_in_force_that_day(chartbook_warehouse: Path) -> None:
    day_before = _day(chartbook_warehouse, "R1000", date(2023, 11, 14))
    reclassified = _day(chartbook_warehouse, "R1000", RECLASSIFIED)
    assert day_before["E_1"][4] == "Technology" and reclassified["E_1"][4] == "Energy"
    assert reclassified["X_1"][4] == "Technology" and reclassified["Y_1"][4] == "Health Care"


def test_style_shares_split_their_parents_shares(chartbook_warehouse: Path) -> None:
    # index_shares = available shares x inclusion factor: growth + value hold the parent's shares exactly once
    # (a pure-growth or pure-value line is on one side only), and every line's float cap is its shares x price
    with duckdb.connect(str(chartbook_warehouse), read_only=True) as con:
        rows = con.execute(
            """
            with d as (select * from main.fct_index_constituents_daily where date = '2024-01-10')
            select p.security_id, p.index_shares, coalesce(g.index_shares, 0) + coalesce(v.index_shares, 0),
                (select max(abs(float_market_cap - index_shares * price) / float_market_cap) from d)
            from d as p
            left join d as g on g.security_id = p.security_id and g.index_code = 'R1000G'
            left join d as v on v.security_id = p.security_id and v.index_code = 'R1000V'
            where p.index_code = 'R1000'
            """
        ).fetchall()
    assert len(rows) == 8
    for _, parent, styles, relative_error in rows:
        assert styles == pytest.approx(parent, rel=1e-12)
        assert relative_error < 1e-12


def test_the_view_equals_fct_index_holdings_on_every_date_it_has(chartbook_warehouse: Path) -> None:
    with duckdb.connect(str(chartbook_warehouse), read_only=True) as con:
        dates = [
            d for (d,) in con.execute("select distinct as_of_date from main.fct_index_holdings").fetchall()
        ]
        compared = con.execute(
            """
            with v as (
                select * from main.fct_index_constituents_daily
                where date in (select distinct as_of_date from main.fct_index_holdings)
            )
            select count(*), count(h.security_id), count(v.security_id), max(abs(h.weight - v.weight)),
                max(abs(h.float_market_cap - v.float_market_cap)), count(distinct v.date)
            from main.fct_index_holdings as h
            full join v on v.index_code = h.index_code and v.date = h.as_of_date and v.security_id = h.security_id
            """
        ).fetchall()[0]
    rows, in_holdings, in_view, weight_gap, cap_gap, view_dates = compared
    assert rows == in_holdings == in_view > 0  # the same lines on both sides
    assert weight_gap <= 1e-12 and cap_gap == 0.0
    assert view_dates == len(dates)


def test_month_end_industry_weights_add_up_from_the_view(chartbook_warehouse: Path) -> None:
    with duckdb.connect(str(chartbook_warehouse), read_only=True) as con:
        gaps = con.execute(
            """
            select max(abs(w.weight - coalesce(v.weight, 0)))
            from main.fct_industry_weights as w
            left join (
                select index_code, date, icb_industry, sum(weight) as weight
                from main.fct_index_constituents_daily
                where date in (select distinct as_of_date from main.fct_industry_weights)
                group by all
            ) as v on v.index_code = w.index_code and v.date = w.as_of_date and v.icb_industry = w.icb_industry
            """
        ).fetchall()[0][0]
    assert gaps < 1e-12


def test_the_holdings_command_writes_the_ishares_layout(
    chartbook_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r1000.csv"
    code = main(["holdings", "--index", "R1000", "--date", "2024-01-13", "--db", str(chartbook_warehouse),
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    # a Saturday: the close of Friday 2024-01-12, the split day's composition (total $163.0B)
    assert (
        "at the close of 2024-01-12 (2024-01-13 is not a trading day): 8 constituents"
        in capsys.readouterr().out
    )
    rows = _read_csv(out)
    assert [r["Ticker"] for r in rows] == ["X1", "Y1", "A1", "Z1", "Q1", "P1", "E1", "S1"]  # by weight
    x = rows[0]
    assert (x["Name"], x["Sector"], x["Asset Class"], x["Exchange"], x["Currency"]) == (
        "X common X_1", "Technology", "Equity", "NYSE", "USD"
    )  # fmt: skip
    assert float(x["Weight (%)"]) == pytest.approx(100 * 50 / 163.0, abs=1e-10)
    assert (float(x["Market Value"]), float(x["Shares"]), float(x["Price"])) == (50e9, 100e6, 500.0)
    assert sum(float(r["Weight (%)"]) for r in rows) == pytest.approx(100.0, abs=1e-10)
    parquet = write_holdings(
        chartbook_warehouse, "R1000", date(2024, 1, 12), "parquet", tmp_path / "r.parquet"
    )
    with duckdb.connect() as con:
        assert con.execute(f"select count(*), sum(\"Weight (%)\") from '{parquet.path}'").fetchall() == [
            (8, pytest.approx(100.0, abs=1e-10))
        ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--index", "R9"], "indexpipe holdings: unknown index 'R9'; the warehouse has R1000,"),
        (["--index", "R1000", "--date", "2020-01-02"], "indexpipe holdings: no holdings for 2020-01-02: the "
                                                       "warehouse covers the closes of 2023-06-23 to 2024-07-31"),
    ],
)  # fmt: skip
def test_the_holdings_command_fails_in_one_line(
    chartbook_warehouse: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    argv = ["holdings", "--date", "2024-01-12", *args, "--db", str(chartbook_warehouse)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


@pytest.mark.slow
def test_default_market_holdings_equal_fct_index_holdings(default_warehouse, tmp_path: Path) -> None:
    """Every date fct_index_holdings has: the view equals it for every index (same lines, weights within 1e-12);
    the R2000 file of `indexpipe holdings` has its names and weights on every such date of 2025-2026."""
    db = Path(default_warehouse.execute("select path from duckdb_databases() where database_name = "
                                        "current_database()").fetchall()[0][0])  # fmt: skip
    dates = [d for (d,) in default_warehouse.execute(
        "select distinct as_of_date from main.fct_index_holdings order by 1").fetchall()]  # fmt: skip
    assert len(dates) > 150
    for day in dates:
        # one literal day at a time: the filter then reaches the view's prices (see docs/report.md)
        rows, both, weight_gap = default_warehouse.execute(
            """
            select count(*), count(h.security_id) filter (where v.security_id is not null),
                max(abs(h.weight - v.weight))
            from (select * from main.fct_index_holdings where as_of_date = $day) as h
            full join (select * from main.fct_index_constituents_daily where date = $day) as v
                using (index_code, security_id)
            """,
            {"day": day},
        ).fetchall()[0]
        assert rows == both > 0 and weight_gap <= 1e-12, day
    recent = [day for day in dates if day.year >= 2025]
    assert len(recent) > 24
    for day in recent:
        expected = default_warehouse.execute(
            "select s.ticker, s.name, 100 * h.weight from main.fct_index_holdings as h "
            "join main.dim_security as s using (security_id) where h.index_code = 'R2000' and h.as_of_date = ? "
            "order by all",
            [day],
        ).fetchall()
        written = _read_csv(write_holdings(db, "R2000", day, "csv", tmp_path / "r2000.csv").path)
        got = sorted((r["Ticker"], r["Name"], float(r["Weight (%)"])) for r in written)
        assert [g[:2] for g in got] == [e[:2] for e in expected], day
        assert max(abs(g[2] - e[2]) for g, e in zip(got, expected, strict=True)) <= 1e-10, day
