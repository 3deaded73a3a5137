"""`indexpipe import public`: readers and inference on ten-row excerpts of the real public files, and the import.

Each excerpt is cut from ../shared/data/public inside the test (never stored in the repository); every test skips
with a message when that folder is absent.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from indexpipe.importers.ishares_holdings import read_holdings
from indexpipe.settings import REPO_ROOT

PUBLIC = REPO_ROOT.parent / "shared" / "data" / "public"


def public_file(relative: str) -> Path:
    path = PUBLIC / relative
    if not path.exists():
        pytest.skip(f"public reference data not available: {path} (see docs/real-data.md)")
    return path


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines(keepends=True)


# ------------------------------------------------------------------------------------------------ iShares


def test_ishares_reader_keeps_ten_equity_rows_and_drops_cash_and_futures(tmp_path: Path) -> None:
    source = public_file("iwm_2025-05-13/IWM_holdings.csv")
    lines = _lines(source)
    header = next(i for i, line in enumerate(lines) if line.startswith("Ticker,"))
    equity = [line for line in lines[header + 1 :] if '"Equity"' in line][:10]
    other = [
        line
        for line in lines[header + 1 :]
        if any(f'"{c}"' in line for c in ("Cash", "Money Market", "Futures"))
    ]
    disclaimer = [line for line in lines[header + 1 :] if not line.startswith('"')][:3]
    excerpt = tmp_path / "IWM_holdings.csv"
    excerpt.write_text("".join(lines[: header + 1] + equity + other + disclaimer), encoding="utf-8")

    holdings = read_holdings(excerpt)

    assert holdings.fund == "iShares Russell 2000 ETF"
    assert holdings.as_of == date(2025, 5, 13)
    assert holdings.rows.num_rows == 10
    # USD CASH and CAD CASH are 'Cash', XTSLA 'Money Market', RTYM5 'Futures'
    assert holdings.dropped == {"Cash": 2, "Futures": 1, "Money Market": 1}
    expected = next(csv.reader(io.StringIO(equity[0])))
    first = holdings.rows.slice(0, 1).to_pylist()[0]
    # "SFM","SPROUTS FARMERS MARKET INC",...,"409,233,878.82","0.64",...,"2,582,406.00","158.47"
    assert first["ticker"] == expected[0] == "SFM"
    assert first["market_value"] == 409_233_878.82
    assert first["weight"] == pytest.approx(0.0064)  # 0.64 % written as a percentage
    assert first["quantity"] == 2_582_406
    assert first["price"] == 158.47
    assert holdings.tickers == [next(csv.reader(io.StringIO(line)))[0] for line in equity]


def test_ishares_reader_without_preamble_and_with_shares_column(tmp_path: Path) -> None:
    # the 2024-08-15 IWV copy starts at its header and calls the quantity column "Shares"
    source = public_file("iwv_2024-08-15_inferred/IWV_holdings.csv")
    lines = _lines(source)
    assert lines[0].startswith("Ticker,") and ",Shares," in lines[0]
    excerpt = tmp_path / "IWV.csv"
    excerpt.write_text("".join(lines[:11]), encoding="utf-8")
    holdings = read_holdings(excerpt)
    assert holdings.fund is None and holdings.as_of is None
    assert holdings.rows.num_rows == 10
    expected = next(csv.reader(io.StringIO(lines[1])))
    assert holdings.rows.column("quantity")[0].as_py() == float(expected[7].replace(",", ""))
