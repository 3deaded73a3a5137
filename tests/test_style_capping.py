"""Capped growth/value indexes on a crafted market, against numbers worked out by hand (project decision 13).

The market is tests/capping_fixtures.py: R1000G is half of each of the R1000's eighteen companies (all 50/50), so its
weights are the R1000's, $100B on the 2025-01-31 reference date: M 40, B1 10, B2 9, B3 8, B4 7 and thirteen names of 2. The first capping review is 2025-Q1
(effective 2025-03-21, first session 2025-03-24). The algorithm (int_style_capping), in weights:

    pass 1: M 40% > 22.5% -> 22.5%. Above 4.5%, largest first: M 22.5, B1 10 (32.5), B2 9 (41.5), B3 8 (49.5 > 45)
            -> B3 and B4 capped at 4.5%. The free names (B1, B2, the 2s: 45% uncapped) share 1 - 31.5% = 68.5%:
            x 68.5/45: B1 15.2222, B2 13.7, the 2s 3.0444.
    pass 2: none above 22.5%. M 22.5, B1 15.2222 (37.7222), B2 13.7 (51.4222 > 45) -> B2 capped at 4.5%.
            Free: B1 and the 2s, 36% uncapped, share 1 - 36% = 64%: x 16/9: B1 17.7778, the 2s 3.5556.
    pass 3: M 22.5 + B1 17.7778 = 40.2778 <= 45, nobody else above 4.5%: nothing changes, done.

Capping factors (capped weight / uncapped weight, over the free names' 16/9): M 0.225/0.40 x 9/16 = 0.316406,
B2 0.045/0.09 x 9/16 = 0.28125, B3 0.045/0.08 x 9/16 = 0.316406, B4 0.045/0.07 x 9/16 = 0.361607, the rest 1.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from indexpipe.quality.frames import discover_frames
from indexpipe.quality.runner import run_frame

FIRST_CAPPED_SESSION = date(2025, 3, 24)
SMALL = [f"S{n:02d}" for n in range(1, 14)]
CAPPED = {
    "M": 0.225,
    "B1": 0.64 / 3.6,
    "B2": 0.045,
    "B3": 0.045,
    "B4": 0.045,
    **dict.fromkeys(SMALL, 0.02 * 16 / 9),
}
FACTORS = {
    "M": 0.225 / 0.40 * 9 / 16,
    "B2": 0.28125,
    "B3": 0.045 / 0.08 * 9 / 16,
    "B4": 0.045 / 0.07 * 9 / 16,
}


@pytest.fixture(scope="module")
def db(capping_warehouse: Path) -> Path:
    return capping_warehouse


def _capping(db: Path, index_code: str) -> dict[str, dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute(
            "select * from intermediate.int_style_capping where index_code = ? order by company_id",
            [index_code],
        )
        names = [d[0] for d in cur.description]
        return {row[names.index("company_id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def test_capping_a_mega_cap_above_22_5_percent_by_hand(db: Path) -> None:
    rows = _capping(db, "R1000GC")
    assert set(rows) == set(CAPPED)
    for cid, row in rows.items():
        # the only review from 2025-03-24 on, priced at its rank date (the reference of every rebalance)
        assert (row["recon_id"], row["reference_date"], row["first_session"]) == (
            "2025-Q1",
            date(2025, 1, 31),
            FIRST_CAPPED_SESSION,
        )
        assert row["uncapped_index_code"] == "R1000G"
        assert row["capped_weight"] == pytest.approx(CAPPED[cid], abs=1e-12), cid
        assert row["capping_factor"] == pytest.approx(FACTORS.get(cid, 1.0), abs=1e-12), cid
        assert row["is_capped"] == (cid in FACTORS), cid
        assert row["passes"] == 3 and row["limits_hold"]
    assert rows["M"]["uncapped_weight"] == pytest.approx(0.40, abs=1e-12)
    assert rows["M"]["capping_factor"] == pytest.approx(0.316406, abs=1e-6)
    assert rows["B4"]["capping_factor"] == pytest.approx(0.361607, abs=1e-6)
    # R3000G is the same eighteen names: the same factors
    assert {c: r["capping_factor"] for c, r in _capping(db, "R3000GC").items()} == {
        c: r["capping_factor"] for c, r in rows.items()
    }


def test_too_few_names_for_the_limits_are_rescaled_and_flagged(db: Path) -> None:
    rows = _capping(db, "RTOP200GC")
    # the Top 200 (scaled: #1-#4) is M 40, B1 10, B2 9, B3 8 of $67B. Pass 1: M -> 22.5%; M 22.5 + B1 14.93
    # (37.43) + B2 13.43 (50.86 > 45): B2 and B3 -> 4.5%; B1 alone takes the other 68.5% -> pass 2 caps it at 22.5%
    # and nobody is left to take the rest: 22.5 + 22.5 + 4.5 + 4.5 = 54%, rescaled to 1
    assert {c: r["capped_weight"] for c, r in rows.items()} == pytest.approx(
        {"M": 0.225 / 0.54, "B1": 0.225 / 0.54, "B2": 0.045 / 0.54, "B3": 0.045 / 0.54}, abs=1e-12
    )
    assert not any(r["limits_hold"] for r in rows.values())
    # factors over the largest capped-to-uncapped ratio (B1's 0.225 / (10/67)): M 10/40, B2 0.045 x 10 / (0.225 x 9)
    assert {c: r["capping_factor"] for c, r in rows.items()} == pytest.approx(
        {"M": 0.25, "B1": 1.0, "B2": 0.45 / 2.025, "B3": 0.25}, abs=1e-12
    )


def test_capped_index_holds_shares_times_factor_and_drifts_between_reviews(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        holdings = {
            (index_code, day, security): weight
            for index_code, day, security, weight in con.execute(
                "select index_code, as_of_date, security_id, weight from main.fct_index_holdings "
                "where index_code in ('R1000G', 'R1000GC')"
            ).fetchall()
        }
        levels = {
            (index_code, day): (level, price_return)
            for index_code, day, level, price_return in con.execute(
                "select index_code, date, price_level, price_return from main.fct_index_levels "
                "where index_code in ('R1000G', 'R1000GC')"
            ).fetchall()
        }
        factors = dict(
            con.execute(
                "select valid_from, inclusion_factor from main.fct_index_membership "
                "where index_code = 'R1000GC' and security_id = 'M_1'"
            ).fetchall()
        )
    # the effective date's holdings are the opening weights of the capped composition, at closes unchanged since
    # the reference date: exactly the capped weights
    effective = date(2025, 3, 21)
    for cid, weight in CAPPED.items():
        assert holdings[("R1000GC", effective, f"{cid}_1")] == pytest.approx(weight, abs=1e-12), cid
    assert holdings[("R1000G", effective, "M_1")] == pytest.approx(0.40, abs=1e-12)
    # M's inclusion factor: its growth probability 0.5 until the review, then 0.5 x its capping factor, fixed until
    # the next review
    assert factors == pytest.approx(
        {date(2024, 7, 1): 0.5, FIRST_CAPPED_SESSION: 0.5 * FACTORS["M"]}, abs=1e-12
    )
    # 2025-03-25, M +10%: the capped index moves 22.5% x 10%, the uncapped 40% x 10%
    assert levels[("R1000GC", date(2025, 3, 25))][1] == pytest.approx(0.0225, abs=1e-10)
    assert levels[("R1000G", date(2025, 3, 25))][1] == pytest.approx(0.04, abs=1e-10)
    # and the weights drift with the price until the next review: at the March month end M weighs
    # 0.225 x 1.1 / (1 + 0.0225) = 0.242054, above 22.5%
    assert holdings[("R1000GC", date(2025, 3, 31), "M_1")] == pytest.approx(0.2475 / 1.0225, abs=1e-12)
    # before 2025-03-24 the capped series is the uncapped one: 2024-12-02 (M 38 -> 40) is 2/98 in both
    assert levels[("R1000GC", date(2024, 12, 2))][1] == pytest.approx(2 / 98, abs=1e-10)
    before = {day: v for (code, day), v in levels.items() if code == "R1000G" and day < FIRST_CAPPED_SESSION}
    assert before and all(levels[("R1000GC", day)] == v for day, v in before.items())


def test_the_capping_check_catches_a_factor_that_does_not_reach_the_membership(
    db: Path, tmp_path: Path
) -> None:
    frame = next(f for f in discover_frames() if f.name == "fct_index_membership_capping")
    assert run_frame(frame, db).success
    copy = tmp_path / "w.duckdb"
    shutil.copy(db, copy)
    with duckdb.connect(str(copy)) as con:
        # M's factor changed after the membership was built: the capped weights no longer sum to 1 and M's line
        # no longer holds R1000G's factor x its capping factor
        con.execute(
            "update intermediate.int_style_capping set capping_factor = 0.5, capped_weight = 0.3 "
            "where index_code = 'R1000GC' and company_id = 'M'"
        )
    outcome = run_frame(frame, copy)
    assert not outcome.success
    summary = outcome.summary()
    for text in ("lines_not_matching", "weight_sum", "limits_broken", "R1000GC", "2025-Q1"):
        assert text in summary, (text, summary)
