"""`indexpipe compare` (the outside check) on the crafted banding market, against holdings files written here.

The engine's 2024-06 reconstitution of the banding market (tests/recon_fixtures.py; scaled breakpoints, #10 is the
R1000 breakpoint at 89.99% with the band 87.49%-92.49%) is compared with two iShares-style files dated
2024-07-01: an "R2000 fund" holding the engine's R2000 members except A09, plus A11 (an engine R1000 member),
A30 (ranked #30, below the R3000 cut at #25) and ZZZ (a ticker the input does not have); an "R3000 fund"
holding every engine R3000 member and ZZZ.
By hand, with m = the engine's R2000 members and n = its R3000 members:
- R2000 precision = (m - 1) / m (A09 is not held); recall on names with data = (m - 1) / (m + 1) (A11 and A30
  are extra); recall over every ETF name = (m - 1) / (m + 2) (A11, A30 and ZZZ);
- split: ETF side R2000 if the R2000 fund holds it, else R1000; the engine classifies the n R3000 names, two of
  them differently: agreement (n - 2) / n; A30 and ZZZ are not classified;
- A11 (#11, 91.08%) and A09 (#9, 87.79%) are inside the band: reason band, distances -1.41 and -0.30 points
  (91.08 is 1.41 below 92.49; 87.79 is 0.30 above 87.49); A30: reason rank (#30 > #25); ZZZ: reason data.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest
from indexpipe.cli import main
from indexpipe.compare.levels import compare_levels
from indexpipe.compare.membership import compare_membership

ON = date(2024, 7, 1)
PREAMBLE = ["iShares Test ETF", 'Fund Holdings as of,"Jul 01, 2024"', 'Inception Date,"May 22, 2000"', " "]
HEADER = (
    "Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Shares,Price,Location,Exchange"
)


@pytest.fixture(scope="module")
def db(banding_warehouse: Path) -> Path:
    return banding_warehouse


def _members(db: Path, index_code: str) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [
            r[0]
            for r in con.execute(
                "select s.ticker from main.fct_index_membership join main.dim_security as s using (security_id) "
                "where index_code = ? and valid_from <= ? and (valid_to is null or valid_to > ?) order by 1",
                [index_code, ON, ON],
            ).fetchall()
        ]


def _write_holdings(path: Path, tickers: list[str]) -> Path:
    rows = [f'"{t}","NAME {t}","Information Technology","Equity","1,000.00","0.10","1,000.00","10.00","100.00",'
            '"United States","NASDAQ"' for t in tickers]  # fmt: skip
    # a cash row and a futures row: the fund holds them, the index does not
    rows += ['"USD","USD CASH","Cash and/or Derivatives","Cash","5.00","0.01","5.00","5.00","1.00","United States","-"',
             '"RTYU4","RUSSELL 2000 EMINI SEP 24","Cash and/or Derivatives","Futures","0.00","0.00","9.00","1.00",'
             '"2000.00","United States","-"']  # fmt: skip
    path.write_text("\n".join([*PREAMBLE, HEADER, *rows, " ", '"The content is for illustration."']) + "\n")
    return path


@pytest.fixture(scope="module")
def holdings(db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("holdings")
    r2000 = [t for t in _members(db, "R2000") if t != "A091"] + ["A111", "A301", "ZZZ"]
    return (
        _write_holdings(folder / "small.csv", r2000),
        _write_holdings(folder / "broad.csv", _members(db, "R3000") + ["ZZZ"]),
    )


def test_membership_precision_recall_and_split(db: Path, holdings: tuple[Path, Path]) -> None:
    m, n = len(_members(db, "R2000")), len(_members(db, "R3000"))
    assert "A091" in _members(db, "R2000") and "A111" in _members(db, "R1000")
    files = [(holdings[0], "R2000"), (holdings[1], "R3000")]
    result = compare_membership(db, files, rank_r1000=10, rank_r3000=25)
    r2000 = result.indexes[0]
    assert (r2000.index_code, r2000.as_of, r2000.etf_names, r2000.etf_names_with_data) == (
        "R2000",
        ON,
        m + 2,
        m + 1,
    )
    assert r2000.precision == pytest.approx((m - 1) / m)
    assert r2000.recall == pytest.approx((m - 1) / (m + 1))
    assert r2000.recall_all == pytest.approx((m - 1) / (m + 2))
    split = result.split
    assert (split.recon_id, split.classified, split.agree, split.not_classified) == ("2024-06", n, n - 2, 2)
    assert split.breakpoint_pct == pytest.approx(0.8999, abs=1e-12)
    # on the classified names: m engine R2000 (A09 among them), m - 1 + 1 ETF R2000 (A11 for A09)
    assert (split.r2000_both, split.r2000_engine, split.r2000_etf) == (m - 1, m, m)
    by_ticker = {d.ticker: d for d in split.disagreements}
    assert set(by_ticker) == {"A111", "A091", "A301", "ZZZ"}
    a30 = by_ticker["A301"]
    assert (a30.etf_side, a30.engine_side, a30.reason, a30.size_rank) == ("R2000", None, "rank", 30)
    assert a30.distance_to_band_pct is None
    a11, a09, zzz = by_ticker["A111"], by_ticker["A091"], by_ticker["ZZZ"]
    assert (a11.etf_side, a11.engine_side, a11.reason, a11.size_rank) == ("R2000", "R1000", "band", 11)
    assert a11.distance_to_band_pct == pytest.approx(-1.41, abs=1e-9)
    assert (a09.etf_side, a09.engine_side, a09.reason, a09.size_rank) == ("R1000", "R2000", "band", 9)
    assert a09.distance_to_band_pct == pytest.approx(-0.30, abs=1e-9)
    assert (zzz.reason, zzz.engine_side) == ("data", None)


def test_levels_against_a_published_series(db: Path, tmp_path: Path) -> None:
    # the levels of a step-function market: flat but for the 2023-08-01 move
    with duckdb.connect(str(db), read_only=True) as con:
        levels = con.execute(
            "select date, price_level from main.fct_index_levels where index_code = 'R2000' and date >= ? "
            "order by date limit 25",
            [date(2023, 7, 20)],  # across 2023-08-01, when the banding market's closes move
        ).fetchall()
    same = tmp_path / "same.csv"
    # the same series at twice the level: identical returns
    same.write_text("Date,Close\n" + "".join(f"{d},{2 * v!r}\n" for d, v in levels))
    result = compare_levels(db, same, "R2000")
    assert result.days == 25 and result.first_day == levels[0][0]
    assert result.correlation == pytest.approx(1.0, abs=1e-12)
    assert result.tracking_error == pytest.approx(0.0, abs=1e-12)
    window = result.periods[-1]
    assert window.period == "window" and window.engine == pytest.approx(window.published, abs=1e-12)
    # three published closes by hand: 100 -> 110 -> 99 is +10% then -10%, -1% over the window
    three = tmp_path / "three.csv"
    three.write_text(
        "Date,Close\n" + "".join(f"{d},{c}\n" for (d, _), c in zip(levels[:3], (100, 110, 99), strict=True))
    )
    window = compare_levels(db, three, "R2000").periods[-1]
    assert window.published == pytest.approx(-0.01, abs=1e-12)
    assert window.engine == pytest.approx(levels[2][1] / levels[0][1] - 1, abs=1e-12)


def test_cli_prints_and_writes_the_comparison(
    db: Path, holdings: tuple[Path, Path], tmp_path: Path, capsys
) -> None:
    out = tmp_path / "cmp.md"
    args = ["compare", "--db", str(db), "--holdings", str(holdings[0]), "--index", "R2000",
            "--holdings", str(holdings[1]), "--index", "R3000", "--out", str(out)]  # fmt: skip
    # the CLI reads the rule numbers of dbt_project.yml (#1,000), so the crafted market's #10 is not the breakpoint;
    # what is checked here is the output, not the numbers above
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "R1000/R2000 split" in printed and "| A111 |" in printed
    assert out.exists() and "## Membership against ETF holdings" in out.read_text()
    with out.with_suffix(".disagreements.csv").open() as fh:
        assert {row["ticker"] for row in csv.DictReader(fh)} == {"A111", "A091", "A301", "ZZZ"}
    assert main(["compare", "--db", str(db), "--holdings", str(holdings[0])]) == 1
    assert "one --index per --holdings" in capsys.readouterr().err
