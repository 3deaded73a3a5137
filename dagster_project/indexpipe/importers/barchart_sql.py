"""Reader for Barchart index-component exports saved as SQL seed files (``insert.<list>-MM-DD-YYYY.T<date>.sql``).

Each row is ``('TICKER', 'EQUITY', 'name', 'name' or NULL, 'USD', last_price, 'MIC')``; the list name and its date are
in the file name, e.g. ``insert.russell-1000-index-05-13-2024.T20240604.sql`` is the Russell 1000 of 2024-05-13.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa

from indexpipe.importers.tickers import normalise

_ROW = re.compile(
    r"\(\s*'((?:[^']|'')*)',\s*'EQUITY',\s*'((?:[^']|'')*)',\s*(?:'(?:[^']|'')*'|NULL),\s*'[A-Z]{3}',"
    r"\s*([-0-9.eE]+|NULL),"
)
_FILE = re.compile(
    r"insert\.(?P<list>[a-z0-9-]+?)-(?P<m>\d{2})-(?P<d>\d{2})-(?P<y>\d{4})(?:-page-\d+)?\.T\d{8}\.sql$"
)

SCHEMA = pa.schema(
    [("symbol", pa.string()), ("ticker", pa.string()), ("name", pa.string()), ("last_price", pa.float64())]
)


@dataclass(frozen=True)
class BarchartList:
    list_name: str  # e.g. 'russell-1000-index'
    as_of: date
    rows: pa.Table


def list_identity(path: Path) -> tuple[str, date]:
    match = _FILE.search(Path(path).name)
    if match is None:
        raise ValueError(f"{path}: not a Barchart list file name (insert.<list>-MM-DD-YYYY.T<date>.sql)")
    return match["list"], date(int(match["y"]), int(match["m"]), int(match["d"]))


def read_barchart_list(path: Path) -> BarchartList:
    list_name, as_of = list_identity(path)
    rows: dict[str, list] = {name: [] for name in SCHEMA.names}
    for symbol, name, price in _ROW.findall(Path(path).read_text(encoding="utf-8")):
        symbol = symbol.replace("''", "'")
        rows["symbol"].append(symbol)
        rows["ticker"].append(normalise(symbol))
        rows["name"].append(name.replace("''", "'"))
        rows["last_price"].append(None if price == "NULL" else float(price))
    return BarchartList(list_name, as_of, pa.Table.from_pydict(rows, schema=SCHEMA))
