"""The rebalance calendar (methodology decision 10 and 11): published rank days before 2023, the rule after, and
the first event after an initial membership list.

A three-company market from 2021-04-01 to 2023-07-10 is built twice: as it is, and with an initial membership
dated 2022-06-24 (the 2022 reconstitution's effective date). The expected dates are FTSE Russell's published ones,
typed here from its announcements (not read from the seed): rank days 2021-05-07, 2022-05-06 (Fridays in May) and
2023-04-28 (the last business day of April); effective dates the 4th Friday of June: 2021-06-25, 2022-06-24,
2023-06-23.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest
from recon_fixtures import SCALED_VARS, Market, build_market, single_line

START, END = date(2021, 4, 1), date(2023, 7, 10)
CALENDAR = ("int_rebalance_calendar",)  # all the tests read: the builds run it, its inputs and their checks


def _market() -> Market:
    return Market(
        START,
        END,
        [
            single_line(c, 10_000_000, {START: close}, shares_from=START)
            for c, close in (("K1", 50.0), ("K2", 30.0), ("K3", 10.0))
        ],
    )


@pytest.fixture(scope="module")
def calendar(tmp_path_factory: pytest.TempPathFactory) -> list[tuple]:
    return _calendar(build_market(_market(), tmp_path_factory.mktemp("calendar"), SCALED_VARS, CALENDAR))


@pytest.fixture(scope="module")
def calendar_after_list(tmp_path_factory: pytest.TempPathFactory) -> list[tuple]:
    listed = [("R1000", date(2022, 6, 24), c) for c in ("K1", "K2", "K3")]
    market = replace(_market(), initial_membership=listed)
    return _calendar(build_market(market, tmp_path_factory.mktemp("calendar_list"), SCALED_VARS, CALENDAR))


def _calendar(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select recon_id, rank_date, effective_date, previous_rank_date "
            "from intermediate.int_rebalance_calendar order by rank_date"
        ).fetchall()


def test_published_rank_days_before_2023_and_the_rule_after(calendar: list[tuple]) -> None:
    recons = {r[0]: r[1:3] for r in calendar if r[0].endswith("-06")}
    assert recons == {
        "2021-06": (date(2021, 5, 7), date(2021, 6, 25)),
        "2022-06": (date(2022, 5, 6), date(2022, 6, 24)),
        "2023-06": (date(2023, 4, 28), date(2023, 6, 23)),
    }


def test_quarterly_windows_follow_the_published_rank_days(calendar: list[tuple]) -> None:
    by_id = {r[0]: r for r in calendar}
    # the IPO window of the review after a May rank day opens the day after it
    assert by_id["2021-Q3"][1:] == (date(2021, 7, 30), date(2021, 9, 17), date(2021, 5, 7))
    assert by_id["2022-Q3"][3] == date(2022, 5, 6)
    assert by_id["2022-Q1"][1:] == (date(2022, 1, 31), date(2022, 3, 18), date(2021, 10, 29))
    assert [r[0] for r in calendar] == [
        "2021-06", "2021-Q3", "2021-Q4", "2022-Q1", "2022-06", "2022-Q3", "2022-Q4", "2023-Q1", "2023-06",
    ]  # fmt: skip


def test_an_initial_membership_starts_the_calendar_after_its_date(calendar_after_list: list[tuple]) -> None:
    # events that took effect on or before 2022-06-24 are in the list already
    assert [r[0] for r in calendar_after_list] == ["2022-Q3", "2022-Q4", "2023-Q1", "2023-06"]
    assert calendar_after_list[0][3] is None  # nothing before it
