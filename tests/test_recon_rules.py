"""Hand-computed rule tests of the reconstitution engine (docs/methodology.md §1-§3) on small crafted markets.

Each market (tests/recon_fixtures.py) runs through the real pipeline once per module (five builds in all; the
four of this file build only ``RECON_MARTS``, what they are built from and every check on them) with the scaled
breakpoints of ``SCALED_VARS``: #2 (Top 50), #4 (Top 200), #6 (Top 500), #10 (R1000),
#20 (Microcap top), #25 (R3000), #30 (R3000E). Every expected number below is a literal worked out by hand;
the comment next to it shows the arithmetic. Caps in the banding and IPO markets are in $10M units in the
fixture tables (10m shares, close in $ = cap / $10M), and each rank day's top 30 sums to $100B, so a
cumulative percentage is simply the running sum of caps in $B.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from recon_fixtures import (
    EXCLUDED_TYPES,
    RECON_MARTS,
    build_market,
    eligibility_market,
    ipo_market,
    recon_gap_market,
)

FIRST_SESSION_2023 = date(2023, 6, 26)  # after the 4th Friday of June 2023 (06-23)
LAST_DAY_2023_COMPOSITION = date(2024, 6, 28)  # the 2024 effective date: old composition still valid
FIRST_SESSION_2024 = date(2024, 7, 1)  # after the 4th Friday of June 2024 (06-28)
FIRST_SESSION_2024_Q3 = date(2024, 9, 23)  # after the 3rd Friday of September 2024 (09-20)

EPS = 1e-9

Row = dict[str, Any]


# ----------------------------------------------------------------------------------------------------
# builds and readers


@pytest.fixture(scope="module")
def banding_db(banding_warehouse: Path) -> Path:
    return banding_warehouse


@pytest.fixture(scope="module")
def eligibility_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_market(eligibility_market(), tmp_path_factory.mktemp("eligibility"), models=RECON_MARTS)


@pytest.fixture(scope="module")
def eligibility_late_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_market(
        eligibility_market(late_rows=True), tmp_path_factory.mktemp("eligibility_late"), models=RECON_MARTS
    )


@pytest.fixture(scope="module")
def gap_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_market(recon_gap_market(), tmp_path_factory.mktemp("gap"), models=RECON_MARTS)


@pytest.fixture(scope="module")
def ipo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_market(ipo_market(), tmp_path_factory.mktemp("ipo"), models=RECON_MARTS)


def _query(db: Path, sql: str, params: list[Any] | None = None) -> list[Row]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def universe(db: Path, recon_id: str) -> dict[str, Row]:
    rows = _query(db, "select * from main.fct_rank_day_universe where recon_id = ?", [recon_id])
    return {r["company_id"]: r for r in rows}


def members(db: Path, index_code: str, on: date) -> set[str]:
    rows = _query(
        db,
        "select security_id from main.fct_index_membership where index_code = ? and valid_from <= ? "
        "and (valid_to is null or valid_to > ?)",
        [index_code, on, on],
    )
    return {r["security_id"] for r in rows}


def indexes_of(db: Path, security_id: str, on: date, family: str = "size") -> set[str]:
    rows = _query(
        db,
        "select index_code from main.fct_index_membership join main.dim_index using (index_code) "
        "where family = ? and security_id = ? and valid_from <= ? and (valid_to is null or valid_to > ?)",
        [family, security_id, on, on],
    )
    return {r["index_code"] for r in rows}


def intervals(db: Path, security_id: str) -> set[tuple[str, date, date | None, str]]:
    """The security's size-index intervals (style and stability splits are tests/test_style_rules.py's)."""
    rows = _query(
        db,
        "select index_code, valid_from, valid_to, event from main.fct_index_membership "
        "join main.dim_index using (index_code) where family = 'size' and security_id = ?",
        [security_id],
    )
    return {(r["index_code"], r["valid_from"], r["valid_to"], r["event"]) for r in rows}


def changes(db: Path, recon_id: str) -> set[tuple[str, str, str | None, str | None]]:
    rows = _query(
        db,
        "select security_id, change_type, from_index_code, to_index_code "
        "from main.fct_reconstitution_changes where recon_id = ?",
        [recon_id],
    )
    return {(r["security_id"], r["change_type"], r["from_index_code"], r["to_index_code"]) for r in rows}


def lines(*company_ids: str) -> set[str]:
    """Index lines of single-line companies (security id ``<company>_1``)."""
    return {f"{c}_1" for c in company_ids}


# The banding market's companies in rank order on each rank day (see BANDING_CAPS in recon_fixtures.py).
RANKS_2023 = (
    "A01", "A02", "A03", "A04", "A05", "A06", "A07", "A11", "A12", "A13",  # 1-10
    "A08", "A09", "A10", "A14", "A15", "A16", "A18", "M2", "M5", "L1",  # 11-20
    "M3", "M1", "A23", "A24", "A25",  # 21-25
    "M4", "A27", "A29", "R1", "R2",  # 26-30
)  # fmt: skip
RANKS_2024 = (
    "A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08", "A09", "A10",  # 1-10
    "A11", "A12", "A13", "A14", "A15", "A16", "M3", "A18", "M4", "M1",  # 11-20
    "M2", "M5", "A23", "A24", "A25",  # 21-25
    "L1", "A27", "G1", "A29", "A30",  # 26-30
)  # fmt: skip


# ----------------------------------------------------------------------------------------------------
# 1. banding at the R1000 breakpoint (docs/methodology.md §2 worked example at #10)


def test_r1000_band_keeps_current_members_inside_the_band(banding_db: Path) -> None:
    u = universe(banding_db, "2024-06")
    # 2024 caps ($B): A01..A07 = 30+20+12+8+6+4+3 = 83.00, then A08 2.54, A09 2.25, A10 2.20, A11 1.09,
    # A12 0.80, A13 0.75 of a $100B R3000E
    expected_cum = {
        "A08": 0.8554,  # 83.00 + 2.54
        "A09": 0.8779,  # 85.54 + 2.25
        "A10": 0.8999,  # 87.79 + 2.20 = p_10, the breakpoint; band 87.49% .. 92.49%
        "A11": 0.9108,  # 89.99 + 1.09
        "A12": 0.9188,  # 91.08 + 0.80
        "A13": 0.9263,  # 91.88 + 0.75
    }
    for company, cum in expected_cum.items():
        assert u[company]["cum_cap_pct"] == pytest.approx(cum, abs=EPS), company
        assert u[company]["eligible"] is True
        assert u[company]["was_r3000_member"] is True  # all six were R3000 members after 2023-06
    assert u["A10"]["size_rank"] == 10
    assert u["A10"]["total_market_cap"] == pytest.approx(2_200_000_000)  # 10m shares x $220
    assert u["A11"]["size_rank"] == 11

    # 2023 R1000 (by rank): A01..A07, A11, A12, A13. 2024: A08 (R2000 at 85.54% < 87.49%) moves up;
    # A09 (87.79% >= 87.49%) and A10 (89.99%) stay in R2000 although ranked 9 and 10;
    # A11 (91.08% <= 92.49%) and A12 (91.88%) stay in R1000 although ranked 11 and 12;
    # A13 (92.63% > 92.49%) moves down.
    r1000_2023 = lines("A01", "A02", "A03", "A04", "A05", "A06", "A07", "A11", "A12", "A13")
    assert members(banding_db, "R1000", LAST_DAY_2023_COMPOSITION) == r1000_2023
    assert members(banding_db, "R1000", FIRST_SESSION_2024) == lines(
        "A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08", "A11", "A12"
    )
    # bands at #4 (p_4 = 70.00%: 67.5..72.5) and #6 (p_6 = 80.00%: 77.5..82.5) change nothing here:
    # A05 at 76% and A07 at 83% were below #4/#6 and stay below; Top 50 (#2, no band) is A01, A02.
    assert members(banding_db, "RTOP50", FIRST_SESSION_2024) == lines("A01", "A02")
    assert members(banding_db, "RTOP200", FIRST_SESSION_2024) == lines("A01", "A02", "A03", "A04")
    assert members(banding_db, "RTOP500", FIRST_SESSION_2024) == lines(
        "A01", "A02", "A03", "A04", "A05", "A06"
    )
    # RMID = R1000 - Top 200
    assert members(banding_db, "RMID", FIRST_SESSION_2024) == lines("A05", "A06", "A07", "A08", "A11", "A12")

    got = changes(banding_db, "2024-06")
    assert ("A08_1", "migration", "R2000", "R1000") in got
    assert ("A13_1", "migration", "R1000", "R2000") in got
    # A09..A12 did not change core index; the model lists them as band_retention rows (its documented extension
    # of the contract's addition/deletion/migration: "kept on its side of #1000 only thanks to the band")
    assert {c for c in got if c[0] in lines("A09", "A10", "A11", "A12")} == {
        ("A09_1", "band_retention", "R2000", "R2000"),
        ("A10_1", "band_retention", "R2000", "R2000"),
        ("A11_1", "band_retention", "R1000", "R1000"),
        ("A12_1", "band_retention", "R1000", "R1000"),
    }

    # one merged interval per index: A13 left R1000 on 2024-07-01 and joined R2000 that day
    a13 = {(i, f, t) for i, f, t, _ in intervals(banding_db, "A13_1") if i in ("R1000", "R2000")}
    assert a13 == {("R1000", FIRST_SESSION_2023, FIRST_SESSION_2024), ("R2000", FIRST_SESSION_2024, None)}
    a01 = {(i, f, t) for i, f, t, _ in intervals(banding_db, "A01_1")}
    assert ("R1000", FIRST_SESSION_2023, None) in a01  # unchanged member: one interval across 2024-07-01


# ----------------------------------------------------------------------------------------------------
# 2. ±0.5% band at the Microcap top (#20); no band at #25 (R3000)


def test_microcap_band_and_no_band_at_r3000(banding_db: Path) -> None:
    u = universe(banding_db, "2024-06")
    # running sum from A13 (92.63): A14 0.74, A15 0.72, A16 0.70, M3 0.68, A18 0.60, M4 0.45, M1 0.40,
    # M2 0.38, M5 0.36, A23 0.34, A24 0.32, A25 0.31, L1 0.30
    expected = {
        "M3": (17, 0.9547),  # 92.63 + 0.74 + 0.72 + 0.70 + 0.68
        "M4": (19, 0.9652),  # 95.47 + 0.60 + 0.45
        "M1": (20, 0.9692),  # 96.52 + 0.40 = p_20; band 96.42% .. 97.42%
        "M2": (21, 0.9730),  # 96.92 + 0.38
        "M5": (22, 0.9766),  # 97.30 + 0.36
        "A25": (25, 0.9863),  # 97.66 + 0.34 + 0.32 + 0.31 = p_25
        "L1": (26, 0.9893),  # 98.63 + 0.30
        "A30": (30, 1.0),  # the last of the 30
    }
    for company, (rank, cum) in expected.items():
        assert (u[company]["size_rank"], u[company]["cum_cap_pct"]) == (rank, pytest.approx(cum, abs=EPS)), (
            company
        )
    assert u["M4"]["was_r3000_member"] is False  # #26 in 2023: Microcap only
    assert u["L1"]["was_r3000_member"] is True

    # 2023 Microcap = ranks 21-30: M3, M1, A23, A24, A25 (also R2000) and M4, A27, A29, R1, R2 (Microcap only).
    # 2024, side of #20 for current R3000 members:
    #   M3  was below #20, 95.47% < 96.42% -> leaves the Microcap (stays in R2000)
    #   M1  was below #20, 96.92% >= 96.42% -> stays in the Microcap although ranked 20
    #   M2  was above #20, 97.30% <= 97.42% -> stays out of the Microcap although ranked 21
    #   M5  was above #20, 97.66% > 97.42% -> joins the Microcap
    #   L1  was above #20, 98.93% -> below #20; ranked 26 > 25 (no band at #25) -> leaves R2000/R3000
    # M4 (Microcap only) is treated as new: ranked 19 -> out of the Microcap, into R2000 (banded it would stay).
    # A27, G1, A29, A30: new or Microcap only, ranked 27-30 -> Microcap.
    assert members(banding_db, "RMICRO", FIRST_SESSION_2024) == lines(
        "M1", "M5", "A23", "A24", "A25", "L1", "A27", "G1", "A29", "A30"
    )
    r1000 = {"A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08", "A11", "A12"}
    # R2000 = ranks 1-25 outside R1000: A09, A10 (banded) and A13 .. A25
    r2000 = set(RANKS_2024[:25]) - r1000
    assert len(r2000) == 15
    assert members(banding_db, "R2000", FIRST_SESSION_2024) == lines(*r2000)
    assert members(banding_db, "R3000", FIRST_SESSION_2024) == lines(*(r1000 | r2000))
    # R2500 = R3000 - Top 500 (A01..A06)
    assert members(banding_db, "R2500", FIRST_SESSION_2024) == lines(
        *(r1000 | r2000) - {f"A0{i}" for i in range(1, 7)}
    )
    # R3000E = ranks 1-30; R1 (#31, eligible) and R2 (ineligible) are out
    assert members(banding_db, "R3000E", FIRST_SESSION_2024) == lines(*RANKS_2024)

    l1 = {(i, f, t) for i, f, t, _ in intervals(banding_db, "L1_1")}
    assert l1 == {
        ("R3000E", FIRST_SESSION_2023, None),
        ("R3000", FIRST_SESSION_2023, FIRST_SESSION_2024),
        ("R2000", FIRST_SESSION_2023, FIRST_SESSION_2024),
        ("R2500", FIRST_SESSION_2023, FIRST_SESSION_2024),
        ("RMICRO", FIRST_SESSION_2024, None),
    }
    m3 = {(i, f, t) for i, f, t, _ in intervals(banding_db, "M3_1") if i == "RMICRO"}
    assert m3 == {("RMICRO", FIRST_SESSION_2023, FIRST_SESSION_2024)}
    m1 = {(i, f, t) for i, f, t, _ in intervals(banding_db, "M1_1") if i in ("RMICRO", "R2000")}
    assert m1 == {("RMICRO", FIRST_SESSION_2023, None), ("R2000", FIRST_SESSION_2023, None)}

    # core index (R1000, else R2000 if in R3000, else RMICRO) changes of 2024-06, and nothing else
    # (band_retention rows are checked in the R1000 test above)
    got = {c for c in changes(banding_db, "2024-06") if c[1] != "band_retention"}
    assert got == {
        ("A08_1", "migration", "R2000", "R1000"),
        ("A13_1", "migration", "R1000", "R2000"),
        ("M4_1", "migration", "RMICRO", "R2000"),
        ("L1_1", "migration", "R2000", "RMICRO"),
        ("G1_1", "addition", None, "RMICRO"),  # $20M in 2023 -> $270M, #28
        ("A30_1", "addition", None, "RMICRO"),  # #31 in 2023 -> #30
        ("R1_1", "deletion", "RMICRO", None),  # eligible but #31
        ("R2_1", "deletion", "RMICRO", None),  # $0.97, ineligible
    }


# ----------------------------------------------------------------------------------------------------
# 3. the first reconstitution: no current members, placement purely by rank


def test_first_reconstitution_places_by_rank(banding_db: Path, ipo_db: Path) -> None:
    u = universe(banding_db, "2023-06")
    by_size = sorted((r["size_rank"], c) for c, r in u.items() if r["size_rank"] is not None)
    assert [c for _, c in by_size] == [*RANKS_2023, "A30"]  # 31 eligible, ranked by cap
    # 2023 caps ($B): A01 30.55, A02 20, A03 12, A04 8, A05 6, A06 4, A07 3, A11 2.60, A12 2.40, A13 2.00,
    # A08 1.20, ..., L1 0.35 (#20), ..., A25 0.25 (#25), ..., R2 0.20 (#30): sum 100.00
    assert u["A13"]["cum_cap_pct"] == pytest.approx(0.9055, abs=EPS)  # 83.55 + 2.60 + 2.40 + 2.00
    assert u["A08"]["cum_cap_pct"] == pytest.approx(0.9175, abs=EPS)  # 90.55 + 1.20
    assert u["L1"]["cum_cap_pct"] == pytest.approx(0.9745, abs=EPS)  # #20
    assert u["R2"]["cum_cap_pct"] == pytest.approx(1.0, abs=EPS)  # #30
    assert u["A30"]["size_rank"] == 31 and u["A30"]["cum_cap_pct"] is None  # beyond rank_r3000e
    assert u["G1"]["eligible"] is False and u["G1"]["size_rank"] is None  # 10m x $2 = $20M
    assert u["G1"]["ineligible_reason"] == "market_cap_below_min"
    assert not any(r["was_r3000_member"] for r in u.values())

    on = FIRST_SESSION_2023
    by_rank = {
        "RTOP50": RANKS_2023[:2],
        "RTOP200": RANKS_2023[:4],
        "RTOP500": RANKS_2023[:6],
        "R1000": RANKS_2023[:10],
        "RMID": RANKS_2023[4:10],
        "R2000": RANKS_2023[10:25],
        "R2500": RANKS_2023[6:25],
        "R3000": RANKS_2023[:25],
        "R3000E": RANKS_2023[:30],
        "RMICRO": RANKS_2023[20:30],
    }
    for index_code, companies in by_rank.items():
        assert members(banding_db, index_code, on) == lines(*companies), index_code
    # nothing before the first composition
    first = _query(banding_db, "select min(valid_from) as d from main.fct_index_membership")[0]["d"]
    assert first == FIRST_SESSION_2023
    assert all(
        r["event"] == "reconstitution"
        for r in _query(banding_db, "select event from main.fct_index_membership where valid_from = ?", [on])
    )
    # 30 additions into the core indexes: 10 R1000, 15 R2000, 5 Microcap only
    added = changes(banding_db, "2023-06")
    assert {c[1] for c in added} == {"addition"} and {c[2] for c in added} == {None}
    assert sorted(c[3] for c in added) == ["R1000"] * 10 + ["R2000"] * 15 + ["RMICRO"] * 5

    # the IPO market's 2024-06 is also a first reconstitution: R1000 = its first ten by cap
    assert members(ipo_db, "R1000", FIRST_SESSION_2024) == lines(*(f"C{i:02d}" for i in range(1, 11)))
    assert members(ipo_db, "RMICRO", FIRST_SESSION_2024) == lines(*(f"C{i:02d}" for i in range(21, 31)))


# ----------------------------------------------------------------------------------------------------
# 4. minimum price (with the existing-member rescue), total cap, float and voting rights


def test_minimum_price_and_the_30_day_average_rescue(banding_db: Path, eligibility_db: Path) -> None:
    u23, u24 = universe(banding_db, "2023-06"), universe(banding_db, "2024-06")
    # R2 closed exactly $1.00 on 2023-04-28: not below the minimum
    assert u23["R2"]["eligible"] is True and u23["R2"]["size_rank"] == 30
    # R1 (R3000E member, #29 in 2023): $0.95 on 2024-04-30, $1.20 on every other session of April 2024.
    # The 30 days before the rank day, 2024-03-31 .. 04-29 = the 21 sessions 04-01 .. 04-29, all $1.20
    r1 = u24["R1"]
    assert r1["vehicle_close"] == pytest.approx(0.95)
    assert r1["close_30d_avg"] == pytest.approx(1.20, abs=1e-9)
    assert (r1["eligible"], r1["ineligible_reason"]) == (True, None)
    assert r1["total_market_cap"] == pytest.approx(190_000_000)  # 200m x $0.95
    assert r1["size_rank"] == 31 and r1["cum_cap_pct"] is None
    # R2 (member, #30 in 2023): $0.97 every session since 2024-03-01 -> average 0.97 < 1
    r2 = u24["R2"]
    assert r2["close_30d_avg"] == pytest.approx(0.97)
    assert (r2["eligible"], r2["ineligible_reason"], r2["size_rank"]) == (False, "price_below_min", None)

    u = universe(eligibility_db, "2024-06")
    assert (u["P100"]["eligible"], u["P100"]["ineligible_reason"]) == (True, None)  # $1.00
    assert (u["P099"]["eligible"], u["P099"]["ineligible_reason"]) == (False, "price_below_min")  # $0.99
    # N95 has the same April closes as R1 (average 1.20 >= 1) but is not a member: no rescue
    assert u["N95"]["close_30d_avg"] == pytest.approx(1.20, abs=1e-9)
    assert (u["N95"]["eligible"], u["N95"]["ineligible_reason"]) == (False, "price_below_min")


def test_minimum_total_cap_float_and_voting_rights(eligibility_db: Path) -> None:
    u = universe(eligibility_db, "2024-06")
    # 14,999,999.5 shares x $2.00 = $29,999,999 < $30,000,000
    assert u["CAPLO"]["total_market_cap"] == pytest.approx(29_999_999, abs=1e-6)
    assert (u["CAPLO"]["eligible"], u["CAPLO"]["ineligible_reason"]) == (False, "market_cap_below_min")
    # the shares row effective on the rank day itself counts: 3,000,000 x $10.00 = $30,000,000 (not 2m x $10)
    assert u["CAPEQ"]["total_shares"] == pytest.approx(3_000_000)
    assert u["CAPEQ"]["total_market_cap"] == pytest.approx(30_000_000, abs=1e-6)
    assert (u["CAPEQ"]["eligible"], u["CAPEQ"]["ineligible_reason"]) == (True, None)
    # 4,999,900 / 100,000,000 = 4.9999% < 5%; 5,000,000 / 100,000,000 = 5.000% passes
    assert u["FLO"]["float_factor"] == pytest.approx(0.049999, abs=1e-12)
    assert (u["FLO"]["eligible"], u["FLO"]["ineligible_reason"]) == (False, "float_below_min")
    assert u["FEQ"]["float_factor"] == pytest.approx(0.05, abs=1e-12)
    assert (u["FEQ"]["eligible"], u["FEQ"]["ineligible_reason"]) == (True, None)
    # listed A 100m x 1 vote (65m available) + unlisted B 300m x 10 votes (none available):
    # 65m / (100m + 3,000m) = 65 / 3,100 = 2.097% < 5%
    assert u["VLO"]["voting_rights_pct"] == pytest.approx(65 / 3100, abs=1e-12)
    assert (u["VLO"]["eligible"], u["VLO"]["ineligible_reason"]) == (False, "voting_rights_below_min")
    assert u["VLO"]["float_factor"] == pytest.approx(0.65)  # 65m / 100m of the listed vehicle
    assert u["VLO"]["total_market_cap"] == pytest.approx(4_000_000_000)  # (100m + 300m) x $10
    # with 100m unlisted B shares: 65m / (100m + 1,000m) = 5.909%
    assert u["VOK"]["voting_rights_pct"] == pytest.approx(65 / 1100, abs=1e-12)
    assert (u["VOK"]["eligible"], u["VOK"]["ineligible_reason"]) == (True, None)


# ----------------------------------------------------------------------------------------------------
# 5. excluded security types, exchanges and the home-country waterfall


def test_excluded_types_exchanges_and_home_country(eligibility_db: Path) -> None:
    u = universe(eligibility_db, "2024-06")
    for security_type in EXCLUDED_TYPES:
        row = u[f"X_{security_type}"]
        assert (row["eligible"], row["ineligible_reason"]) == (False, "excluded_security_type"), security_type
        assert row["size_rank"] is None
    assert (u["OTC"]["eligible"], u["OTC"]["ineligible_reason"]) == (False, "ineligible_exchange")
    assert (u["REIT"]["eligible"], u["REIT"]["ineligible_reason"]) == (True, None)

    # (incorporation, HQ, most liquid, assets, revenue) -> home country
    expected = {
        "H_KYUS": ("US", True),  # KY/US/US: HQ US, not a BDI country -> US
        "H_KYHK": ("HK", False),  # KY/KY/HK: HQ KY is BDI -> most liquid HK
        "H_BMUS": ("US", True),  # BM/BM/US: HQ BM is BDI -> most liquid US
        "H_GB": ("GB", False),  # GB/GB/GB: all three agree
        "H_ASSETGB": ("GB", False),  # GB/US/US, assets GB (an HCI) -> GB before the HQ step
        "H_REVGB": ("GB", False),  # GB/US/US, assets DE (not an HCI), revenue GB -> GB
        "H_REVUS": ("US", True),  # GB/GB/US, assets DE, revenue US -> US (HQ would say GB)
    }
    for company, (home, eligible) in expected.items():
        row = u[company]
        assert (row["home_country"], row["eligible"]) == (home, eligible), company
        assert row["ineligible_reason"] == (None if eligible else "non_us"), company
    # PR/PR/US: Puerto Rico counts as US
    assert (u["H_PR"]["eligible"], u["H_PR"]["ineligible_reason"]) == (True, None)
    # Z first trades 2024-05-02, after the rank day: not in the 2024-06 universe
    assert "Z" not in u


# ----------------------------------------------------------------------------------------------------
# 6. share classes summed into total cap; the pricing vehicle by 2-year volume, then available shares


def test_share_classes_and_pricing_vehicle(eligibility_db: Path) -> None:
    u = universe(eligibility_db, "2024-06")
    v1 = u["V1"]
    # vehicle A: 1,000,000 a day vs B 500,000 and D 1,000 (no tie-break needed)
    assert v1["pricing_security_id"] == "V1_A"
    # all common classes, listed and unlisted: A 40m + B 20m + D 5m + C 10m x conversion 2 = 85m
    assert v1["total_shares"] == pytest.approx(85_000_000)
    assert v1["vehicle_close"] == pytest.approx(50.0)
    assert v1["total_market_cap"] == pytest.approx(4_250_000_000)  # 85m x $50 / 1
    assert v1["float_factor"] == pytest.approx(0.75)  # A: 30m / 40m
    # votes: available (30m + 18m + 4m + 0) x 1 / outstanding (40m + 20m + 5m) x 1 + 10m x 10 = 52 / 165
    assert v1["voting_rights_pct"] == pytest.approx(52 / 165, abs=1e-12)
    assert v1["eligible"] is True
    # B is its own index line: $960M (20m x $48) > $30M, $24M a day (500,000 x $48) > $175,000, float 90%;
    # D is not ($10,000 a day); the unlisted C never is
    a_rows = {(i, f, t) for i, f, t, _ in intervals(eligibility_db, "V1_A")}
    assert a_rows and {(i, f, t) for i, f, t, _ in intervals(eligibility_db, "V1_B")} == a_rows
    assert "R1000" in {i for i, _, _ in a_rows}  # V1 ranks #2 (after B01, $5B) of 16 eligible
    assert intervals(eligibility_db, "V1_D") == set()
    assert intervals(eligibility_db, "V1_C") == set()

    # V2: A 1,000,000 a day, B 900,000 >= 0.8 x 1,000,000 -> within 20%: B has more available (25m > 20m)
    v2 = u["V2"]
    assert v2["pricing_security_id"] == "V2_B"
    assert v2["total_market_cap"] == pytest.approx(1_860_000_000)  # (30m + 30m) x $31
    assert v2["float_factor"] == pytest.approx(25 / 30)
    # V2_A is an extra line: $900M, $30M a day, float 66.7%
    b_rows = {(i, f, t) for i, f, t, _ in intervals(eligibility_db, "V2_B")}
    assert b_rows and {(i, f, t) for i, f, t, _ in intervals(eligibility_db, "V2_A")} == b_rows
    # V3: B 790,000 < 0.8 x 1,000,000 -> the volume leader A, although B has more available shares
    v3 = u["V3"]
    assert v3["pricing_security_id"] == "V3_A"
    assert v3["total_market_cap"] == pytest.approx(1_800_000_000)  # 60m x $30
    assert v3["float_factor"] == pytest.approx(20 / 30)
    # V6: A is the vehicle (1,000,000 a day); B ($24M a day, $960M) has a 4% float (0.8m / 20m) and E ($4.8M a
    # day, 80% float) a cap of 0.5m x $48 = $24M < $30M: neither is an index line. Total 40m + 20m + 0.5m.
    assert u["V6"]["pricing_security_id"] == "V6_A"
    assert u["V6"]["total_market_cap"] == pytest.approx(3_025_000_000)  # 60.5m x $50
    assert intervals(eligibility_db, "V6_A")
    assert intervals(eligibility_db, "V6_B") == set()
    assert intervals(eligibility_db, "V6_E") == set()
    # V4: A has the volume (2,000,000 a day) but no close on the rank day -> B is the vehicle; 20m x $40
    v4 = u["V4"]
    assert (v4["pricing_security_id"], v4["eligible"]) == ("V4_B", True)
    assert v4["total_market_cap"] == pytest.approx(800_000_000)
    # V5: the only listed class A is worth 0.1 main-class shares; unlisted main class B 1m.
    # total shares = 10m x 0.1 + 1m x 1 = 2m; total cap = 2m x $5 / 0.1 = $100M (= A's $50M + B's 1m x $50)
    v5 = u["V5"]
    assert v5["pricing_security_id"] == "V5_A"
    assert v5["total_shares"] == pytest.approx(2_000_000)
    assert v5["total_market_cap"] == pytest.approx(100_000_000)
    # NP has no price row on the rank day
    assert (u["NP"]["eligible"], u["NP"]["ineligible_reason"]) == (False, "no_rank_day_price")
    # a preferred-only or ADR-only company is in the universe but has no index line
    assert intervals(eligibility_db, "X_preferred_1") == set()


# ----------------------------------------------------------------------------------------------------
# 7. quarterly IPOs against market-adjusted breakpoints; fast entry


def test_ipo_additions_use_market_adjusted_breakpoints(ipo_db: Path) -> None:
    u = universe(ipo_db, "2024-06")
    # breakpoint caps of the 2024-06 reconstitution (10m shares x close)
    assert (u["C10"]["size_rank"], u["C10"]["total_market_cap"]) == (10, pytest.approx(1_800_000_000))
    assert (u["C06"]["size_rank"], u["C06"]["total_market_cap"]) == (6, pytest.approx(4_000_000_000))
    assert (u["C30"]["size_rank"], u["C30"]["total_market_cap"]) == (30, pytest.approx(100_000_000))
    assert not {"IPO1", "IPO2", "IPO3", "IPO4", "IPO5"} & set(u)  # all list after 2024-04-30

    # R3000E between 2024-04-30 and 2024-07-31: only C01 moves, $3,079 -> $3,284 on 10m shares (+$2.05B)
    # on $100B: return +2.05%. Adjusted breakpoints: #10 1.8B x 1.0205 = $1.8369B; #6 4B x 1.0205 = $4.082B;
    # #4 $8.164B; #2 $20.41B; #20 $408.2M; #25 $255.1M; #30 (smallest) $102.05M.
    q3 = FIRST_SESSION_2024_Q3
    # IPO1 $1.85B > $1.8369B -> R1000; not Top 500 (< $4.082B), so also R2500 (= R3000 - Top 500)
    assert intervals(ipo_db, "IPO1_1") == {
        (i, q3, None, "ipo") for i in ("R3000E", "R3000", "R1000", "RMID", "R2500")
    }
    # IPO2 $1.82B < $1.8369B (but > the unadjusted $1.8B) -> R2000
    assert intervals(ipo_db, "IPO2_1") == {
        (i, q3, None, "ipo") for i in ("R3000E", "R3000", "R2000", "R2500")
    }
    # IPO3 $101M < $102.05M (but > the unadjusted $100M): not added
    assert intervals(ipo_db, "IPO3_1") == set()
    # IPO4 $150M: above the smallest R3000E ($102.05M), below #25 ($255.1M) -> Microcap only
    assert intervals(ipo_db, "IPO4_1") == {(i, q3, None, "ipo") for i in ("R3000E", "RMICRO")}

    # fast entry: first trading day 2024-07-10, float cap 100m x $100 = $10B > $4.082B (adjusted #6).
    # Sessions 07-10, 07-11, 07-12, 07-15, 07-16 (5th) -> member from 07-17 (6th session).
    # Total cap 125m x $100 = $12.5B: > #4 $8.164B (Top 200), < #2 $20.41B (not Top 50).
    fast = intervals(ipo_db, "IPO5_1")
    assert fast == {
        (i, date(2024, 7, 17), None, "fast_entry_ipo")
        for i in ("R3000E", "R3000", "R1000", "RTOP500", "RTOP200")
    }
    assert indexes_of(ipo_db, "IPO5_1", date(2024, 7, 16)) == set()
    # First day 2024-08-05 (after the 2024-Q3 rank day: the adjusted Top 500 breakpoint is $4.082B).
    # IPO7: float cap 40.5m x $100 = $4.05B < $4.082B -> no fast entry (and no quarterly review in the data).
    assert intervals(ipo_db, "IPO7_1") == set()
    # IPO8: 41m x $100 = $4.10B > $4.082B -> fast entry after 08-05, 06, 07, 08, 09 -> from 08-12.
    # Total cap 50m x $100 = $5B: > #6 $4.082B, < #4 $8.164B -> Top 500, R1000, Midcap
    assert intervals(ipo_db, "IPO8_1") == {
        (i, date(2024, 8, 12), None, "fast_entry_ipo")
        for i in ("R3000E", "R3000", "R1000", "RTOP500", "RMID")
    }
    # IPO6 ($1.9B, home country GB) is never added
    assert intervals(ipo_db, "IPO6_1") == set()


# ----------------------------------------------------------------------------------------------------
# 8. point in time: figures dated after the rank day change nothing


def test_rows_dated_after_the_rank_day_change_nothing(
    eligibility_db: Path, eligibility_late_db: Path
) -> None:
    late = _query(
        eligibility_late_db, "select count(*) as n from raw.shares where effective_date = date '2024-05-01'"
    )[0]["n"]
    assert late == 5  # the late build really has the extra rows (CAPLO, FLO, VLO_A, V1_A, V2_A)
    # ... and a $5.00 close for P099 and 100m shares traded in V3_B on 2024-05-01
    late_day = "select close, volume from raw.prices where date = date '2024-05-01' and security_id = ?"
    assert _query(eligibility_late_db, late_day, ["P099_1"])[0]["close"] == pytest.approx(5.0)
    assert _query(eligibility_late_db, late_day, ["V3_B"])[0]["volume"] == 100_000_000
    order = "order by company_id"
    sql = f"select * from main.fct_rank_day_universe where recon_id = '2024-06' {order}"
    before, after = _query(eligibility_db, sql), _query(eligibility_late_db, sql)
    assert len(before) > 30
    assert after == before
    # and so the index lines built from it
    sql = "select * from main.fct_index_membership order by all"
    assert _query(eligibility_late_db, sql) == _query(eligibility_db, sql)


# ----------------------------------------------------------------------------------------------------
# 9. additions between a reconstitution's rank day and its first session: fast entry, spin-off


def test_fast_entry_between_rank_day_and_reconstitution(gap_db: Path) -> None:
    # EARLY: first day 2024-03-05, float cap 100m x $400 = $40B > $4B (#6 of 2023-06).
    # Sessions 03-05, 06, 07, 08, 11 (5th) -> member from 03-12.
    early = {(i, f, e) for i, f, _, e in intervals(gap_db, "EARLY_1")}
    assert ("R1000", date(2024, 3, 12), "fast_entry_ipo") in early
    # GAPIPO: the same IPO on 2024-05-15, after the 2024-04-30 rank day (so not in the 2024-06 universe) and
    # before the 2024-06 composition starts (07-01). docs/methodology.md §3: it joins after its 5th session:
    # 05-15, 16, 17, 20, 21 (5th) -> member from 05-22 (M7 §4.3.5: inside the lock-down it would join with the
    # reconstitution instead; either way before the September review).
    assert "GAPIPO" not in universe(gap_db, "2024-06")
    assert "GAPIPO_1" in members(gap_db, "R1000", date(2024, 5, 22))
    gap = {(i, f, e) for i, f, _, e in intervals(gap_db, "GAPIPO_1")}
    assert ("R1000", date(2024, 5, 22), "fast_entry_ipo") in gap


def test_spin_off_between_rank_day_and_reconstitution_takes_the_parents_current_indexes(gap_db: Path) -> None:
    # PAR: $0.40B on 2023-04-28 (#11 of 11: R2000, R2500, R3000, R3000E from 2023-06-26); $35B on 2024-04-30
    # (#2, cum 49.6% -> R1000, Top 50/200/500 from 2024-07-01). On 2024-05-15 it spins off SPIN. Decision 8:
    # the new line joins the parent's indexes on the ex-date; on 05-15 those are still the 2023-06 ones.
    on = date(2024, 5, 15)
    parent_now = {"R3000E", "R3000", "R2000", "R2500"}
    assert indexes_of(gap_db, "PAR_1", on) == parent_now
    assert indexes_of(gap_db, "SPIN_1", on) == parent_now
    # and its parent's style and stability split in force that day (the 2023-06 R2000 probabilities)
    for family in ("style", "stability"):
        assert indexes_of(gap_db, "SPIN_1", on, family) == indexes_of(gap_db, "PAR_1", on, family)
    assert {e for *_, e in intervals(gap_db, "SPIN_1")} == {"spin_off"}
    # the parent's new indexes start with the new composition
    assert "R1000" in indexes_of(gap_db, "PAR_1", FIRST_SESSION_2024)
