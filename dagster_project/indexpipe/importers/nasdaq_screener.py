"""Reader for the Nasdaq.com stock screener export (NYSE, Nasdaq and NYSE American lines of one day).

Columns: ``Symbol,Name,Last Sale,Net Change,% Change,Market Cap,Country,IPO Year,Volume,Sector,Industry``.
``Last Sale`` is ``$``-prefixed; ``Market Cap`` is the company's total cap at this line's price (every listed
class of Alphabet carries all of Alphabet's shares, see docs/real-data.md), empty or 0.00 when unknown.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from indexpipe.importers.tickers import normalise

COLUMNS = ("Symbol", "Name", "Last Sale", "Net Change", "Market Cap", "Country", "IPO Year", "Volume", "Sector",
           "Industry")  # fmt: skip

SCHEMA = pa.schema(
    [
        ("line", pa.int64()),  # physical line in the file (header = 1)
        ("symbol", pa.string()),
        ("ticker", pa.string()),
        ("name", pa.string()),
        ("last_sale", pa.float64()),
        ("net_change", pa.float64()),
        ("market_cap", pa.float64()),
        ("country", pa.string()),
        ("ipo_year", pa.int64()),
        ("volume", pa.int64()),
        ("sector", pa.string()),
        ("industry", pa.string()),
    ]
)


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _number(value: str | None) -> float | None:
    text = (value or "").strip().replace("$", "").replace(",", "")
    try:
        return float(text) if text else None
    except ValueError:  # 'NA', 'UNCH'
        return None


def read_screener(path: Path) -> pa.Table:
    """Every row of the export, typed; a market cap of 0 or less is unknown (None)."""
    rows: dict[str, list] = {name: [] for name in SCHEMA.names}
    with Path(path).open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path}: not a Nasdaq screener export (missing columns {', '.join(missing)})")
        for line, row in enumerate(reader, start=2):
            symbol = (row["Symbol"] or "").strip()
            if not symbol:
                continue
            cap = _number(row["Market Cap"])
            ipo = _number(row["IPO Year"])
            volume = _number(row["Volume"])
            rows["line"].append(line)
            rows["symbol"].append(symbol)
            rows["ticker"].append(normalise(symbol))
            rows["name"].append(_text(row["Name"]))
            rows["last_sale"].append(_number(row["Last Sale"]))
            rows["net_change"].append(_number(row["Net Change"]))
            rows["market_cap"].append(cap if cap is not None and cap > 0 else None)
            rows["country"].append(_text(row["Country"]))
            rows["ipo_year"].append(int(ipo) if ipo is not None else None)
            rows["volume"].append(int(volume) if volume is not None else None)
            rows["sector"].append(_text(row["Sector"]))
            rows["industry"].append(_text(row["Industry"]))
    return pa.Table.from_pydict(rows, schema=SCHEMA)
