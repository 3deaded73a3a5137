"""`indexpipe report` on the crafted market of tests/chartbook_fixtures.py (the Russell 1000, Q2 2024, the last
complete quarter), against hand-computed numbers. Caps in $B: close / 10 for 100m shares.

The Russell 1000's days with a move, each as (change in $B) / (beginning cap in $B) (tests/levels_fixtures.py):
  2023-09-12 T to the deal value +0.5 / 176      2023-09-13 A +2%  +0.6 / 176
  2023-10-11 C to $88 +0.8 / 176.6               2023-11-07 D -20% -1.2 / 168.6
  2023-12-06 spin-off +0.2 / 162.6               2023-12-07 S +10% +0.12 / 162.8
  2024-01-10 split +0.08 / 162.92                2024-03-01 Z +50% +15 / 162.7 (E's special dividend: no move)
  2024-05-15 X's $5 dividend (total return only) +0.5 / 177.7
  2024-06-03 Y +2.5% +1 / 177.7                  2024-06-28 X +1, Y -0.41, Z +0.9 = +1.49 / 178.7
Industries: Y is Health Care, E Energy from 2023-11-15, every other member Technology.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest
from indexpipe.cli import main
from indexpipe.report import Quarter, write_report
from indexpipe.report.data import load
from report_html import drawn_charts, parse_report, rendered_dom_or_skip

Q3_2023 = [(0.5, 176), (0.6, 176)]
Q4_2023 = [(0.8, 176.6), (-1.2, 168.6), (0.2, 162.6), (0.12, 162.8)]
Q1_2024 = [(0.08, 162.92), (15, 162.7)]
Q2_2024 = [(0.5, 177.7), (1, 177.7), (1.49, 178.7)]
# the market's June 2024 reconstitution is previewed in Q2 2024: the "Reconstitution preview" page (P1-P4) closes
ORDER = [
    "1",
    "1b",
    "2",
    "3",
    "4",
    "5",
    "6a",
    "6b",
    "7",
    "8",
    "9",
    "10a",
    "12a",
    "12b",
    "12c",
    "12d",
    "P1",
    "P2",
    "P3",
    "P4",
]


def _growth(days: list[tuple[float, float]]) -> float:
    return math.prod(1 + change / begin for change, begin in days)


@pytest.fixture(scope="module")
def report(chartbook_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "r1000.html"
    assert main(["report", "--db", str(chartbook_warehouse), "--index", "R1000", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def exhibits(report: Path) -> dict:
    return parse_report(report.read_text(encoding="utf-8"))[0]


def test_the_default_quarter_and_the_exhibits_in_the_chartbook_order(report: Path, exhibits: dict) -> None:
    # prices end 2024-07-31, so the last complete quarter is Q2 2024
    assert "Russell 1000 Index quarterly chartbook" in report.read_text(encoding="utf-8")
    assert list(exhibits) == ORDER
    assert exhibits["3"].tables[0].header == ["", "Q2 2024", "Q1 2024", "Q4 2023", "Q3 2023", "12 months"]
    assert parse_report(report.read_text(encoding="utf-8"))[1] == ["10b", "11"]
    # no complete calendar year (2023 has no level at the end of 2022), no style box, no IPO in the quarter
    assert exhibits["1"].empty and exhibits["5"].empty and not exhibits["1"].charts
    assert exhibits["6a"].title == "Second quarter IPOs"
    assert exhibits["6a"].empty == "No IPO joined the Russell 1000 Index in Q2 2024."


def test_quarter_and_twelve_month_returns(chartbook_warehouse: Path, exhibits: dict) -> None:
    with duckdb.connect(str(chartbook_warehouse), read_only=True) as con:
        book = load(con, "R1000")
    quarters = [_growth(days) - 1 for days in (Q2_2024, Q1_2024, Q4_2023, Q3_2023)]
    assert book.quarter_returns["R1000"] == pytest.approx(quarters, abs=1e-12)
    twelve = _growth(Q3_2023 + Q4_2023 + Q1_2024 + Q2_2024) - 1
    assert book.twelve_months["R1000"] == pytest.approx(twelve, abs=1e-12)
    # printed with one decimal, as the chartbook prints them
    row = exhibits["3"].tables[0].row("Russell 1000 Index")
    assert row == ["Russell 1000 Index", *(f"{100 * q:.1f}" for q in quarters), f"{100 * twelve:.1f}"]
    assert row[1:] == ["1.7", "9.3", "-0.1", "0.6", "11.7"]
    assert len(exhibits["3"].tables[0].rows) == 6 and len(exhibits["4"].tables[0].rows) == 8
    # growth of 1,000 from the first level (2023-06-23; nothing moves until September) to 2024-06-28
    assert exhibits["2"].subtitle == "Total return (growth of 1,000) since June 23, 2023"
    assert exhibits["2"].tables[0].row("Russell 1000 Index")[1] == f"{1000 * (1 + twelve):,.0f}" == "1,117"


def test_industry_weights_returns_and_year_to_date_contributions(exhibits: dict) -> None:
    weights = exhibits["7"].tables[0]
    assert len(weights.rows) == 11  # every ICB industry, empty ones at 0.0
    # 2024-03-28: Technology 50 + 45 + 30.6 + 4 + 1.32 + 4.08 = 135, Health Care 40, Energy 2.7 of $177.7B;
    # 2023-12-29: Energy (E reclassified on 2023-11-15) 3 of $162.92B; 2023-09-29: E is still Technology
    assert weights.row("Technology")[2] == f"{100 * 135 / 177.7:.1f}" == "76.0"
    assert weights.row("Health Care")[2] == "22.5" and weights.row("Energy")[2] == "1.5"
    assert (
        weights.row("Energy")[3] == f"{100 * 3 / 162.92:.1f}" == "1.8" and weights.row("Energy")[4] == "0.0"
    )
    returns = exhibits["8"].tables[0]
    # Q2 2024: Health Care = Y 1.025 x 0.99; Technology begins at $135B: X's dividend 0.5, then X + Z +1.9
    assert returns.row("Health Care")[1] == f"{100 * (1.025 * 0.99 - 1):.1f}" == "1.5"
    assert returns.row("Technology")[1] == f"{100 * ((1 + 0.5 / 135) * (1 + 1.9 / 135) - 1):.1f}" == "1.8"
    assert returns.row("Russell 1000 Index")[1] == f"{100 * (_growth(Q2_2024) - 1):.1f}"
    contributions = exhibits["9"].tables[0]
    # year to date: each day's move over the index's beginning cap, scaled by the index's growth since 1 January
    # (the quarters linked: Q2's contributions x Q1's growth)
    before_june = _growth(Q1_2024 + [(0.5, 177.7)])
    health_care = 1 / 177.7 * before_june - 0.41 / 178.7 * before_june * (1 + 1 / 177.7)
    assert contributions.row("Health Care")[1] == f"{100 * health_care:.2f}" == "0.36"
    assert contributions.row("Energy")[1:] == ["0.00", "0.0"]  # E's special dividend is no move
    year = _growth(Q1_2024 + Q2_2024) - 1
    assert contributions.row("Russell 1000 Index")[1:] == [f"{100 * year:.2f}", f"{100 * year:.1f}"]


def test_year_to_date_links_the_quarters_exactly(chartbook_warehouse: Path) -> None:
    with duckdb.connect(str(chartbook_warehouse), read_only=True) as con:
        book = load(con, "R1000", Quarter(2024, 2))
    before_june = _growth(Q1_2024 + [(0.5, 177.7)])
    health_care = 1 / 177.7 * before_june - 0.41 / 178.7 * before_june * (1 + 1 / 177.7)
    assert book.contributions_ytd["Health Care"] == pytest.approx(health_care, abs=1e-12)
    assert sum(book.contributions_ytd.values()) == pytest.approx(_growth(Q1_2024 + Q2_2024) - 1, abs=1e-12)
    # Technology compounds its own days: Q1 begins at $119.92B (0.08) and $120B (15), Q2 as in Exhibit 8
    technology = (1 + 0.08 / 119.92) * (1 + 15 / 120) * (1 + 0.5 / 135) * (1 + 1.9 / 135) - 1
    assert book.industry_returns_ytd["Technology"] == pytest.approx(technology, abs=1e-12)


def test_characteristics_against_the_comparison_index(exhibits: dict) -> None:
    q1 = exhibits["12b"]
    assert q1.title == "Fundamental characteristics: Q1 2024"
    valuation = q1.tables[1]
    assert valuation.header[:4] == ["Index", "P/E (I/B/E/S 1 Yr) Forecasted", "Price/Book", "Price/Cash Flow"]
    # 2024-03-28: P/E 20 (X $50B), 40 (Y $40B), 15 (Z $45B), A's negative EPS and the lines without estimates
    # left out: 135 / (50/20 + 40/40 + 45/15) = 135 / 6.5; the Russell 2000 has no estimates at all
    assert valuation.row("Russell 1000 Index")[1] == f"{135 / 6.5:.2f}" == "20.77"
    assert valuation.row("Russell 2000 Index")[1] == "–"
    # estimates are first public on 2024-02-15: none at the end of Q3 2023
    assert exhibits["12d"].tables[1].row("Russell 1000 Index")[1] == "–"


def test_the_report_draws_every_chart_in_a_browser(report: Path, exhibits: dict) -> None:
    dom = rendered_dom_or_skip(report)
    drawn = drawn_charts(dom)
    expected = {chart for e in exhibits.values() for chart in e.charts}
    assert expected == {"chart-2", "chart-7", "chart-8", "chart-9", "chart-10a", "chart-P1"}
    assert set(drawn) == expected
    for chart in expected:
        assert drawn[chart].svgs > 0 and drawn[chart].marks > 0, chart
    assert drawn["chart-7"].marks == 11 * 4  # eleven industries x four quarter ends (zero-width bars too)
    assert drawn["chart-10a"].traces == 11


def test_the_report_is_the_same_bytes_every_time(
    chartbook_warehouse: Path, report: Path, tmp_path: Path
) -> None:
    again = write_report(chartbook_warehouse, "R1000", None, tmp_path / "again.html")
    assert again.path.read_bytes() == report.read_bytes()
    assert (again.exhibits, again.charts) == (20, 6)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quarter", "2024Q3"], "2024Q3 is not complete in the warehouse; complete quarters of R2000: 2023Q3 "
                                  "to 2024Q2"),
        (["--quarter", "2024-13"], "not a quarter (YYYYQn, e.g. 2024Q4): '2024-13'"),
        (["--index", "R1000G"], "R1000G is a style index; the chartbook is for size indexes"),
    ],
)  # fmt: skip
def test_report_errors_are_one_line(
    chartbook_warehouse: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    assert main(["report", "--db", str(chartbook_warehouse), "--out", str(tmp_path / "x.html"), *args]) == 1
    err = capsys.readouterr().err
    assert err == f"indexpipe report: {message}\n"
    assert not (tmp_path / "x.html").exists()
