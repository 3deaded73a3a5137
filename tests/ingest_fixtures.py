"""A tiny, valid input directory in the contract's format (CSV), and helpers to break it on purpose.

Five share lines of four companies over five trading days (2024-01-02 .. 2024-01-08), with a dividend,
a spin-off, a delisting and a split, so every table and every reference kind has rows.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from pathlib import Path

import duckdb
from indexpipe.contract import TABLES_BY_NAME

Rows = list[dict[str, str]]

DAYS = ("2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08")
SPLIT_DAY = "2024-01-08"  # S1 splits 2-for-1: its close halves and its shares double that day

_SECURITY_COLUMNS = (
    "security_id", "company_id", "ticker", "name", "security_type", "exchange", "country_incorporation",
    "country_headquarters", "country_most_liquid", "listing_date", "delisting_date", "conversion_ratio",
    "country_assets", "country_revenue",
)  # fmt: skip
_SECURITIES = [
    (
        "S1",
        "C1",
        "AAA",
        "Alpha Corp A",
        "common",
        "NYSE",
        "US",
        "US",
        "US",
        "2020-01-02",
        "",
        "1",
        "US",
        "US",
    ),
    ("S2", "C2", "BBB", "Beta Realty", "reit", "NASDAQ", "US", "US", "US", "2021-03-01", "", "", "", ""),
    (
        "S3",
        "C1",
        "AAAB",
        "Alpha Corp B",
        "common",
        "NYSE",
        "US",
        "US",
        "US",
        "2020-01-02",
        "",
        "0.5",
        "US",
        "US",
    ),
    ("S4", "C3", "SPIN", "Beta Spinco", "common", "NYSE", "US", "US", "US", "2024-01-05", "", "", "", ""),
    (
        "S5",
        "C4",
        "GONE",
        "Gone Inc",
        "common",
        "NASDAQ",
        "KY",
        "US",
        "US",
        "2019-06-03",
        "2024-01-04",
        "",
        "",
        "",
    ),
]
_SHARES_COLUMNS = ("security_id", "effective_date", "shares_outstanding", "available_shares")
_CLASSIFICATION_COLUMNS = (
    "company_id", "effective_date", "icb_industry", "icb_supersector", "icb_sector", "icb_subsector",
)  # fmt: skip


def _prices() -> Rows:
    live = {"S1": DAYS, "S2": DAYS, "S3": DAYS, "S4": DAYS[3:], "S5": DAYS[:3]}
    rows = []
    for day_index, day in enumerate(DAYS):
        for n, (security, days) in enumerate(live.items(), start=1):
            if day in days:
                close = 10.0 * n + day_index + 0.25
                if security == "S1" and day == SPLIT_DAY:
                    close /= 2  # unadjusted: S1's 2-for-1 split halves its close, (10 + 4 + 0.25) / 2 = 7.125
                rows.append(
                    {"date": day, "security_id": security, "close": f"{close}", "volume": f"{1000 * n}"}
                )
    return rows


GOOD: dict[str, Rows] = {
    "securities": [dict(zip(_SECURITY_COLUMNS, row, strict=True)) for row in _SECURITIES],
    "prices": _prices(),
    # No votes_per_share column: the loader must fill the contract default (1).
    "shares": [
        dict(zip(_SHARES_COLUMNS, row, strict=True))
        for row in (
            ("S1", "2023-12-29", "1000000", "900000"),
            ("S2", "2023-12-29", "500000", "500000"),
            ("S3", "2023-12-29", "200000", "150000"),
            ("S4", "2024-01-05", "250000", "250000"),
            ("S5", "2023-12-29", "80000", "60000"),
            ("S1", "2024-01-08", "2000000", "1800000"),
        )
    ],
    "corporate_actions": [
        {"action_id": "A1", "security_id": "S1", "ex_date": "2024-01-03", "action_type": "cash_dividend",
         "cash_amount": "0.25", "ratio": "", "related_security_id": ""},
        {"action_id": "A2", "security_id": "S2", "ex_date": "2024-01-05", "action_type": "spin_off",
         "cash_amount": "", "ratio": "0.5", "related_security_id": "S4"},
        {"action_id": "A3", "security_id": "S5", "ex_date": "2024-01-04", "action_type": "delisting",
         "cash_amount": "", "ratio": "", "related_security_id": ""},
        {"action_id": "A4", "security_id": "S1", "ex_date": "2024-01-08", "action_type": "split",
         "cash_amount": "", "ratio": "2", "related_security_id": ""},
    ],
    "fundamentals": [
        {"company_id": c, "period_end": "2023-09-30", "available_date": "2023-11-15", "book_value": "100.5",
         "sales": "400", "eps": "" if c == "C4" else "1.25", "pretax_income": "50", "total_assets": "900",
         "total_debt": "300", "operating_cash_flow": "70"}
        for c in ("C1", "C2", "C3", "C4")
    ],
    "estimates": [
        {"company_id": c, "as_of_date": "2023-12-31", "eps_growth_2y": "0.08",
         "ltg": "" if c == "C3" else "0.1", "eps_fy1": "1.4", "analyst_count": str(3 + i)}
        for i, c in enumerate(("C1", "C2", "C3", "C4"))
    ],
    "classifications": [
        dict(zip(_CLASSIFICATION_COLUMNS, row, strict=True))
        for row in (
            ("C1", "2020-01-02", "Technology", "Technology", "Software and Computer Services", "Software"),
            ("C2", "2021-03-01", "Real Estate", "Real Estate", "Real Estate Investment Trusts",
             "Retail REITs"),
            ("C3", "2024-01-05", "Real Estate", "Real Estate", "Real Estate Investment and Services",
             "Real Estate Services"),
            ("C4", "2019-06-03", "Energy", "Energy", "Non-Renewable Energy", "Oil: Crude Producers"),
        )
    ],
    # the index in force before the data starts: by company, or by line for a list keyed on tickers
    "initial_membership": [
        {"index_code": "R1000", "as_of_date": "2023-12-29", "company_id": "C1", "security_id": ""},
        {"index_code": "R2000", "as_of_date": "2023-12-29", "company_id": "", "security_id": "S2"},
    ],
}  # fmt: skip


def write_csv(path: Path, rows: Rows, header: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = header if header is not None else list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> Rows:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_input_dir(directory: Path, tables: dict[str, Rows] | None = None) -> Path:
    """Write every table of ``tables`` (default: the good market) as ``<table>.csv`` into ``directory``."""
    for name, rows in (tables or GOOD).items():
        write_csv(directory / f"{name}.csv", rows)
    return directory


def edit_csv(path: Path, change: Callable[[Rows], Rows | None]) -> None:
    """Rewrite ``path`` after ``change`` mutated (or returned new) rows; the header is kept."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    new_rows = change(rows)
    write_csv(path, rows if new_rows is None else new_rows, header)


def csv_to_parquet(csv_path: Path, table_name: str, parquet_path: Path | None = None) -> Path:
    """Convert a contract CSV into Parquet with the contract's column types (empty fields become NULL)."""
    table = TABLES_BY_NAME[table_name]
    target = parquet_path or csv_path.with_name(csv_path.name.removesuffix(".csv") + ".parquet")
    header = next(csv.reader(csv_path.open(encoding="utf-8")))
    types = {"varchar": "VARCHAR", "date": "DATE", "double": "DOUBLE", "bigint": "BIGINT"}
    casts = ", ".join(
        f"CAST(nullif({c.name}, '') AS {types[c.type]}) AS {c.name}"
        for c in table.columns
        if c.name in header
    )
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT {casts} FROM read_csv('{csv_path}', header = true, all_varchar = true)) "
            f"TO '{target}' (FORMAT parquet)"
        )
    return target


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
