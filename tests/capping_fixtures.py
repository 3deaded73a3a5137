"""A crafted market for the capped growth/value indexes (tests/test_style_capping.py; project decision 13).

Eighteen companies, one line each, 100m shares all float, so a company's float cap in $B is its close / 10. With
``CAPPING_VARS`` all eighteen are the R1000 (#1-#18; Top 200 = #1-#4). Their style inputs tie (book = half the
rank-day cap, one consensus estimate, no five-year sales history), so every CVS is 0 = XL = XM = XU: the tie spans
the whole universe, every company sits at its midpoint (cumulative-cap position 0.5) and is 50/50 (decision 3).
R1000G holds half of every R1000 company, so its weights are the R1000's.

Caps in $B from the 2024-04-30 rank day to the 2025-01-31 capping reference: M 38 (40 from 2024-12-02), B1 10,
B2 9, B3 8, B4 7, S01..S13 2 each: $100B on the reference date. Then, after the first capped session
(2025-03-24), M rises 10% on 2025-03-25 (400 -> 440).

Calendar: the 2024-06 reconstitution (first session 2024-07-01), quarterly reviews 2024-Q3 and 2024-Q4 (before
capping) and 2025-Q1 (rank date 2025-01-31, effective 2025-03-21, first session 2025-03-24: the first capping).
"""

from __future__ import annotations

from datetime import date

from recon_fixtures import Company, Line, Market, SharesRow

START, END = date(2024, 1, 2), date(2025, 4, 15)
SHARES = 100_000_000
M_UP, M_JUMP = date(2024, 12, 2), date(2025, 3, 25)

CAPS = {"M": 38, "B1": 10, "B2": 9, "B3": 8, "B4": 7, **{f"S{n:02d}": 2 for n in range(1, 14)}}

CAPPING_VARS: dict[str, int | float] = {
    "rank_top50": 2,
    "rank_top200": 4,
    "rank_top500": 6,
    "rank_r1000": 18,
    "rank_micro_top": 20,
    "rank_r3000": 22,
    "rank_r3000e": 24,
    "max_unexplained_daily_index_move": 1e9,
}


def capping_market() -> Market:
    companies, fundamentals = [], []
    for cid, cap in CAPS.items():
        closes = {START: 10.0 * cap}
        if cid == "M":
            closes |= {M_UP: 400.0, M_JUMP: 440.0}
        companies.append(
            Company(cid, [Line(f"{cid}_1", closes, [SharesRow(date(2017, 1, 3), SHARES, SHARES)])])
        )
        # book = half the rank-day cap: every B/P is exactly 0.5
        fundamentals.append(
            {"company_id": cid, "period_end": "2023-12-31", "available_date": "2024-02-14",
             "book_value": str(cap * 500_000_000), "sales": "1000000000", "eps": "1.0", "pretax_income": "1e8",
             "total_assets": "1e10", "total_debt": "1e9", "operating_cash_flow": "1e8"}
        )  # fmt: skip
    return Market(START, END, companies, fundamentals=fundamentals)
