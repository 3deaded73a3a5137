"""The real-data path end to end (docs/real-data.md): the free public files of the 2024 and 2025 June
reconstitutions are imported, built (2024 through the whole pipeline, 2025 up to the membership its test reads) and
compared with the real indexes.

The public files are not part of the repository: they are read from ``../shared/data/public`` beside it, and
these tests skip when that folder is absent. Thresholds (issue 10): 2024: R1000/R2000 agreement on the ETF names
the engine classifies >= 99.0%, R2000 precision and recall on those names >= 0.99, the #1,000 company's total cap
within 5% of the published $4.6B breakpoint, the R2000 price return's daily correlation with ^RUT >= 0.995 over
2024-07-01..2024-12-31; 2025: agreement >= 98%, breakpoint within 5% of $4.6B.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from indexpipe.build import build
from indexpipe.compare.levels import compare_levels
from indexpipe.compare.membership import compare_membership
from indexpipe.settings import REPO_ROOT, Settings

PUBLIC = REPO_ROOT.parent / "shared" / "data" / "public"
PUBLISHED_BREAKPOINT = 4.6e9  # FTSE Russell's #1,000 total cap at the 2024 and 2025 reconstitutions

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not PUBLIC.is_dir(), reason=f"the public data folder {PUBLIC} is absent"),
]


# what compare_membership reads: the 2025 build runs these, what they are built from and every check on them (the
# levels, holdings, styles and preview run whole on real data in the shared 2024 build)
MEMBERSHIP_MARTS = ("fct_rank_day_universe", "fct_index_membership", "dim_index", "dim_security")


def _imported_build(year: int, root: Path, models: tuple[str, ...] = ()) -> Path:
    from indexpipe.importers.public_market import import_public

    inputs, db = root / "input", root / "warehouse.duckdb"
    import_public(year, inputs, PUBLIC)
    build(Settings(input_dir=inputs, duckdb_path=db), models=models)
    return db


@pytest.fixture(scope="module")
def warehouse_2024(real_warehouse_2024: Path) -> Path:
    return real_warehouse_2024  # conftest.py: the preview's back-test reads the same build


@pytest.fixture(scope="module")
def warehouse_2025(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _imported_build(2025, tmp_path_factory.mktemp("real_2025"), MEMBERSHIP_MARTS)


def test_2024_membership_agrees_with_the_etfs(warehouse_2024: Path) -> None:
    # IWM after the 2024 reconstitution (the R2000) and IWV (the R3000, without a date line: 2024-08-15)
    files = [
        (PUBLIC / "iwm_2024-07-11" / "russell_2000.csv", "R2000"),
        (PUBLIC / "iwv_2024-08-15_inferred" / "IWV_holdings.csv", "R3000"),
    ]
    split = compare_membership(warehouse_2024, files, date(2024, 8, 15)).split
    assert split.recon_id == "2024-06"
    assert split.classified > 2_500
    assert split.agreement >= 0.99, split.agreement
    assert split.r2000_precision >= 0.99 and split.r2000_recall >= 0.99
    assert abs(split.breakpoint_cap / PUBLISHED_BREAKPOINT - 1) <= 0.05, split.breakpoint_cap


def test_2024_r2000_follows_the_published_russell_2000(warehouse_2024: Path) -> None:
    levels = compare_levels(
        warehouse_2024,
        PUBLIC / "yahoo_rut_iwm_alitalbi" / "^RUT.csv",
        "R2000",
        date(2024, 6, 28),
        date(2024, 12, 31),
    )
    assert levels.first_day == date(2024, 6, 28) and levels.last_day == date(2024, 12, 31)
    assert levels.correlation >= 0.995, levels.correlation


def test_2025_membership_agrees_with_the_etfs(warehouse_2025: Path) -> None:
    # IWM a month after the 2025 reconstitution (the fund had sold its deletions by then) and IWV before it
    files = [
        (PUBLIC / "major_index-etfs" / "iwm_csv_daily_2025" / "2025-08-01_2c2ba14_iwm.csv", "R2000"),
        (PUBLIC / "iwv_2025-05-21" / "IWV_holdings.csv", "R3000"),
    ]
    split = compare_membership(warehouse_2025, files, date(2025, 7, 31)).split
    assert split.recon_id == "2025-06"
    assert split.agreement >= 0.98, split.agreement
    assert abs(split.breakpoint_cap / PUBLISHED_BREAKPOINT - 1) <= 0.05, split.breakpoint_cap
