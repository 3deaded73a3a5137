"""Reader for SEC's ``company_tickers_exchange.json``: CIK, company name, ticker and exchange per listed line.

The file is a snapshot of the day it was downloaded: a ticker that changed or left since is missing, and a line
delisted since is marked ``OTC``. The CIK is the one stable company key in the free data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from indexpipe.importers.tickers import normalise

SCHEMA = pa.schema(
    [("cik", pa.int64()), ("name", pa.string()), ("symbol", pa.string()), ("ticker", pa.string()),
     ("exchange", pa.string())]
)  # fmt: skip


def read_sec_tickers(path: Path) -> pa.Table:
    """One row per ticker (the first when SEC lists a ticker twice), in file order."""
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    fields = payload.get("fields") if isinstance(payload, dict) else None
    if fields is None or not {"cik", "name", "ticker", "exchange"} <= set(fields):
        raise ValueError(
            f"{path}: not SEC's company_tickers_exchange.json (no fields cik, name, ticker, exchange)"
        )
    at = {name: fields.index(name) for name in ("cik", "name", "ticker", "exchange")}
    rows: dict[str, list] = {name: [] for name in SCHEMA.names}
    seen: set[str] = set()
    for record in payload["data"]:
        symbol = str(record[at["ticker"]] or "").strip()
        ticker = normalise(symbol)
        if not ticker or ticker in seen:
            continue
        seen.add(ticker)
        rows["cik"].append(int(record[at["cik"]]))
        rows["name"].append(record[at["name"]])
        rows["symbol"].append(symbol)
        rows["ticker"].append(ticker)
        rows["exchange"].append(record[at["exchange"]])
    return pa.Table.from_pydict(rows, schema=SCHEMA)
