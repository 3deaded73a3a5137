"""The index in force before the data starts (methodology decision 11, the optional initial_membership input).

The banding market of tests/recon_fixtures.py is built twice more with its prices starting on 2023-07-03, after
the 2023-06 reconstitution took effect (builds of the reconstitution marts, ``RECON_MARTS``, and what they are
built from, with their checks): once with that reconstitution's composition given as the initial
membership, once without it. Scaled breakpoints (``SCALED_VARS``): #10 is the R1000 breakpoint, at 89.99% of
cumulative cap on the 2024-04-30 rank day, so the R1000 band is 87.49%-92.49%.

- With the list, the first reconstitution in the data (2024-06) bands against it exactly as the full-history
  build bands against its own 2023-06 result: A11, ranked #11 at 91.08% (inside the band), stays in the R1000
  only because the list says it was there; A13 at 92.63% (> 92.49%) moves down; A08 at 85.54% (< 87.49%) moves up.
- Without the list, 2024-06 ranks without bands: the R1000 is simply ranks 1-10 (A01-A10), so A11 moves.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest
from indexpipe.build import BuildResult, build
from indexpipe.settings import Settings
from recon_fixtures import RECON_MARTS, SCALED_VARS, banding_market, build_market
from test_recon_rules import FIRST_SESSION_2024, RANKS_2023, changes, lines, members, universe

LIST_START = date(
    2023, 7, 3
)  # the first session after the 2023-06 reconstitution took effect (2023-06-23 close)
LIST_DATE = date(2023, 6, 23)

# The 2023-06 composition (tests/test_recon_rules.py RANKS_2023): R1000 = ranks 1-10, Top 200 (#4) = 1-4,
# Top 500 (#6) = 1-6, R2000 = ranks 11-25, Microcap = ranks 21-30.
R1000_2023 = RANKS_2023[:10]
R2000_2023 = RANKS_2023[10:25]
MICRO_2023 = RANKS_2023[20:30]
SIZE_INDEXES = (
    "R3000E",
    "R3000",
    "RTOP50",
    "RTOP200",
    "RTOP500",
    "R1000",
    "RMID",
    "R2000",
    "R2500",
    "RMICRO",
)


def _list_of_2023() -> list[tuple[str, date, str]]:
    return [
        *(("R1000", LIST_DATE, c) for c in R1000_2023),
        *(("RTOP200", LIST_DATE, c) for c in RANKS_2023[:4]),
        *(("RTOP500", LIST_DATE, c) for c in RANKS_2023[:6]),
        *(("R2000", LIST_DATE, c) for c in R2000_2023),
        *(("RMICRO", LIST_DATE, c) for c in MICRO_2023),
    ]


@pytest.fixture(scope="module")
def full_history_db(banding_warehouse: Path) -> Path:
    return banding_warehouse


@pytest.fixture(scope="module")
def list_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    market = replace(banding_market(), start=LIST_START, initial_membership=_list_of_2023())
    return build_market(market, tmp_path_factory.mktemp("banding_list"), models=RECON_MARTS)


@pytest.fixture(scope="module")
def no_list_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    root = tmp_path_factory.mktemp("banding_no_list")
    db = root / "w.duckdb"
    market = replace(banding_market(), start=LIST_START)
    result = build(
        Settings(input_dir=market.write(root / "input"), duckdb_path=db),
        dbt_vars=SCALED_VARS,
        models=RECON_MARTS,
    )
    return db, result


@pytest.fixture(scope="module")
def no_list_db(no_list_build: tuple[Path, BuildResult]) -> Path:
    return no_list_build[0]


def _reconstitutions(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [
            r[0]
            for r in con.execute(
                "select recon_id from intermediate.int_rebalance_calendar "
                "where event_type = 'reconstitution' order by rank_date"
            ).fetchall()
        ]


def test_the_list_keeps_a_member_inside_the_band(list_db: Path, no_list_db: Path) -> None:
    assert _reconstitutions(list_db) == _reconstitutions(no_list_db) == ["2024-06"]
    with_list, without = universe(list_db, "2024-06"), universe(no_list_db, "2024-06")
    # A11: #11 at 91.08% <= 89.99% + 2.5% = 92.49%, a member of the listed R1000
    assert with_list["A11"]["size_rank"] == without["A11"]["size_rank"] == 11
    assert with_list["A11"]["cum_cap_pct"] == pytest.approx(0.9108, abs=1e-12)
    assert members(list_db, "R1000", FIRST_SESSION_2024) == lines(
        "A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08", "A11", "A12"
    )  # A08 moved up (85.54% < 87.49%), A13 moved down (92.63% > 92.49%), A09 and A10 stayed in the R2000
    # without the list nobody is a member: ranks 1-10 by size, so A11 (#11) is in the R2000
    assert members(no_list_db, "R1000", FIRST_SESSION_2024) == lines(*(f"A{i:02d}" for i in range(1, 11)))
    assert "A11_1" in members(no_list_db, "R2000", FIRST_SESSION_2024)
    assert "A11_1" in members(list_db, "R1000", FIRST_SESSION_2024)


def test_the_first_reconstitution_equals_the_one_with_full_history(
    list_db: Path, full_history_db: Path
) -> None:
    for index_code in SIZE_INDEXES:
        assert members(list_db, index_code, FIRST_SESSION_2024) == members(
            full_history_db, index_code, FIRST_SESSION_2024
        ), index_code
    # the change list is the same too: additions, deletions, migrations and band retentions against the list
    assert changes(list_db, "2024-06") == changes(full_history_db, "2024-06")
    assert ("A11_1", "band_retention", "R1000", "R1000") in changes(list_db, "2024-06")
    assert ("A13_1", "migration", "R1000", "R2000") in changes(list_db, "2024-06")


def test_without_the_list_the_build_says_so(no_list_build: tuple[Path, BuildResult]) -> None:
    db, result = no_list_build
    assert "initial_membership: absent (the first reconstitution ranks without bands)" in result.notes
    # every 2024-06 member is new without a list
    assert ("A11_1", "addition", None, "R2000") in changes(db, "2024-06")
    assert {c[1] for c in changes(db, "2024-06")} == {"addition"}
