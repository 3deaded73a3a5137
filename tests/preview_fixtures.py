"""A crafted market for the reconstitution preview (docs/preview.md), with numbers chosen so the preview's
probabilities and trade demand can be computed by hand.

Scaled breakpoints (``SCALED_VARS``): #10 is the R1000 breakpoint with a ±2.5% band, #25 the R3000, #30 the R3000E.
Two June reconstitutions: 2023-06 (rank day 2023-04-28, no composition before it: ranks only) and 2024-06 (rank day
2024-04-30, banded). Every company has one line with 10m shares and an 80% float, so its close in $ is its total cap
in $10M units, and each 2024 top 30 sums to 10,000 units ($100B): a cumulative percentage is the running sum / 10,000.
Closes step from their 2023 level to their 2024 level on 2023-08-01 and are constant otherwise, except X's.

2024 ranking (units; cumulative):
  #1-#8   A1..A8   3000, 2000, 1200, 800, 700, 500, 416.1, 133.9        cum #8 = 8,750 (87.50%)
  #9      X        130 (the close on the preview date)                  cum 8,880
  #10     B10      120                                                  cum 9,000 = the #10 breakpoint, 90.00%
  #11-#29 C11..C29 69, 67, ..., 33                                      cum #29 = 9,969
  #30     G        31 (155m shares at $2; $0.50 in 2023: ineligible)    cum 10,000
  #31     C30      30 (out of the R3000E)
In 2023 X was at 60 units (#15, R2000), G ineligible, C30 #30 (Microcap). In 2024 the #10 band runs from 87.50% to
92.50%: the band edge X (an R2000 member, at 88.80%) must cross to move up is company #8's cap, 133.9 = 1.03 x 130,
so X needs a 3% rise. X's log close alternates between its level and the level x e^a on alternate sessions up to the
2024 rank day (the preview date 2024-04-02, 20 sessions before it, and the rank day on the level), with
a = 0.02 x sqrt(59/60): the 60 daily log returns to the preview date are 30 x (+a) and 30 x (-a), mean 0 and sample
standard deviation sqrt(60 a^2 / 59) = 0.02. After the rank day X's close is 130.
"""

from __future__ import annotations

import math
from datetime import date

from indexpipe.calendars import trading_days
from recon_fixtures import (
    BANDING_END,
    BANDING_PRICE_CHANGE,
    BANDING_START,
    SCALED_VARS,
    Company,
    Line,
    Market,
    SharesRow,
    single_line,
)

RANK_DAY_2024 = date(2024, 4, 30)
SESSIONS_BEFORE = 20
SIGMA = 0.02
ALTERNATION = SIGMA * math.sqrt(59 / 60)  # a: the alternating daily log move
EFFECTIVE_2024 = date(2024, 6, 28)

# (2023 units, 2024 units) at 10m shares: close in $ = units
CAPS: dict[str, tuple[float, float]] = {
    "A1": (3000, 3000),
    "A2": (2000, 2000),
    "A3": (1200, 1200),
    "A4": (800, 800),
    "A5": (700, 700),
    "A6": (500, 500),
    "A7": (416.1, 416.1),
    "A8": (133.9, 133.9),
    "X": (60, 130),
    "B10": (120, 120),
    **{f"C{n}": (69 - 2 * (n - 11), 69 - 2 * (n - 11)) for n in range(11, 30)},  # 69, 67, ..., 33
    "C30": (30, 30),
}

PREVIEW_VARS: dict[str, object] = {
    **SCALED_VARS,
    # the hand computation uses the total volatility at scale 1 (the relative one is checked on its own)
    "preview_volatility_basis": "total",
    "preview_volatility_scale": 1.0,
    # a preview dated on the rank day, which must reproduce the reconstitution
    "preview_dates": [RANK_DAY_2024.isoformat()],
    # round assets for the hand-computed trade demand: $1B tracking the Russell 3000E
    "tracking_assets_usd": {"R3000E": 1.0e9},
}


def sessions() -> list[date]:
    return [day.item() for day in trading_days(BANDING_START, BANDING_END)]


def preview_date() -> date:
    """20 sessions before the 2024 rank day: 2024-04-02."""
    days = sessions()
    return days[days.index(RANK_DAY_2024) - SESSIONS_BEFORE]


def _x_line() -> Line:
    days = sessions()
    anchor = days.index(preview_date())
    rank = days.index(RANK_DAY_2024)
    c23, c24 = CAPS["X"]
    line = Line(
        "X_1",
        {BANDING_START: float(c23), BANDING_PRICE_CHANGE: float(c24)},
        [SharesRow(date(2023, 1, 3), 10_000_000, 8_000_000)],
    )
    for i, day in enumerate(days[: rank + 1]):
        if (anchor - i) % 2 == 1:  # the other parity than the preview date: level x e^a
            line.close_overrides[day] = line.close_on(day) * math.exp(ALTERNATION)
    return line


def preview_market(late_rows: bool = False) -> Market:
    """``late_rows`` adds figures dated after the preview date (2024-04-03 on) that would change it."""
    companies = [
        single_line(cid, 10_000_000, {BANDING_START: float(c23), BANDING_PRICE_CHANGE: float(c24)},
                    shares_from=date(2023, 1, 3))
        for cid, (c23, c24) in CAPS.items()
        if cid != "X"
    ]  # fmt: skip
    companies.append(Company("X", [_x_line()]))
    # G: 155m shares; $0.50 in 2023 (ineligible), $2.00 from 2023-08-01 ($310M = 31 units)
    companies.append(
        single_line(
            "G", 155_000_000, {BANDING_START: 0.50, BANDING_PRICE_CHANGE: 2.00}, shares_from=date(2023, 1, 3)
        )
    )
    market = Market(BANDING_START, BANDING_END, companies)
    if late_rows:
        after = date(2024, 4, 3)
        x = market.line("X_1")
        for day in sessions():
            if day >= after:
                x.close_overrides[day] = 195.0  # +50%: X would cross the band
        market.line("G_1").shares.append(SharesRow(after, 1_550_000_000, 1_240_000_000))
        market.line("B10_1").volume_overrides[after] = 90_000_000
        market.companies.append(
            single_line("LATE", 100_000_000, {after: 50.0}, listing_date=after, shares_from=after)
        )
    return market
