"""Crafted markets for the M7 rules of tests/test_recon_m7_rules.py and the ties of tests/test_determinism.py.

``rules_market``: two June reconstitutions (2023-06, rank day 2023-04-28, first session 2023-06-26; 2024-06, rank
day 2024-04-30, lock-down from 2024-06-10, implemented 2024-06-28, first session 2024-07-01) and the quarterly
reviews between them (rank days 2023-07-31, 2023-10-31, 2024-01-31). Every line has 10m shares and an 80% float
unless said otherwise, so a close of $X is a total cap of $X x 10m.

2023-04-28 universe, total caps ($B), 14 eligible companies that sum to exactly $100B (the R3000E):

    K01 40.1  K02 20  K03 12  K04 8  K05 6  K06 4  K07 3  K08 2                       = 95.1
    PV99 1.2  PV100 1.2 (class A only: 60m x $20)  LOWP 1 (500m x $2)  TRK 1 (TRK_C 10m x $100)
    TRK:TRK_T 0.3 (the tracking stock TRK_T, 10m x $30)  SMALL 0.2 (10m x $20, the smallest)  = 4.9

NPV (60m x $0.90) is ineligible in 2023 (price) and so never a member before 2024.

- Market move: K01 rises from $4,010 to $5,010 on 2023-07-03 (+$10B on $100B): the R3000E return to every later
  review rank day is +10.00%, so the market-adjusted smallest R3000E company is $200M x 1.10 = $220M.
- Spin-offs of K03 (an R1000 member) on their ex-dates (new line first trades that day, 10m shares): SPEARLY
  2023-07-12 at $21 (before the 2023-07-31 review: no adjustment yet), SPOK 2023-09-05 at $23, SPSMALL 2023-09-12
  at $21, SPOTC 2023-09-19 (OTC, $100), SPGB 2023-09-26 (home country GB, $100), SPPREF 2023-10-03 (preferred, $100).
- $1 rescue: LOWP closes $2.00 until 2024-02-29, $1.00 from 2024-03-01 and $0.50 on the 2024-04-30 rank day.
- Pricing vehicle: PV99, PV100 and NPV each get a class B (40m shares, 32m available, $25, 10,000,000 a day against
  A's 100,000): PV100_B from 2023-12-06 (100 sessions to 2024-04-30), PV99_B from 2023-12-07 (99), NPV_B from
  2024-02-01.
- Tracking stock: TRK_T is a ``tracking_stock`` line with TRK's company_id and ten times TRK_C's volume.
- Fast entry and the lock-down: PRELOCK first trades 2024-06-03 and LOCK 2024-06-04, each 125m shares with 100m
  offered at $400 ($40B float cap, far above the Top 500 breakpoint).

``tie_market``: one reconstitution (2024-06) with ties everywhere the rules order things: equal total caps around
the #6 and #10 breakpoints, a company whose two lines have equal volume and available shares, a thousand companies
whose two lines first trade on the same day as fast entries with equal first-day figures (and one whose line B
trades more that day), identical fundamentals for every company (equal CVS), a line delisted and bankrupt on the
same day, and two splits of one line on one day.
"""

from __future__ import annotations

from datetime import date

from recon_fixtures import Company, Line, Market, SharesRow, single_line

RULES_START, RULES_END = date(2023, 3, 1), date(2024, 7, 10)
MARKET_MOVE = date(2023, 7, 3)
LOWP_DROP = date(2024, 3, 1)
RANK_DAY_2024 = date(2024, 4, 30)
NPV_RISE = date(2024, 1, 2)

# company -> close ($, 10m shares): the eight plain companies of the 2023 universe
K_CLOSES = {"K01": 4010.0, "K02": 2000.0, "K03": 1200.0, "K04": 800.0, "K05": 600.0, "K06": 400.0,
            "K07": 300.0, "K08": 200.0}  # fmt: skip

# spin-offs of K03: new line -> (ex-date, close, exchange, security type, home country)
SPIN_OFFS = {
    "SPEARLY": (date(2023, 7, 12), 21.0, "NYSE", "common", "US"),
    "SPOK": (date(2023, 9, 5), 23.0, "NYSE", "common", "US"),
    "SPSMALL": (date(2023, 9, 12), 21.0, "NYSE", "common", "US"),
    "SPOTC": (date(2023, 9, 19), 100.0, "OTC", "common", "US"),
    "SPGB": (date(2023, 9, 26), 100.0, "NYSE", "common", "GB"),
    "SPPREF": (date(2023, 10, 3), 100.0, "NYSE", "preferred", "US"),
}

# second classes: company -> listing date of its class B
CLASS_B_LISTINGS = {"PV100": date(2023, 12, 6), "PV99": date(2023, 12, 7), "NPV": date(2024, 2, 1)}

PRELOCK_LISTING, LOCK_LISTING = date(2024, 6, 3), date(2024, 6, 4)


def _two_class(cid: str, a_closes: dict[date, float], b_listing: date) -> Company:
    """A: 60m out, 48m available, 100,000 a day; B: 40m out, 32m available, $25, 10,000,000 a day from b_listing."""
    return Company(
        cid,
        [
            Line(f"{cid}_A", a_closes, [SharesRow(RULES_START, 60_000_000, 48_000_000)], volume=100_000),
            Line(
                f"{cid}_B",
                {b_listing: 25.0},
                [SharesRow(b_listing, 40_000_000, 32_000_000)],
                volume=10_000_000,
                listing_date=b_listing,
            ),
        ],
    )


def rules_market() -> Market:
    s0 = RULES_START
    companies = [
        single_line(
            cid,
            10_000_000,
            {s0: close, MARKET_MOVE: 5010.0} if cid == "K01" else {s0: close},
            shares_from=s0,
        )
        for cid, close in K_CLOSES.items()
    ]
    companies.append(single_line("SMALL", 10_000_000, {s0: 20.0}, shares_from=s0))
    lowp = single_line("LOWP", 500_000_000, {s0: 2.0, LOWP_DROP: 1.0}, shares_from=s0)
    lowp.lines[0].close_overrides[RANK_DAY_2024] = 0.50
    companies.append(lowp)
    companies += [
        _two_class("PV99", {s0: 20.0}, CLASS_B_LISTINGS["PV99"]),
        _two_class("PV100", {s0: 20.0}, CLASS_B_LISTINGS["PV100"]),
        _two_class("NPV", {s0: 0.90, NPV_RISE: 20.0}, CLASS_B_LISTINGS["NPV"]),
    ]
    companies.append(
        Company(
            "TRK",
            [
                Line("TRK_C", {s0: 100.0}, [SharesRow(s0, 10_000_000, 8_000_000)], volume=100_000),
                Line(
                    "TRK_T",
                    {s0: 30.0},
                    [SharesRow(s0, 10_000_000, 8_000_000)],
                    security_type="tracking_stock",
                    volume=1_000_000,
                ),
            ],
        )
    )
    spin_offs = []
    for cid, (ex_date, close, exchange, security_type, country) in SPIN_OFFS.items():
        company = single_line(
            cid,
            10_000_000,
            {ex_date: close},
            exchange=exchange,
            security_type=security_type,
            listing_date=ex_date,
            shares_from=ex_date,
            incorporation=country,
            headquarters=country,
            most_liquid=country,
        )
        companies.append(company)
        spin_offs.append(("K03_1", f"{cid}_1", ex_date))
    for cid, listed in (("PRELOCK", PRELOCK_LISTING), ("LOCK", LOCK_LISTING)):
        companies.append(
            single_line(
                cid,
                125_000_000,
                {listed: 400.0},
                available=100_000_000,
                listing_date=listed,
                shares_from=listed,
            )
        )
    return Market(RULES_START, RULES_END, companies, spin_offs=spin_offs)


# ----------------------------------------------------------------------------------------------------
# ties

TIE_START, TIE_END = date(2024, 3, 1), date(2024, 7, 10)
DUO_LISTING = date(2024, 5, 15)
DUO_COUNT = 1000  # with a thousand such ties an ordering without a tie-breaker shows across builds
# both after the 2024-07-01 first session, when the lines are index members
TIE_EXIT_DAY = date(2024, 7, 8)
TIE_SPLIT_DAY = date(2024, 7, 3)

# 10m shares each, close in $: equal caps at #5/#6 (the Top 500 breakpoint at #6) and #10/#11 (the R1000 one)
TIE_CLOSES = {"T01": 3000.0, "T02": 2000.0, "T03": 1200.0, "T04": 800.0, "T05": 600.0, "T06": 600.0,
              "T07": 300.0, "T08": 250.0, "T09": 200.0, "T10": 150.0, "T11": 150.0, "T12": 100.0,
              "T13": 80.0, "T14": 80.0, "T15": 60.0}  # fmt: skip


def tie_market(duo_count: int = DUO_COUNT) -> Market:
    s0 = TIE_START
    companies = [
        single_line(cid, 10_000_000, {s0: close}, shares_from=s0) for cid, close in TIE_CLOSES.items()
    ]
    # two listed classes with equal volume, available shares and close: the pricing vehicle by security id
    companies.append(
        Company(
            "VT",
            [
                Line(f"VT_{c}", {s0: 50.0}, [SharesRow(s0, 10_000_000, 8_000_000)], volume=500_000)
                for c in ("B", "A")
            ],
        )
    )
    # companies whose two lines first trade on the same day, each a fast entry with the same first-day figures
    # (DUO, and DUO0001.. in bulk so that the engine's threads see many such ties), and one, DUOV, whose line B
    # trades more on its first day
    for cid in ("DUO", *(f"DUO{n:04d}" for n in range(1, duo_count + 1))):
        companies.append(
            Company(
                cid,
                [
                    Line(
                        f"{cid}_{c}",
                        {DUO_LISTING: 400.0},
                        [SharesRow(DUO_LISTING, 60_000_000, 50_000_000)],
                        listing_date=DUO_LISTING,
                    )
                    for c in ("B", "A")
                ],
            )
        )
    companies.append(
        Company(
            "DUOV",
            [
                Line(
                    f"DUOV_{c}",
                    {DUO_LISTING: 400.0},
                    [SharesRow(DUO_LISTING, 60_000_000, 50_000_000)],
                    listing_date=DUO_LISTING,
                    volume=volume,
                )
                for c, volume in (("A", 100_000), ("B", 200_000))
            ],
        )
    )
    # a line delisted and bankrupt on the same ex-date (no price after the day before)
    exit_line = single_line("EXITS", 10_000_000, {s0: 90.0}, shares_from=s0)
    exit_line.lines[0].last_day = date(2024, 7, 5)
    companies.append(exit_line)
    # two splits of one line on one day: 1.2 and 1.1 new shares per old, 10m -> 13.2m shares (each ratio within the
    # validator's factor 1.25 of the day's move, x1.32)
    splitter = Company(
        "SPL",
        [
            Line(
                "SPL_1",
                {s0: 70.0, TIE_SPLIT_DAY: 70.0 / 1.32},
                [SharesRow(s0, 10_000_000, 8_000_000), SharesRow(TIE_SPLIT_DAY, 13_200_000, 10_560_000)],
            )
        ],
    )
    companies.append(splitter)

    def action(action_id: str, security: str, ex_date: date, kind: str) -> dict[str, str]:
        return {"action_id": action_id, "security_id": security, "ex_date": ex_date.isoformat(),
                "action_type": kind, "cash_amount": "", "ratio": "", "related_security_id": ""}  # fmt: skip

    # identical fundamentals and estimates for T13 and T14 (equal caps too): equal CVS and stability inputs
    return Market(
        TIE_START,
        TIE_END,
        companies,
        splits=[("SPL_1", TIE_SPLIT_DAY, 1.2), ("SPL_1", TIE_SPLIT_DAY, 1.1)],
        extra_actions=[
            action("X2", "EXITS_1", TIE_EXIT_DAY, "delisting"),
            action("X1", "EXITS_1", TIE_EXIT_DAY, "bankruptcy"),
        ],
    )
