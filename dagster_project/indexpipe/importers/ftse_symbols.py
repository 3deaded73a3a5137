"""Reader for a FTSE Russell membership list parsed to JSON (``{"TICKER": "COMPANY NAME", ...}``).

The published PDF lists company and ticker only (no weights, no index split); the JSON is a third party's parse
of it. The list's date is the PDF's footer date, which the caller supplies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from indexpipe.importers.tickers import normalise

SCHEMA = pa.schema([("symbol", pa.string()), ("ticker", pa.string()), ("name", pa.string())])


def read_ftse_symbols(path: Path) -> pa.Table:
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(payload, dict):
        raise ValueError(f"{path}: expected a JSON object of ticker -> company name")
    symbols = [str(k).strip() for k in payload]
    return pa.Table.from_pydict(
        {
            "symbol": symbols,
            "ticker": [normalise(s) for s in symbols],
            "name": [str(v) for v in payload.values()],
        },
        schema=SCHEMA,
    )
