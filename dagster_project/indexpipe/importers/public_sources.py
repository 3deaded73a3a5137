"""Which public files make the input of which June reconstitution, and the membership lists they carry.

A year is supported when its folder holds a screener export taken between the rank day and the reconstitution
(so its market caps are those of the rank day, give or take a week) and the membership lists published before the
reconstitution. ``members`` become ``initial_membership``; ``evidence`` are earlier Russell US lists, which only
say that FTSE Russell already treated a company as a US company of an eligible structure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import pyarrow as pa

from indexpipe.importers.barchart_sql import list_identity, read_barchart_list
from indexpipe.importers.ftse_symbols import read_ftse_symbols
from indexpipe.importers.ishares_holdings import read_holdings
from indexpipe.settings import REPO_ROOT

# The folder of public reference files, beside the repository (its layout is described in docs/real-data.md)
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data" / "public"

BARS_DIR = "spooky_alpaca_daily_2020-2025"
SEC_FILE = "sec_company_tickers_exchange_2026-04/company_tickers_exchange.json"
# Daily closes of the Russell 1000 ETF: the market path that bridges the weeks between the bars' end and the
# screener date (2025)
BRIDGE_FACTOR_FILE = "yahoo_ishares_russell_etfs_chenc319/IWB.csv"

ListKind = Literal["barchart", "ishares", "ftse_symbols"]


class PublicImportError(Exception):
    """A one-line reason the import cannot run (missing folder, unsupported year, unreadable file)."""


@dataclass(frozen=True)
class ListFile:
    path: str  # relative to the source folder
    kind: ListKind
    as_of: date | None = None  # for files that do not carry their date


@dataclass(frozen=True)
class MembershipList:
    index_code: str
    source: ListFile
    minus: ListFile | None = None  # e.g. the Russell 1000 as the Russell 3000 ETF minus the Russell 2000 ETF


@dataclass(frozen=True)
class YearSources:
    year: int
    screener: str
    # The day the screener was taken: the official previous close (Last Sale - Net Change) of 2024's file matches
    # the bars of 2024-05-07 (AAPL $182.40), so it is 2024-05-08; 2025's is dated in its folder name.
    screener_date: date
    members: tuple[MembershipList, ...]
    evidence: tuple[ListFile, ...] = field(default_factory=tuple)
    # ETF holdings dated between the bars' end and the screener day: their vendor prices anchor the synthetic path
    price_points: tuple[ListFile, ...] = field(default_factory=tuple)


_BARCHART = "r1000_r2000_lists_2024-05_barchart_via_sql/"
_R1000_2024 = ListFile(_BARCHART + "insert.russell-1000-index-05-13-2024.T20240604.sql", "barchart")
_R2000_2024 = ListFile(_BARCHART + "insert.russell-2000-index-05-14-2024-page-1.T20240604.sql", "barchart")
_R3000_2021 = ListFile("ftse_r3000_membership_2021-06-28/symbols.json", "ftse_symbols", date(2021, 6, 28))
_IWV_2021 = ListFile("iwv_2021-06-30approx/iwv.csv", "ishares", date(2021, 6, 30))
_IWM_2025 = ListFile("iwm_2025-05-13/IWM_holdings.csv", "ishares")
_IWV_2025 = ListFile("iwv_2025-05-21/IWV_holdings.csv", "ishares")

YEARS: dict[int, YearSources] = {
    2024: YearSources(
        year=2024,
        screener="nasdaq_screener_2024-05-0x_pontino/nasdaq_screener.csv",
        screener_date=date(2024, 5, 8),
        members=(MembershipList("R1000", _R1000_2024), MembershipList("R2000", _R2000_2024)),
        evidence=(_R3000_2021, _IWV_2021),
    ),
    2025: YearSources(
        year=2025,
        screener="nasdaq_screener_2025-05-23_sknetworks/nasdaq_screener.csv",
        screener_date=date(2025, 5, 23),
        members=(MembershipList("R2000", _IWM_2025), MembershipList("R1000", _IWV_2025, minus=_IWM_2025)),
        evidence=(
            _R3000_2021, _IWV_2021, _R1000_2024, _R2000_2024,
            ListFile("iwm_2024-07-11/russell_2000.csv", "ishares"),
            ListFile("iwv_2024-08-15_inferred/IWV_holdings.csv", "ishares", date(2024, 8, 15)),
            ListFile("iwm_2024-09-27_inferred/IWM_holdings.csv", "ishares", date(2024, 9, 27)),
            ListFile("iwv_2025-05-02/IWV_holdings.csv", "ishares"),
        ),
        price_points=(ListFile("iwv_2025-05-02/IWV_holdings.csv", "ishares"), _IWM_2025, _IWV_2025),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class ListRows:
    """A membership list as (ticker as written, company name) rows and its date."""

    as_of: date
    tickers: tuple[str, ...]
    names: tuple[str | None, ...]


def read_list(source: Path, list_file: ListFile) -> ListRows:
    path = source / list_file.path
    table: pa.Table
    if list_file.kind == "barchart":
        table, as_of = read_barchart_list(path).rows, list_identity(path)[1]
    elif list_file.kind == "ishares":
        holdings = read_holdings(path)
        table, as_of = holdings.rows, holdings.as_of
    else:
        table, as_of = read_ftse_symbols(path), None
    as_of = list_file.as_of or as_of
    if as_of is None:
        raise PublicImportError(f"{path}: the list carries no date and none is configured")
    symbol = "ticker" if list_file.kind == "ishares" else "symbol"
    rows = [
        (t, n)
        for t, n in zip(table.column(symbol).to_pylist(), table.column("name").to_pylist(), strict=True)
        if t
    ]
    return ListRows(as_of, tuple(t for t, _ in rows), tuple(n for _, n in rows))


def read_prices(source: Path, list_file: ListFile) -> tuple[date, list[tuple[str, float]]]:
    """The date and the (ticker as written, price) rows of an ETF holdings file."""
    holdings = read_holdings(source / list_file.path)
    as_of = list_file.as_of or holdings.as_of
    if as_of is None:
        raise PublicImportError(
            f"{source / list_file.path}: the holdings carry no date and none is configured"
        )
    rows = zip(holdings.tickers, holdings.rows.column("price").to_pylist(), strict=True)
    return as_of, [(t, p) for t, p in rows if t and p and p > 0]


def required_files(sources: YearSources) -> list[str]:
    files = [sources.screener, SEC_FILE]
    for m in sources.members:
        files.append(m.source.path)
        if m.minus is not None:
            files.append(m.minus.path)
    return files


def check_source(source: Path, year: int) -> YearSources:
    """The year's sources, or a ``PublicImportError`` naming what is missing."""
    if not source.is_dir():
        raise PublicImportError(f"source folder {source} does not exist (pass --source DIR)")
    if year not in YEARS:
        supported = ", ".join(str(y) for y in sorted(YEARS))
        raise PublicImportError(f"no public source set for {year} (supported years: {supported})")
    sources = YEARS[year]
    missing = [f for f in required_files(sources) if not (source / f).is_file()]
    if not bar_archives(source):
        missing.append(f"{BARS_DIR}/*.tar.xz")
    if missing:
        raise PublicImportError(f"{year} needs files missing from {source}: {', '.join(missing)}")
    return sources


def bar_archives(source: Path) -> Sequence[Path]:
    return sorted((source / BARS_DIR).glob("*.tar.xz")) if (source / BARS_DIR).is_dir() else []
