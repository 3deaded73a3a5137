"""Reverse splits never consolidate a company below MIN_SHARES_AFTER_CONSOLIDATION shares (the generator's plan).

Over 24 years the generator gave one OTC company (C05875, line S006652) eight consolidations, down to 5.8 shares and
then a 1-for-10 to 0.58, which the shares file rounds to 1 share: x0.167 where the split says x0.1, so the input
check rejected the market. Only the plan is built here (companies and events, under a second), not the prices.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from indexpipe.generator.events import MIN_SHARES_AFTER_CONSOLIDATION, Consolidations, Events
from indexpipe.generator.market import MarketConfig, plan_market
from indexpipe.generator.universe import Companies


def _plan(start: str) -> tuple[Companies, Events, np.ndarray]:
    """The seed-42, 6,000-company plan from ``start`` (and its trading days), as generate_market draws it."""
    _, days, companies, events = plan_market(MarketConfig(start=date.fromisoformat(start)))
    return companies, events, days


def _consolidations(plan: tuple[Companies, Events, np.ndarray], company_id: str) -> list[tuple[str, float]]:
    companies, events, days = plan
    c = int(np.flatnonzero(companies.company_id == company_id)[0])
    return [(str(days[d]), r) for company, d, r in events.splits if company == c and r < 1]


def test_a_consolidation_below_the_floor_is_refused_and_not_counted() -> None:
    assert MIN_SHARES_AFTER_CONSOLIDATION == 100
    plan = Consolidations(np.array([2_000.0, 50.0]))
    assert plan.admit(0, 0.1)  # 2,000 x 0.1 = 200 shares
    assert not plan.admit(0, 0.125)  # 200 x 0.125 = 25 < 100: refused, the company keeps 200
    assert plan.admit(0, 0.5)  # 200 x 0.5 = 100, exactly the floor (not 25 x 0.5 = 12.5)
    assert plan.factor[0] == pytest.approx(0.05)  # 0.1 x 0.5
    assert not plan.admit(1, 0.2)  # 50 x 0.2 = 10
    assert 1 not in plan.factor


def test_the_24_year_market_stops_consolidating_c05875_at_580_shares() -> None:
    plan = _plan("2003-01-01")
    companies, events, _ = plan
    # C05875 has 11,165,274.98 / 0.751672 = 14,853,911.11 shares on its anchor day. Its consolidations:
    # x0.2 = 2,970,782.22; x0.125 = 371,347.78; x0.1 = 37,134.78; x0.125 = 4,641.85; x0.125 = 580.23.
    # The next three were 1-for-10s (2021-07-02, 2021-08-25, 2021-10-01): 58.02, 5.80 and 0.58 shares; each now
    # leaves fewer than 100 (580.23 x 0.1 = 58.02) and is dropped.
    assert _consolidations(plan, "C05875") == [
        ("2012-06-08", 0.2),
        ("2014-04-22", 0.125),
        ("2017-02-07", 0.1),
        ("2020-08-13", 0.125),
        ("2021-07-19", 0.125),
    ]
    shares = companies.anchor_cap / companies.anchor_price
    factor: dict[int, float] = {}
    for c, _, r in events.splits:
        if r < 1:
            factor[c] = factor.get(c, 1.0) * r
    assert min(shares[c] * f for c, f in factor.items()) >= MIN_SHARES_AFTER_CONSOLIDATION


def test_the_default_market_keeps_every_consolidation() -> None:
    plan = _plan("2015-01-01")
    events = plan[1]
    # its smallest: C05815, 8,158,600.66 / 3.445879 = 2,367,640.15 shares, x0.125 x0.1 x0.125 x0.125 = 462.43
    assert _consolidations(plan, "C05815") == [
        ("2016-09-07", 0.125),
        ("2016-08-12", 0.1),
        ("2022-04-18", 0.125),
        ("2023-07-10", 0.125),
    ]
    assert sum(1 for _, _, r in events.splits if r < 1) == 58  # as before the floor existed
