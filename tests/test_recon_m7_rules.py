"""Hand-computed tests of five M7 rules on one crafted market (tests/rules_fixtures.py ``rules_market``, one build):
fast entry in the lock-down (§4.3.5), tracking stocks (§6.2.2), spin-off screens (§6.6.1), the $1 rescue's
30 days before the rank day (§5.8.1) and the 100 days a pricing vehicle needs for an existing member (§6.5.3).
Breakpoints are scaled (``SCALED_VARS``): #2 Top 50, #4 Top 200, #6 Top 500, #10 R1000, #20 Microcap top,
#25 R3000, #30 R3000E. Every expected number is a literal with its arithmetic next to it; docs/rules.md has the
readings of the rules these tests pin down.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from recon_fixtures import RECON_MARTS, build_market
from rules_fixtures import rules_market
from test_recon_rules import Row, _query, changes, indexes_of, intervals, members, universe

FIRST_SESSION_2023 = date(2023, 6, 26)
FIRST_SESSION_2024 = date(2024, 7, 1)


@pytest.fixture(scope="module")
def rules_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # the lock-downs, rescues and event lines the tests read are upstream of the memberships
    return build_market(
        rules_market(), tmp_path_factory.mktemp("m7_rules"), models=(*RECON_MARTS, "dim_security")
    )


def _lockdown(db: Path, recon_id: str) -> Row:
    return _query(
        db, "select * from intermediate.int_reconstitution_lockdowns where recon_id = ?", [recon_id]
    )[0]


# ----------------------------------------------------------------------------------------------------
# 5. fast entry in the lock-down (M7 §4.3.5, App. F)


def test_fast_entry_whose_fifth_day_falls_in_the_lockdown_joins_with_the_reconstitution(
    rules_db: Path,
) -> None:
    # PRELOCK first trades 06-03: sessions 06-03, 04, 05, 06, 07 (5th) -> added after the close of 06-07, the last
    # day of the query period, before the lock-down: a member from 06-10 as usual
    prelock = intervals(rules_db, "PRELOCK_1")
    assert {(i, f) for i, f, _, _ in prelock} == {
        (i, date(2024, 6, 10)) for i in ("R3000E", "R3000", "R1000", "RTOP500", "RTOP200", "RTOP50")
    }
    # LOCK first trades 06-04: sessions 06-04, 05, 06, 07, 10 (5th) -> its addition date 06-10 is the first day
    # of the lock-down, so it joins with the reconstitution, from 2024-07-01 (today's rule without the lock-down
    # would add it from 06-11). Day-one float cap 100m x $400 = $40B > the #6 (Top 500) breakpoint ($4B, K06);
    # total cap 125m x $400 = $50B >= #2 ($20B, K02): every index from the Top 50 up.
    assert intervals(rules_db, "LOCK_1") == {
        (i, FIRST_SESSION_2024, None, "fast_entry_ipo")
        for i in ("R3000E", "R3000", "R1000", "RTOP500", "RTOP200", "RTOP50")
    }
    assert indexes_of(rules_db, "LOCK_1", date(2024, 6, 11)) == set()
    assert indexes_of(rules_db, "LOCK_1", date(2024, 6, 28)) == set()
    # listed with the reconstitution's changes, effective after the close of the implementation day
    row = _query(rules_db, "select * from main.fct_reconstitution_changes where security_id = 'LOCK_1'")[0]
    assert (row["recon_id"], row["effective_date"], row["change_type"], row["to_index_code"]) == (
        "2024-06",
        date(2024, 6, 28),
        "addition",
        "R1000",
    )
    # June 2024: implementation Friday 06-28; preliminary lists 5 weeks before (06-28 - 35 days = 05-24), a
    # two-week query period to 05-24 + 14 = 06-07, the lock-down from the next session, Monday 06-10, through 06-28
    # (FTSE Russell's published 2024 schedule: 05-24 and 06-10).
    lock = _lockdown(rules_db, "2024-06")
    assert (lock["preliminary_date"], lock["query_period_end"], lock["lockdown_start"]) == (
        date(2024, 5, 24),
        date(2024, 6, 7),
        date(2024, 6, 10),
    )
    assert lock["effective_date"] == date(2024, 6, 28)
    # June 2023: 06-23 - 35 = 05-19, query to 06-02, lock-down from Monday 06-05
    assert _lockdown(rules_db, "2023-06")["lockdown_start"] == date(2023, 6, 5)

    timing = _query(
        rules_db, "select * from intermediate.int_fast_entry_lockdown where security_id = 'LOCK_1'"
    )[0]
    assert (timing["addition_date"], timing["lockdown_recon_id"], timing["valid_from"]) == (
        date(2024, 6, 10),
        "2024-06",
        FIRST_SESSION_2024,
    )


# ----------------------------------------------------------------------------------------------------
# 6. tracking stocks (M7 §6.2.2)


def test_tracking_stock_is_a_company_of_its_own(rules_db: Path) -> None:
    for recon_id in ("2023-06", "2024-06"):
        u = universe(rules_db, recon_id)
        # TRK is its common class only: 10m x $100 = $1B, priced on TRK_C although TRK_T trades ten times more
        # (one company of both would be 20m shares priced on TRK_T: 20m x $30 = $600M)
        trk = u["TRK"]
        assert (trk["pricing_security_id"], trk["total_shares"]) == ("TRK_C", pytest.approx(10_000_000))
        assert trk["total_market_cap"] == pytest.approx(1_000_000_000)
        # the tracking stock is ranked as company TRK:TRK_T: 10m x $30 = $300M
        trk_t = u["TRK:TRK_T"]
        assert (trk_t["pricing_security_id"], trk_t["eligible"]) == ("TRK_T", True)
        assert trk_t["total_shares"] == pytest.approx(10_000_000)
        assert trk_t["total_market_cap"] == pytest.approx(300_000_000)
        assert trk_t["float_factor"] == pytest.approx(0.8)  # 8m / 10m of TRK_T alone
    # 2023 ranks (caps $B): K01..K08 40.1 .. 2 (#1-8), PV100 and PV99 1.2 (#9, #10, by company id), LOWP and TRK
    # 1.0 (#11, #12), TRK:TRK_T 0.3 (#13), SMALL 0.2 (#14)
    u23 = universe(rules_db, "2023-06")
    assert (u23["TRK"]["size_rank"], u23["TRK:TRK_T"]["size_rank"]) == (12, 13)
    # each is an index line of its own company; dim_security keeps the company the input names
    trk_t_lines = _query(
        rules_db, "select distinct company_id from main.fct_index_membership where security_id = 'TRK_T'"
    )
    assert trk_t_lines == [{"company_id": "TRK:TRK_T"}]
    dim = _query(
        rules_db, "select company_id, security_type from main.dim_security where security_id = 'TRK_T'"
    )
    assert dim == [{"company_id": "TRK", "security_type": "tracking_stock"}]
    # ranks 12 and 13 of 14: R2000 (11-14), not Microcap (21-30); TRK_C is not an extra class of TRK:TRK_T
    expected = {(i, FIRST_SESSION_2023) for i in ("R3000E", "R3000", "R2000", "R2500")}
    assert {(i, f) for i, f, _, _ in intervals(rules_db, "TRK_T")} == expected
    assert {(i, f) for i, f, _, _ in intervals(rules_db, "TRK_C")} == expected


# ----------------------------------------------------------------------------------------------------
# 7. spin-offs: structural screens and the market-adjusted smallest R3000E company (M7 §6.6.1)


def test_spin_off_joins_only_if_it_passes_the_screens_and_the_adjusted_minimum(rules_db: Path) -> None:
    # K03, #3 of 2023 ($12B): Top 200 (#4), Top 500, R1000, R3000, R3000E from 2023-06-26
    k03 = {"RTOP200", "RTOP500", "R1000", "R3000", "R3000E"}
    assert indexes_of(rules_db, "K03_1", date(2023, 7, 12)) == k03
    # smallest R3000E company of 2023-06: SMALL, 10m x $20 = $200M. K01 rises $4,010 -> $5,010 on 2023-07-03:
    # +$10B on a $100B R3000E = +10.00% at the 2023-07-31 review rank day (and the later ones; nothing else moves)
    # SPEARLY, ex-date 2023-07-12: the latest rank day on or before it is 2023-04-28 (no adjustment):
    # 10m x $21 = $210M > $200M -> joins K03's indexes on its ex-date
    assert indexes_of(rules_db, "SPEARLY_1", date(2023, 7, 12)) == k03
    # SPOK, ex-date 2023-09-05 (after the 07-31 review): $230M > $200M x 1.10 = $220M -> joins
    assert indexes_of(rules_db, "SPOK_1", date(2023, 9, 5)) == k03
    # SPSMALL, ex-date 2023-09-12: $210M > $200M but not > $220M -> never joins between reconstitutions;
    # the 2024-06 reconstitution ranks it like any company: #17 of 18, new -> R2000 from 2024-07-01
    assert intervals(rules_db, "SPSMALL_1") == {
        (i, FIRST_SESSION_2024, None, "reconstitution") for i in ("R3000E", "R3000", "R2000", "R2500")
    }
    # the structural screens: an OTC line, a GB company, a preferred line ($1B each) never join
    for line in ("SPOTC_1", "SPGB_1", "SPPREF_1"):
        assert intervals(rules_db, line) == set(), line
    # SPOK keeps K03's indexes until the 2024-06 reconstitution ranks it (#15 of 18: R2000)
    assert ("R1000", date(2023, 9, 5), FIRST_SESSION_2024, "spin_off") in intervals(rules_db, "SPOK_1")
    u = universe(rules_db, "2024-06")
    assert (u["SPSMALL"]["size_rank"], u["SPSMALL"]["was_r3000_member"]) == (17, False)
    assert u["SPOTC"]["ineligible_reason"] == "ineligible_exchange"
    assert u["SPGB"]["ineligible_reason"] == "non_us"
    assert u["SPPREF"]["ineligible_reason"] == "excluded_security_type"
    # the two spin-offs that joined are listed as additions of the 2023-06 period, the others not at all
    spun = {c for c in changes(rules_db, "2023-06") if c[0].startswith("SP")}
    assert spun == {("SPEARLY_1", "addition", None, "R1000"), ("SPOK_1", "addition", None, "R1000")}


# ----------------------------------------------------------------------------------------------------
# 8. the $1 rescue: the 30 days before the rank day (M7 §5.8.1)


def test_price_rescue_averages_the_30_days_before_the_rank_day(rules_db: Path) -> None:
    u = universe(rules_db, "2024-06")
    lowp = u["LOWP"]
    # LOWP (R3000E member since 2023-06, $2 then) closes $0.50 on the 2024-04-30 rank day and $1.00 on every
    # session from 2024-03-01. The 30 days before the rank day: 2024-03-31 .. 04-29 -> the sessions 04-01 .. 04-29
    # (03-31 is a Sunday), 21 closes of $1.00: average 21 / 21 = $1.00 >= $1.00 -> eligible. The 30 days ending on
    # the rank day would be (21 x 1.00 + 0.50) / 22 = 0.977 < $1.00 -> ineligible.
    assert lowp["vehicle_close"] == pytest.approx(0.50)
    assert lowp["close_30d_avg"] == pytest.approx(1.0, abs=1e-12)
    sessions = _query(
        rules_db,
        "select close_30d_sessions from intermediate.int_minimum_price_rescue "
        "where recon_id = '2024-06' and security_id = 'LOWP_1'",
    )
    assert sessions == [{"close_30d_sessions": 21}]
    assert (lowp["eligible"], lowp["ineligible_reason"]) == (True, None)
    assert lowp["total_market_cap"] == pytest.approx(250_000_000)  # 500m x $0.50
    assert lowp["size_rank"] == 14
    assert "LOWP_1" in members(rules_db, "R3000E", FIRST_SESSION_2024)


# ----------------------------------------------------------------------------------------------------
# 9. the pricing vehicle of an existing member needs 100 days of volume (M7 §6.5.3)


def test_existing_members_pricing_vehicle_needs_100_days_of_volume(rules_db: Path) -> None:
    u = universe(rules_db, "2024-06")
    # B trades 10,000,000 a day against A's 100,000: B has the highest two-year volume in all three companies.
    # Total shares 60m (A) + 40m (B) = 100m; A closes $20, B $25.
    # PV99, a member since 2023-06: B has only 99 days, so A prices it -> 100m x $20 = $2.0B
    assert (u["PV99"]["pricing_security_id"], u["PV99"]["was_r3000_member"]) == ("PV99_A", True)
    assert u["PV99"]["total_market_cap"] == pytest.approx(2_000_000_000)
    assert u["PV99"]["vehicle_close"] == pytest.approx(20.0)
    assert u["PV99"]["float_factor"] == pytest.approx(0.8)  # A: 48m / 60m
    # PV100, a member: B has 100 days, at least the 100 required -> B prices it: 100m x $25 = $2.5B
    assert u["PV100"]["pricing_security_id"] == "PV100_B"
    assert u["PV100"]["total_market_cap"] == pytest.approx(2_500_000_000)
    # NPV, not a member ($0.90 in 2023): a new member is analysed on all data, 62 days are enough -> $2.5B
    assert (u["NPV"]["pricing_security_id"], u["NPV"]["was_r3000_member"]) == ("NPV_B", False)
    assert u["NPV"]["total_market_cap"] == pytest.approx(2_500_000_000)
    # ranks: K01 50.1, K02 20, K03 12, K04 8, K05 6, K06 4, K07 3, then NPV 2.5 and PV100 2.5 (#8, #9 by company
    # id), K08 2.0 and PV99 2.0 (#10, #11)
    assert [u[c]["size_rank"] for c in ("NPV", "PV100", "K08", "PV99")] == [8, 9, 10, 11]
    days = {
        r["security_id"]: r["volume_days_2y"]
        for r in _query(
            rules_db,
            "select security_id, volume_days_2y from intermediate.int_event_lines "
            "where recon_id = '2024-06' and security_id in ('PV100_B', 'PV99_B', 'NPV_B')",
        )
    }
    # sessions to the 2024-04-30 rank day: December 2023 from the 6th = 17 (20 December sessions less 12-01, 04,
    # 05), January 21, February 20, March 20, April 22 -> PV100_B 17 + 83 = 100; PV99_B from 12-07: 99;
    # NPV_B from 02-01: 20 + 20 + 22 = 62
    assert days == {"PV100_B": 100, "PV99_B": 99, "NPV_B": 62}
    # a new class that became a member's pricing vehicle is not an IPO (PV100_B listed in the 2024-Q1 window)
    events = _query(
        rules_db, "select distinct event from main.fct_index_membership where company_id in ('PV99', 'PV100')"
    )
    assert events == [{"event": "reconstitution"}]
