"""The reconstitution engine on the default synthetic market (issue 3): counts, partitions, breakpoints."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture
def warehouse(default_warehouse) -> duckdb.DuckDBPyConnection:
    return default_warehouse


def _members_on(con: duckdb.DuckDBPyConnection, index_code: str, day) -> set[str]:
    rows = con.execute(
        "select security_id from main.fct_index_membership where index_code = ? and valid_from <= ? "
        "and (valid_to is null or valid_to > ?)",
        [index_code, day, day],
    ).fetchall()
    return {r[0] for r in rows}


def _reconstitution_days(con: duckdb.DuckDBPyConnection) -> list[tuple[str, object]]:
    return con.execute(
        "select recon_id, first_session from intermediate.int_rebalance_calendar "
        "where event_type = 'reconstitution' order by rank_date"
    ).fetchall()


def test_every_reconstitution_2015_to_2026_is_built(warehouse) -> None:
    recon_ids = [r for r, _ in _reconstitution_days(warehouse)]
    assert recon_ids == [f"{y}-06" for y in range(2015, 2027)] + ["2026-12"]


# FTSE Russell's published June rank days and effective dates (decision 10): May rank days until 2022, the last
# business day of April from 2023
PUBLISHED_JUNE_DATES = {
    2015: ("2015-05-29", "2015-06-26"), 2016: ("2016-05-27", "2016-06-24"), 2017: ("2017-05-12", "2017-06-23"),
    2018: ("2018-05-11", "2018-06-22"), 2019: ("2019-05-10", "2019-06-28"), 2020: ("2020-05-08", "2020-06-26"),
    2021: ("2021-05-07", "2021-06-25"), 2022: ("2022-05-06", "2022-06-24"), 2023: ("2023-04-28", "2023-06-23"),
    2024: ("2024-04-30", "2024-06-28"), 2025: ("2025-04-30", "2025-06-27"),
}  # fmt: skip


def test_june_reconstitutions_on_the_published_dates(warehouse) -> None:
    rows = warehouse.execute(
        "select year(rank_date), rank_date::varchar, effective_date::varchar from intermediate.int_rebalance_calendar "
        "where recon_type = 'june' and year(rank_date) <= 2025 order by rank_date"
    ).fetchall()
    assert {y: (r, e) for y, r, e in rows} == PUBLISHED_JUNE_DATES


def test_counts_and_partitions_at_each_reconstitution(warehouse) -> None:
    for recon_id, first_session in _reconstitution_days(warehouse):
        idx = {code: _members_on(warehouse, code, first_session) for code in (
            "R3000E", "R3000", "RTOP50", "RTOP200", "RTOP500", "R1000", "RMID", "R2000", "R2500", "RMICRO")}  # fmt: skip
        assert 970 <= len(idx["R1000"]) <= 1040, (recon_id, len(idx["R1000"]))
        assert 1950 <= len(idx["R2000"]) <= 2080, (recon_id, len(idx["R2000"]))
        assert idx["R1000"] | idx["R2000"] == idx["R3000"], recon_id
        assert not idx["R1000"] & idx["R2000"], recon_id
        assert idx["RTOP200"] | idx["RMID"] == idx["R1000"] and not idx["RTOP200"] & idx["RMID"], recon_id
        assert idx["R2500"] == idx["R3000"] - idx["RTOP500"], recon_id
        assert idx["RTOP50"] <= idx["RTOP200"] <= idx["RTOP500"] <= idx["R1000"], recon_id
        assert idx["RMICRO"] <= idx["R3000E"] and not idx["RMICRO"] & idx["R1000"], recon_id
        assert idx["R3000"] <= idx["R3000E"], recon_id


def test_breakpoints_stay_in_the_generator_calibration_ranges(warehouse) -> None:
    rows = warehouse.execute(
        """select recon_id,
            max(total_market_cap) filter (where size_rank = 1000),
            max(total_market_cap) filter (where size_rank = 3000),
            max(cum_cap_pct) filter (where size_rank = 1000)
        from main.fct_rank_day_universe group by 1 order by 1"""
    ).fetchall()
    for recon_id, cap_1000, cap_3000, pct_1000 in rows:
        # README: #1,000 $2.5-6.5B and #3,000 $100-350M on every rank day (2024: $3.5-6B, $100-250M)
        assert 2.5e9 <= cap_1000 <= 6.5e9, (recon_id, cap_1000)
        assert 100e6 <= cap_3000 <= 350e6, (recon_id, cap_3000)
        assert 0.85 <= pct_1000 <= 0.95, (recon_id, pct_1000)
    by_id = {r[0]: r for r in rows}
    assert 3.5e9 <= by_id["2024-06"][1] <= 6e9 and 100e6 <= by_id["2024-06"][2] <= 250e6


def test_membership_intervals_never_overlap(warehouse) -> None:
    overlaps = warehouse.execute(
        """select count(*) from main.fct_index_membership a join main.fct_index_membership b
        on a.index_code = b.index_code and a.security_id = b.security_id and a.valid_from < b.valid_from
        and (a.valid_to is null or a.valid_to > b.valid_from)"""
    ).fetchone()[0]
    empty = warehouse.execute(
        "select count(*) from main.fct_index_membership where valid_to <= valid_from"
    ).fetchone()
    assert overlaps == 0 and empty[0] == 0


def test_members_were_eligible_and_ranked_on_their_rank_day(warehouse) -> None:
    bad = warehouse.execute(
        """select count(*) from main.fct_rank_day_universe
        where is_r3000e_member and (not eligible or size_rank is null)"""
    ).fetchone()[0]
    gaps = warehouse.execute(
        """select count(*) from (
            select recon_id, count(*) as n, max(size_rank) as top from main.fct_rank_day_universe
            where eligible group by 1) where n <> top"""
    ).fetchone()[0]
    reasons = warehouse.execute(
        "select count(*) from main.fct_rank_day_universe where not eligible and ineligible_reason is null"
    ).fetchone()[0]
    assert bad == 0 and gaps == 0 and reasons == 0


def test_holdings_weights_sum_to_one(warehouse) -> None:
    worst = warehouse.execute(
        """select max(abs(s - 1)) from (
            select index_code, as_of_date, sum(weight) as s from main.fct_index_holdings group by all)"""
    ).fetchone()[0]
    dates = warehouse.execute("select count(distinct as_of_date) from main.fct_index_holdings").fetchone()[0]
    assert worst < 1e-9 and dates > 100


def test_change_lists_explain_every_move(warehouse) -> None:
    counts = dict(
        warehouse.execute(
            "select change_type, count(*) from main.fct_reconstitution_changes where recon_id = '2024-06' group by 1"
        ).fetchall()
    )
    assert (
        counts.get("addition", 0) > 50 and counts.get("deletion", 0) > 20 and counts.get("migration", 0) > 50
    )
    reasons = [
        r[0]
        for r in warehouse.execute("select distinct reason from main.fct_reconstitution_changes").fetchall()
    ]
    assert any(r.startswith("kept in R1000 by band at ") for r in reasons)
    assert any(r.startswith("ranked ") and r.endswith(", new") for r in reasons)
    assert "deleted: cash acquisition" in reasons
