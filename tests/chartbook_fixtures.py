"""The crafted market of the chartbook and holdings tests: tests/levels_fixtures.py (every figure of it holds here
too; caps in $B are close / 10) plus two changes:

- E (Technology until then) is reclassified to Energy from 2023-11-15: the holdings' sector is point in time.
- R5 (a Russell 2000 member, close 6.0) closes at 6.5 from 2023-11-29 and has no trade on 2023-11-30, a month
  end: that day it is priced at its last close, 6.5.

The Russell 1000 (scaled: the top 10) holds X 50, Y 40, Z 30, A 20, T 10, C 8, D 6, P 5, Q 4, E 3 from the 2023-06
reconstitution until the 2024-06 one; the Russell 2000 R1..R5 (1.0, 0.9, 0.8, 0.7, 0.6).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from levels_fixtures import levels_market
from recon_fixtures import Market

RECLASSIFIED = date(2023, 11, 15)
R5_STEP, R5_NO_TRADE = date(2023, 11, 29), date(2023, 11, 30)


def chartbook_market() -> Market:
    market = levels_market()
    r5 = market.line("R5_1")
    r5.closes[R5_STEP] = 6.5
    r5.missing_days.add(R5_NO_TRADE)
    industries = [*market.industries, ("E", date(2020, 1, 2), "Technology"), ("E", RECLASSIFIED, "Energy")]
    return replace(market, industries=industries)
