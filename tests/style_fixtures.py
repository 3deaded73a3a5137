"""A crafted market for the Growth/Value and Defensive/Dynamic rules (tests/test_style_rules.py).

Twenty companies, one line each, 100m shares each, all float (available = outstanding), so a company's float cap
is its total cap and its close is its cap / 100m. Two June reconstitutions with ``SCALED_VARS`` (R1000 = #1-#10,
R2000 = #11-#25, no Microcap with 20 companies):

- 2023-06 (rank day 2023-04-28): R1000 = A..J, R2000 = K..T.
- 2024-06 (rank day 2024-04-30): K's cap jumps to $20B and J's falls to $0.9B, so K joins R1000 and J drops to
  R2000 (both far outside the ±2.5% band); everything else keeps its cap.

Each company's style variables are given as ranks (1 = lowest value) in its base universe; the raw values below
are simple increasing functions of the rank, so only the ranks matter:

- R1000 scale: B/P = 0.1 r, I/B/E/S 2-year growth = 0.01 r - 0.03 (negative growth is valid), five-year sales
  ratio f = 1 - 0.05 r (sales five years earlier = f x sales now: a smaller f is faster growth).
- R2000 scale, offset so no value ties with the R1000 scale: B/P = 0.1 r + 0.05, growth = 0.01 r - 0.025,
  f = 0.99 - 0.05 r.

Fundamentals are quarterly from 2017-12-31 to 2023-12-31, each public 45 days after its period end; estimates are
dated 2023-02-15 and 2024-02-15. Stability inputs (2023-06, R1000) are in ``STABILITY``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from recon_fixtures import Company, Line, Market, SharesRow

START, END = date(2022, 6, 1), date(2024, 7, 31)
PRICE_CHANGE = date(2023, 8, 1)  # caps move to their 2024 level on this day
SHARES = 100_000_000
SALES_NOW = 1_000_000_000.0
SPIKE_DAY = date(2023, 2, 10)  # a Friday: A's close doubles for one day (weekly volatility > 0)


@dataclass(frozen=True)
class StyleSpec:
    cap_2023: float  # $B
    cap_2024: float
    bp_rank: int
    growth_rank: int
    sps_rank: int
    analysts_2023: int = 5
    analysts_2024: int = 5
    scale: str = "r1000"


# 2023-06 R1000, sorted by CVS: A (growth end) ... J (value end). Caps sum to $100B.
# 2023-06 R2000: K (bp 10, growth 1, sps 3) is the R2000's highest CVS; the rest are tuned for the 95% rule.
SPECS: dict[str, StyleSpec] = {
    "A": StyleSpec(12, 12, 1, 10, 9),
    "B": StyleSpec(10, 10, 2, 9, 10, analysts_2024=2),
    "C": StyleSpec(8, 8, 3, 7, 8),
    "D": StyleSpec(14, 14, 4, 8, 6, analysts_2024=1),
    "E": StyleSpec(6, 6, 5, 5, 7),
    "F": StyleSpec(16, 16, 6, 6, 4),
    "G": StyleSpec(9, 9, 7, 3, 5),
    "H": StyleSpec(11, 11, 8, 4, 3),
    "I": StyleSpec(7.5, 7.5, 9, 2, 1),
    "J": StyleSpec(6.5, 0.9, 10, 1, 2),
    "K": StyleSpec(5.8, 20, 10, 1, 3, scale="r2000"),
    "L": StyleSpec(4.4, 4.4, 1, 3, 7, analysts_2023=1, analysts_2024=1, scale="r2000"),
    "M": StyleSpec(5.9, 5.9, 2, 2, 8, analysts_2023=1, analysts_2024=1, scale="r2000"),
    "N": StyleSpec(1.0, 1.0, 4, 10, 5, scale="r2000"),
    "O": StyleSpec(1.6, 1.6, 3, 9, 6, analysts_2023=1, analysts_2024=1, scale="r2000"),
    "P": StyleSpec(2.1, 2.1, 9, 8, 10, analysts_2023=2, analysts_2024=2, scale="r2000"),
    "Q": StyleSpec(5.6, 5.6, 8, 5, 9, analysts_2023=2, analysts_2024=2, scale="r2000"),
    "R": StyleSpec(1.3, 1.3, 6, 7, 4, analysts_2023=1, analysts_2024=1, scale="r2000"),
    "S": StyleSpec(1.7, 1.7, 7, 6, 2, analysts_2023=2, analysts_2024=2, scale="r2000"),
    "T": StyleSpec(5.0, 5.0, 5, 4, 1, scale="r2000"),
}


def book_to_price(spec: StyleSpec) -> float:
    return 0.1 * spec.bp_rank + (0.05 if spec.scale == "r2000" else 0.0)


def eps_growth(spec: StyleSpec) -> float:
    return round(0.01 * spec.growth_rank - (0.025 if spec.scale == "r2000" else 0.03), 6)


def sales_ratio(spec: StyleSpec) -> float:
    return round((0.99 if spec.scale == "r2000" else 1.0) - 0.05 * spec.sps_rank, 6)


# In 2024 K sits in R1000 with J's 2023 ranks (bp 10, growth 1, sps 2): new book, estimate and five-year sales.
K_2024 = {"book": 1.05 * 20e9, "growth": -0.025, "ratio_2018": 0.9}

# 2023-06 R1000 stability inputs: debt/equity (None = no debt figure), pre-tax ROA, and the quarterly EPS level m
# and swing e (EPS alternates m + e, m - e, ...). I has only 14 quarters (too few); E's median EPS is negative.
STABILITY: dict[str, tuple[float | None, float, float, float]] = {
    "A": (0.2, 0.10, 2.0, 0.10),
    "B": (1.5, 0.02, 2.0, 0.50),
    "C": (0.8, 0.05, 2.0, 0.30),
    "D": (0.5, 0.08, 2.0, 0.20),
    "E": (2.0, -0.03, -0.5, 0.10),
    "F": (0.3, 0.12, 2.0, 0.05),
    "G": (1.0, 0.04, 2.0, 0.40),
    "H": (0.6, 0.06, 2.0, 0.25),
    "I": (1.2, 0.01, 2.0, 0.10),
    "J": (None, 0.09, 2.0, 0.15),
}
SHORT_HISTORY = "I"

# 2024 ICB changes for the 2024-06 R2000 (J and L..T): sub-sectors X1 = {L, N} (too small), X3 = {M, O, P, Q, R, T},
# X2 = {S, J}; sector SEC1 = X1 + X3, SEC2 = X2. N's book turns negative in the 2023-03-31 accounts, public
# 2023-04-29, the day after the 2023-04-28 rank day; T has no 2018-12-31 accounts (no five-year sales growth in
# 2024). B has a second 2023 estimate (2 analysts) dated 2023-04-29 as well: a model that read figures as of the
# day after the rank day would see both.
SUBSECTORS_2024 = {"L": "X1", "N": "X1", "M": "X3", "O": "X3", "P": "X3", "Q": "X3", "R": "X3", "T": "X3",
                   "S": "X2", "J": "X2"}  # fmt: skip
NEGATIVE_BOOK, NO_2018_ACCOUNTS = "N", "T"
DAY_AFTER_RANK_DAY_2023 = date(2023, 4, 29)


def _quarter_ends() -> list[date]:
    ends, year, quarter = [], 2017, 4
    while (year, quarter) <= (2023, 4):
        month = 3 * quarter
        ends.append(date(year, 12, 31) if month == 12 else date(year, month + 1, 1) - timedelta(days=1))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return ends


def _fundamentals(cid: str, spec: StyleSpec) -> list[dict[str, str]]:
    book = book_to_price(spec) * spec.cap_2023 * 1e9
    de, roa, eps_level, eps_swing = STABILITY.get(cid, (0.5, 0.05, 1.0, 0.0))
    total_assets = 10 * book
    rows = []
    for n, end in enumerate(_quarter_ends()):
        if cid == SHORT_HISTORY and date(2018, 12, 31) < end < date(2020, 3, 31):
            continue
        if cid == NO_2018_ACCOUNTS and end == date(2018, 12, 31):
            continue
        company_book = book
        if cid == "K" and end >= date(2023, 12, 31):
            company_book = K_2024["book"]
        if cid == NEGATIVE_BOOK and end >= date(2023, 3, 31):
            company_book = -book
        if end <= date(2017, 12, 31):
            sales = sales_ratio(spec) * SALES_NOW
        elif end <= date(2018, 12, 31):
            sales = (K_2024["ratio_2018"] if cid == "K" else sales_ratio(spec)) * SALES_NOW
        else:
            sales = SALES_NOW
        rows.append(
            {
                "company_id": cid,
                "period_end": end.isoformat(),
                "available_date": (
                    DAY_AFTER_RANK_DAY_2023
                    if cid == NEGATIVE_BOOK and end == date(2023, 3, 31)
                    else end + timedelta(days=45)
                ).isoformat(),
                "book_value": repr(company_book),
                "sales": repr(sales),
                "eps": repr(eps_level + eps_swing * (1 if n % 2 == 0 else -1)),
                "pretax_income": repr(roa * total_assets),
                "total_assets": repr(total_assets),
                "total_debt": "" if de is None else repr(de * book),
                "operating_cash_flow": repr(0.1 * SALES_NOW),
            }
        )
    return rows


def _estimates(cid: str, spec: StyleSpec) -> list[dict[str, str]]:
    growth_2024 = K_2024["growth"] if cid == "K" else eps_growth(spec)
    late = (
        [
            {
                "company_id": cid,
                "as_of_date": DAY_AFTER_RANK_DAY_2023.isoformat(),
                "eps_growth_2y": repr(eps_growth(spec)),
                "ltg": "0.1",
                "eps_fy1": "2.0",
                "analyst_count": "2",
            }
        ]
        if cid == "B"
        else []
    )
    return [
        {"company_id": cid, "as_of_date": "2023-02-15", "eps_growth_2y": repr(eps_growth(spec)), "ltg": "0.1",
         "eps_fy1": "2.0", "analyst_count": str(spec.analysts_2023)},
        *late,
        {"company_id": cid, "as_of_date": "2024-02-15", "eps_growth_2y": repr(growth_2024), "ltg": "0.1",
         "eps_fy1": "2.0", "analyst_count": str(spec.analysts_2024)},
    ]  # fmt: skip


def style_market() -> Market:
    companies = []
    for cid, spec in SPECS.items():
        closes = {START: spec.cap_2023 * 1e9 / SHARES, PRICE_CHANGE: spec.cap_2024 * 1e9 / SHARES}
        line = Line(f"{cid}_1", closes, [SharesRow(date(2017, 1, 3), SHARES, SHARES)])
        if cid == "A":
            line.close_overrides[SPIKE_DAY] = 2 * closes[START]
        companies.append(Company(cid, [line]))
    return Market(
        START,
        END,
        companies,
        fundamentals=[row for cid, spec in SPECS.items() for row in _fundamentals(cid, spec)],
        estimates=[row for cid, spec in SPECS.items() for row in _estimates(cid, spec)],
        extra_classifications=[
            {"company_id": cid, "effective_date": "2024-01-02", "icb_industry": "Technology",
             "icb_supersector": "Technology", "icb_sector": "SEC2" if sub == "X2" else "SEC1",
             "icb_subsector": sub}
            for cid, sub in SUBSECTORS_2024.items()
        ],
    )  # fmt: skip


# A hundred equal-cap companies C001..C100 ($10B each, 100m shares at $100) in one reconstitution (2024-06, rank
# day 2024-04-30), all in the R1000 with CURVE_VARS. Company i has the i-th lowest B/P and the i-th highest EPS and
# sales-per-share growth, so its standard scores are z_i, -z_(101-i) = z_i, z_i with z_i = the inverse normal of
# (i - 0.5) / 100, and its CVS is 0.5 z_i + 0.25 z_i + 0.25 z_i = z_i.
CURVE_COMPANIES = 100
CURVE_VARS: dict[str, int | float] = {
    "rank_top50": 10,
    "rank_top200": 20,
    "rank_top500": 50,
    "rank_r1000": 100,
    "rank_micro_top": 110,
    "rank_r3000": 120,
    "rank_r3000e": 130,
    "max_unexplained_daily_index_move": 1e9,
}


def curve_market() -> Market:
    start, end = date(2024, 1, 2), date(2024, 7, 31)
    companies, fundamentals, estimates = [], [], []
    for i in range(1, CURVE_COMPANIES + 1):
        cid = f"C{i:03d}"
        companies.append(
            Company(cid, [Line(f"{cid}_1", {start: 100.0}, [SharesRow(date(2017, 1, 3), SHARES, SHARES)])])
        )
        # sales five years earlier = (0.5 + 0.004 i) x sales now: a larger i grew more slowly
        for period_end, sales in (
            (date(2018, 12, 31), (0.5 + 0.004 * i) * SALES_NOW),
            (date(2023, 12, 31), SALES_NOW),
        ):
            fundamentals.append(
                {"company_id": cid, "period_end": period_end.isoformat(),
                 "available_date": (period_end + timedelta(days=45)).isoformat(),
                 "book_value": repr(1e8 * i), "sales": repr(sales), "eps": "1.0", "pretax_income": "1e8",
                 "total_assets": "1e10", "total_debt": "1e9", "operating_cash_flow": "1e8"}
            )  # fmt: skip
        estimates.append(
            {"company_id": cid, "as_of_date": "2024-02-15", "eps_growth_2y": repr(round(0.3 - 0.002 * i, 6)),
             "ltg": "0.1", "eps_fy1": "2.0", "analyst_count": "5"}
        )  # fmt: skip
    return Market(start, end, companies, fundamentals=fundamentals, estimates=estimates)


# The December rule (M7 §8.1.1-§8.1.2) on eight companies, one line each, 100m shares all float, with DECEMBER_VARS:
# R1000 = #1-#4, R2000 = #5-#8, December reconstitutions from 2023 (2023-12: rank day 2023-10-31, first session
# 2023-12-11). Caps in $B on the 2023-04-28 rank day: A 40, B 30, C 20, D 10 (R1000), F 5, G 4, H 3, E 2 (R2000);
# from 2023-08-01 E 25 and D 0.5, so in December E migrates up (size rank 3) and D down. Growth and sales growth
# tie everywhere (score 0), so CVS = 0.5 z(B/P). Each base universe has four names, whose B/P ranks r give
# z = Phi^-1((r - 0.5) / 4): CVS = -0.575175, -0.159320, 0.159320, 0.575175 for r = 1..4. In 2024-06 F and G
# share the R2000's B/P rank 2 (equal B/P 0.2, average rank 2.5, z = Phi^-1(0.5) = 0): a tie of two companies with
# different caps inside the universe. B/P ranks per rank day:
DECEMBER_BP_RANKS = {
    "2023-06": {"A": 1, "B": 2, "C": 3, "D": 4, "E": 1, "F": 2, "G": 3, "H": 4},
    "2023-12": {"B": 1, "E": 2, "C": 3, "A": 4, "D": 1, "F": 2, "G": 3, "H": 4},
    "2024-06": {"A": 1, "E": 2, "B": 3, "C": 4, "D": 1, "F": 2, "G": 2, "H": 4},
}
DECEMBER_CAPS = {"A": (40, 40), "B": (30, 30), "C": (20, 20), "D": (10, 0.5), "E": (2, 25), "F": (5, 5),
                 "G": (4, 4), "H": (3, 3)}  # fmt: skip
DECEMBER_VARS: dict[str, int | float] = {
    "rank_top50": 1,
    "rank_top200": 2,
    "rank_top500": 3,
    "rank_r1000": 4,
    "rank_micro_top": 8,
    "rank_r3000": 10,
    "rank_r3000e": 12,
    "first_december_recon_year": 2023,
    "max_unexplained_daily_index_move": 1e9,
}


def december_market() -> Market:
    start, end = date(2022, 12, 1), date(2024, 7, 31)
    # (period end, public on, caps index 0 = before 2023-08-01, 1 = after), one per rank day
    periods = {"2023-06": ("2022-12-31", "2023-02-14", 0), "2023-12": ("2023-06-30", "2023-08-14", 1),
               "2024-06": ("2023-12-31", "2024-02-14", 1)}  # fmt: skip
    companies, fundamentals, estimates = [], [], []
    for cid, (cap_before, cap_after) in DECEMBER_CAPS.items():
        closes = {start: 10.0 * cap_before, PRICE_CHANGE: 10.0 * cap_after}
        companies.append(
            Company(cid, [Line(f"{cid}_1", closes, [SharesRow(date(2017, 1, 3), SHARES, SHARES)])])
        )
        for recon_id, (period_end, public, after) in periods.items():
            # B/P = 0.1 x its rank: book = 0.1 r x the cap on the rank day
            cap = (cap_before, cap_after)[after] * 1e9
            fundamentals.append(
                {"company_id": cid, "period_end": period_end, "available_date": public,
                 "book_value": repr(0.1 * DECEMBER_BP_RANKS[recon_id][cid] * cap), "sales": "1e9", "eps": "1.0",
                 "pretax_income": "1e8", "total_assets": "1e10", "total_debt": "1e9", "operating_cash_flow": "1e8"}
            )  # fmt: skip
        estimates.append(
            {"company_id": cid, "as_of_date": "2023-01-02", "eps_growth_2y": "0.05", "ltg": "0.1",
             "eps_fy1": "2.0", "analyst_count": "5"}
        )  # fmt: skip
    return Market(start, end, companies, fundamentals=fundamentals, estimates=estimates)
