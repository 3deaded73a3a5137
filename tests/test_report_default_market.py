"""The chartbook of the default market (the Russell 2000, Q4 2026, the last complete quarter), every exhibit
read back against the marts, and drawn by headless Chromium. Slow: it builds the default-size market."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from indexpipe.cli import main
from indexpipe.report import Quarter
from indexpipe.report.data import load
from indexpipe.report.formats import percent
from report_html import drawn_charts, parse_report, rendered_dom_or_skip

pytestmark = pytest.mark.slow

TITLES = {
    "1": ("Market cap performance", "Annual return (%)"),
    "1b": ("Market cap performance", "Annual return (%)"),
    "2": ("Performance: Growth of a unit", "Total return (growth of 1,000) 10 years"),
    "3": ("Market cap performance", "Total return (%)"),
    "4": ("Style performance", "Total return (%)"),
    "5": ("Style box performance", "Total return (%)"),
    "6a": ("Fourth quarter IPOs", "Quarter end"),
    "6b": ("Fourth quarter IPOs", "Quarter end"),
    "7": ("Quarterly industry weightings", "Quarter end (%)"),
    "8": ("Quarterly industry performance review", "Total return (%)"),
    "9": ("Industry contribution to return", "Year to date (%)"),
    "10a": ("Industry history", "ICB historical monthly weightings (%)"),
    "12a": ("Fundamental characteristics: Q4 2026", "Quarterly market snapshots"),
    "12b": ("Fundamental characteristics: Q3 2026", "Quarterly market snapshots"),
    "12c": ("Fundamental characteristics: Q2 2026", "Quarterly market snapshots"),
    "12d": ("Fundamental characteristics: Q1 2026", "Quarterly market snapshots"),
}
# the December 2026 reconstitution (the first semi-annual one) falls in the report's quarter: its preview page closes
PREVIEW_TITLES = {
    "P1": "Projected membership changes by size band",
    "P2": "Likely additions and deletions",
    "P3": "Likely migrations",
    "P4": "Near an edge",
}
SIZE = ["Russell 3000 Index", "Russell Top 200 Index", "Russell 1000 Index", "Russell Midcap Index",
        "Russell 2000 Index", "Russell Microcap Index"]  # fmt: skip


@pytest.fixture(scope="module")
def db(default_warehouse: duckdb.DuckDBPyConnection) -> Path:
    return Path(default_warehouse.execute(
        "select path from duckdb_databases() where database_name = current_database()").fetchall()[0][0])  # fmt: skip


@pytest.fixture(scope="module")
def report(db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("default_report") / "chartbook.html"
    assert main(["report", "--db", str(db), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def exhibits(report: Path) -> dict:
    return parse_report(report.read_text(encoding="utf-8"))[0]


def _value(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> float:
    return con.execute(sql, list(params)).fetchall()[0][0]


def test_every_exhibit_with_the_chartbook_titles(report: Path, exhibits: dict) -> None:
    assert list(exhibits) == list(TITLES) + list(PREVIEW_TITLES)
    for number, (title, subtitle) in TITLES.items():
        assert (exhibits[number].label, exhibits[number].title, exhibits[number].subtitle) == (
            f"Exhibit {number}", title, subtitle
        )  # fmt: skip
    for number, title in PREVIEW_TITLES.items():
        assert (exhibits[number].label, exhibits[number].title) == (f"Exhibit {number}", title)
        assert exhibits[number].subtitle.startswith("Preview of the 2026-12 reconstitution on ")
    assert parse_report(report.read_text(encoding="utf-8"))[1] == ["10b", "11"]
    assert "Russell 2000 Index quarterly chartbook" in report.read_text(encoding="utf-8")
    assert "https://" not in report.read_text(encoding="utf-8").split("</script>")[-1]  # nothing to fetch


def test_market_performance_exhibits_read_back(default_warehouse, exhibits: dict) -> None:
    con = default_warehouse
    # Exhibits 1 and 1b: ten calendar years in two charts and tables of six indexes
    assert exhibits["1"].tables[0].header[1:] == ["2017", "2018", "2019", "2020", "2021"]
    assert exhibits["1b"].tables[0].header[1:] == ["2022", "2023", "2024", "2025", "2026"]
    assert [r[0] for r in exhibits["1b"].tables[0].rows] == SIZE
    year_2026 = _value(con, "select total_return from main.fct_index_period_returns where index_code = 'R2000' "
                            "and period_type = 'year' and period_end = '2026-12-31'")  # fmt: skip
    assert exhibits["1b"].tables[0].row("Russell 2000 Index")[5] == percent(year_2026)
    # Exhibit 2: rebased at the close of 2016-12-30 (the Q4 2016 quarter end, ten years back)
    ratio = _value(con, "select max(total_return_level) filter (where date = '2026-12-31') / "
                        "max(total_return_level) filter (where date = '2016-12-30') from main.fct_index_levels "
                        "where index_code = 'R2000'")  # fmt: skip
    assert exhibits["2"].tables[0].row("Russell 2000 Index")[1] == f"{1000 * ratio:,.0f}"
    # Exhibit 3: six indexes x four quarters; for a Q4 the 12 months are the calendar year
    table = exhibits["3"].tables[0]
    assert [r[0] for r in table.rows] == SIZE
    q3 = _value(con, "select total_return from main.fct_index_period_returns where index_code = 'RMICRO' "
                     "and period_type = 'quarter' and period_end = '2026-09-30'")  # fmt: skip
    assert table.row("Russell Microcap Index")[2] == percent(q3)
    assert table.row("Russell 2000 Index")[5] == percent(year_2026)
    # Exhibit 4: the eight style indexes in the chartbook's order
    assert [r[0] for r in exhibits["4"].tables[0].rows] == [
        "Russell 1000 Growth Index", "Russell 2000 Growth Index", "Russell 1000 Value Index",
        "Russell 2000 Value Index", "Russell 1000 Defensive Index", "Russell 2000 Defensive Index",
        "Russell 1000 Dynamic Index", "Russell 2000 Dynamic Index",
    ]  # fmt: skip
    # Exhibit 5: four years of 3 x 3, two decimals; large core is the Russell 1000 (decision 12)
    box = exhibits["5"].tables[0]
    assert [r[0] for r, kind in zip(box.rows, box.kinds, strict=True) if kind == "group"] == [
        "2026", "2025", "2024", "2023"
    ]  # fmt: skip
    assert len(box.data_rows()) == 12
    r1000 = _value(con, "select total_return from main.fct_index_period_returns where index_code = 'R1000' "
                        "and period_type = 'year' and period_end = '2026-12-31'")  # fmt: skip
    assert box.data_rows()[0] == [
        "Large", *(percent(v, 2) for v in _style_row(con, "large", "2026-12-31"))
    ]  # fmt: skip
    assert box.data_rows()[0][2] == percent(r1000, 2)


def _style_row(con: duckdb.DuckDBPyConnection, segment: str, day: str) -> list[float]:
    rows = dict(con.execute("select style, total_return from main.fct_style_box_returns where period_type = "
                            "'year' and period_end = ? and size_segment = ?", [day, segment]).fetchall())  # fmt: skip
    return [rows["value"], rows["core"], rows["growth"]]


def test_industry_exhibits_read_back(default_warehouse, exhibits: dict) -> None:
    con = default_warehouse
    # Q4 2026: the December reconstitution replaces the IPO review, so no IPO joined between reconstitutions
    assert _value(con, "select count(*) from main.fct_ipo_additions where index_code = 'R2000' "
                       "and effective_date between '2026-10-01' and '2026-12-31'") == 0  # fmt: skip
    assert exhibits["6a"].empty == "No IPO joined the Russell 2000 Index in Q4 2026."
    weights = exhibits["7"].tables[0]
    assert len(weights.rows) == 11
    health_care = _value(con, "select weight from main.fct_industry_weights where index_code = 'R2000' "
                              "and as_of_date = '2026-12-31' and icb_industry = 'Health Care'")  # fmt: skip
    assert weights.row("Health Care")[1] == percent(health_care)
    returns = exhibits["8"].tables[0]
    assert len(returns.rows) == 12 and returns.kinds[-1] == "total"
    energy = _value(con, "select industry_return from main.fct_industry_contribution where index_code = 'R2000' "
                         "and period_type = 'quarter' and period_end = '2026-12-31' and icb_industry = 'Energy'")  # fmt: skip
    assert returns.row("Energy")[1] == percent(energy)
    contributions = exhibits["9"].tables[0]
    assert len(contributions.rows) == 12
    year = dict(con.execute("select icb_industry, contribution from main.fct_industry_contribution "
                            "where index_code = 'R2000' and period_type = 'year' and period_end = '2026-12-31'")
                .fetchall())  # fmt: skip
    assert contributions.row("Financials")[1] == percent(year["Financials"], 2)
    assert exhibits["10a"].charts == ["chart-10a"]


def test_year_to_date_at_q4_equals_the_marts_year(default_warehouse) -> None:
    # the report links the four quarters; the mart links the year's days: the same sum (project decision 9)
    book = load(default_warehouse, "R2000", Quarter(2026, 4))
    year = {
        industry: (contribution, industry_return)
        for industry, contribution, industry_return in default_warehouse.execute(
            "select icb_industry, contribution, industry_return from main.fct_industry_contribution "
            "where index_code = 'R2000' and period_type = 'year' and period_end = '2026-12-31'"
        ).fetchall()
    }
    assert set(book.contributions_ytd) == set(year)
    for industry, (contribution, industry_return) in year.items():
        assert book.contributions_ytd[industry] == pytest.approx(contribution, abs=1e-12), industry
        assert book.industry_returns_ytd[industry] == pytest.approx(industry_return, abs=1e-12), industry


def test_characteristics_read_back(default_warehouse, exhibits: dict) -> None:
    for number, day in (("12a", "2026-12-31"), ("12d", "2026-03-31")):
        growth_quality, valuation_risk = exhibits[number].tables
        assert [r[0] for r in growth_quality.rows] == ["Russell 2000 Index", "Russell 1000 Index"]
        pe = _value(default_warehouse, "select value from main.fct_index_characteristics where index_code = "
                                       "'R2000' and as_of_date = ? and metric = 'pe_forecast'", day)  # fmt: skip
        assert valuation_risk.row("Russell 2000 Index")[1] == f"{pe:.2f}"
        dy = _value(default_warehouse, "select value from main.fct_index_characteristics where index_code = "
                                       "'R1000' and as_of_date = ? and metric = 'dividend_yield'", day)  # fmt: skip
        assert growth_quality.row("Russell 1000 Index")[6] == f"{100 * dy:.2f}"


def test_a_quarter_with_ipos(db: Path, default_warehouse, tmp_path: Path) -> None:
    out = tmp_path / "q4_2024.html"
    assert main(["report", "--db", str(db), "--quarter", "2024Q4", "--out", str(out)]) == 0
    exhibits = parse_report(out.read_text(encoding="utf-8"))[0]
    additions = default_warehouse.execute(
        "select icb_industry, count(*), sum(total_market_cap) from main.fct_ipo_additions "
        "where index_code = 'R2000' and effective_date between '2024-10-01' and '2024-12-31' group by all order by 1"
    ).fetchall()
    by_industry = exhibits["6a"].tables[0]
    assert [r[:2] for r in by_industry.data_rows()] == [[i, str(n)] for i, n, _ in additions]
    assert by_industry.rows[-1][:2] == ["Total", str(sum(n for _, n, _ in additions))]
    assert by_industry.rows[-1][2] == f"{sum(c for *_, c in additions) / 1e9:.2f}"
    assert len(exhibits["6b"].tables[0].rows) == sum(n for _, n, _ in additions) > 0


def test_the_report_draws_every_chart_in_a_browser(report: Path, exhibits: dict) -> None:
    drawn = drawn_charts(rendered_dom_or_skip(report))
    expected = {chart for e in exhibits.values() for chart in e.charts}
    assert expected == {
        "chart-1",
        "chart-1b",
        "chart-2",
        "chart-7",
        "chart-8",
        "chart-9",
        "chart-10a",
        "chart-P1",
    }
    assert set(drawn) == expected
    for chart in expected:
        assert drawn[chart].svgs > 0 and drawn[chart].marks > 0, chart
    assert drawn["chart-1"].marks == drawn["chart-1b"].marks == 5 * 6  # five years x six indexes
    assert drawn["chart-2"].traces == 6
    assert drawn["chart-7"].marks == 11 * 4 and drawn["chart-8"].marks == drawn["chart-9"].marks == 11
    assert drawn["chart-10a"].traces == 11
