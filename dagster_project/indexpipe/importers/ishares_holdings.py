"""Reader for iShares fund holdings files (the CSV behind "Detailed Holdings and Analytics").

Layout: a preamble of about nine lines (fund name, ``Fund Holdings as of,"May 13, 2025"``, inception date,
shares outstanding, ...), a header ``Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,
Quantity|Shares,[CUSIP,ISIN,SEDOL,]Price,Location,Exchange,Currency,FX Rate,Market Currency[,Accrual Date]``,
the holdings, then disclaimer lines. Some copies lack the preamble or pad every line with commas. Numbers carry
thousands separators; '-' is empty. Rows that are not equity (cash, money-market funds, futures, collateral) are
dropped: the fund holds them, the index does not, and so are rows without a ticker (an unlisted line). Plain
``Ticker,Name,Weight (%)`` copies without an asset class keep every row whose name is not cash or a future.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

SCHEMA = pa.schema(
    [
        ("ticker", pa.string()),  # as written in the file (share classes without separator: BRKB)
        ("name", pa.string()),
        ("sector", pa.string()),
        ("asset_class", pa.string()),
        ("market_value", pa.float64()),
        ("weight", pa.float64()),  # decimal: 0.0064 for "0.64"
        ("quantity", pa.float64()),  # shares held ("Quantity" or "Shares")
        ("price", pa.float64()),
        ("location", pa.string()),
        ("exchange", pa.string()),
    ]
)
EQUITY = "Equity"
NO_TICKER = "(no ticker)"
CASH_OR_FUTURES = "(cash or futures, by name)"
# Without an asset class column, cash, money-market, collateral and futures rows are known by their names
_NON_EQUITY_NAME = re.compile(r"\bCASH\b|\bEMINI\b|\bFUTURES?\b|TREASURY SL AGENCY|COLLATERAL", re.IGNORECASE)
_DATE_FORMATS = ("%b %d, %Y", "%d-%b-%y", "%Y-%m-%d", "%m/%d/%Y", "%d-%b-%Y")


@dataclass(frozen=True)
class Holdings:
    fund: str | None  # "iShares Russell 2000 ETF"; None without a preamble
    as_of: date | None  # "Fund Holdings as of"; None without a preamble
    rows: pa.Table  # equity rows in file order
    dropped: dict[str, int] = field(default_factory=dict)  # non-equity rows left out, by asset class

    @property
    def tickers(self) -> list[str]:
        return self.rows.column("ticker").to_pylist()


def parse_date(text: str) -> date | None:
    text = text.strip().strip('"')
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _number(text: str | None) -> float | None:
    text = (text or "").strip().replace(",", "")
    if text in ("", "-", "--"):
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _text(text: str | None) -> str | None:
    text = (text or "").strip()
    return None if text in ("", "-", "--") else text


def read_holdings(path: Path) -> Holdings:
    """The equity holdings of one iShares file, with the fund name and date from its preamble."""
    content = Path(path).read_text(encoding="utf-8-sig")
    records = list(csv.reader(io.StringIO(content)))
    fund = as_of = None
    header_at = None
    for i, record in enumerate(records):
        cells = [c.strip() for c in record]
        if not cells or not any(cells):
            continue
        # copies saved through pandas carry an unnamed row-number column before Ticker
        if cells[0] == "Ticker" or (cells[0] == "" and cells[1:2] == ["Ticker"]):
            header_at = i
            break
        if i == 0:
            fund = cells[0] or None
        if cells[0].lower() == "fund holdings as of" and len(cells) > 1:
            as_of = parse_date(cells[1])
    if header_at is None:
        raise ValueError(f"{path}: not an iShares holdings file (no 'Ticker,Name,...' header)")
    header = [c.strip() for c in records[header_at]]
    at = {name: header.index(name) for name in header if name}
    quantity = "Quantity" if "Quantity" in at else "Shares"
    required = ("Ticker", "Name", "Weight (%)")
    if any(name not in at for name in required):
        raise ValueError(f"{path}: holdings header lacks one of {', '.join(required)}")

    def cell(record: list[str], name: str) -> str | None:
        index = at.get(name)
        return record[index] if index is not None and index < len(record) else None

    rows: dict[str, list] = {name: [] for name in SCHEMA.names}
    dropped: dict[str, int] = {}
    for record in records[header_at + 1 :]:
        # the holdings end where the disclaimer starts: a line with fewer fields than the header needs
        if not any(c.strip() for c in record):
            continue
        if len(record) <= at["Weight (%)"]:
            break
        name = _text(cell(record, "Name"))
        if "Asset Class" in at:
            asset_class = _text(cell(record, "Asset Class")) or ""
        else:
            asset_class = CASH_OR_FUTURES if name and _NON_EQUITY_NAME.search(name) else EQUITY
        if asset_class == EQUITY and _text(cell(record, "Ticker")) is None:
            asset_class = NO_TICKER
        if asset_class != EQUITY:
            dropped[asset_class] = dropped.get(asset_class, 0) + 1
            continue
        weight = _number(cell(record, "Weight (%)"))
        rows["ticker"].append(_text(cell(record, "Ticker")))
        rows["name"].append(name)
        rows["sector"].append(_text(cell(record, "Sector")))
        rows["asset_class"].append(asset_class)
        rows["market_value"].append(_number(cell(record, "Market Value")))
        rows["weight"].append(None if weight is None else weight / 100)
        rows["quantity"].append(_number(cell(record, quantity)))
        rows["price"].append(_number(cell(record, "Price")))
        rows["location"].append(_text(cell(record, "Location")))
        rows["exchange"].append(_text(cell(record, "Exchange")))
    return Holdings(fund, as_of, pa.Table.from_pydict(rows, schema=SCHEMA), dict(sorted(dropped.items())))
