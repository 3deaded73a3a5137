"""A crafted market for index levels, returns and chartbook figures (tests/test_index_levels.py).

Every line has 100m shares, all of them float, so a company's float cap in $B is its close / 10. With
``SCALED_VARS`` the Top 50 is the top 2 companies, the Top 200 the top 4 and the R1000 the top 10.

2023-05-15, before any index holds it, Q pays a $1 cash dividend (close unchanged at 40): no level moves, and it
is in the trailing year of the 2024-03-28 dividend yield, across Q's 2024 split.

2023-06 (rank day 2023-04-28), caps in $B: X 50, Y 40, Z 30, A 20, T 10, C 8, D 6, P 5, Q 4, E 3 (R1000, $176B),
then R2000 R1..R5 (1.0, 0.9, 0.8, 0.7, 0.6). Events, each on its own day, everything else constant:

- 2023-09-12 stock merger: T (close 100) into A at 0.5 A share + $5 cash; A closes 200: T's synthetic price 105.
  2023-09-13: A +2% (200 -> 204); A's index shares are 150m from this session (issued to T's holders).
- 2023-10-11 cash acquisition of C (close 80) at $88.
- 2023-11-07 D falls 60 -> 48; 2023-11-08 D is delisted (no more prices).
- 2023-12-06 P (close 50) spins off S one for one: P closes 40 and S first trades at 12; 2023-12-07 S +10% (13.2).
- 2024-01-10 Q splits 2 for 1: close 40 -> 20.4 (+2% adjusted), shares 200m from the ex-date.
- 2024-02-07 E pays a $3 special dividend and its close falls 30 -> 27 (no change in value).
- 2024-03-01 Z rises 300 -> 450 ($45B): in the 2024-06 reconstitution the Top 50 becomes X and Z (Y drops out).
- 2024-05-15 X pays a $5 cash dividend (close unchanged at 500).
- 2024-06-03 Y +2.5% (400 -> 410); 2024-06-28 X +2% (510) and Y -1% (405.9), Z 459;
  2024-07-01 (first session of the 2024-06 composition) X 520, Y 404, Z 450.

X is Technology and Y Health Care (industry contribution); FY1 EPS on 2024-02-15: X 25, Y 10, Z 30, A -3
(P/E 20, 40, 15 and negative on 2024-03-28).
"""

from __future__ import annotations

from datetime import date

from recon_fixtures import Company, Line, Market, SharesRow

START, END = date(2023, 3, 1), date(2024, 7, 31)
SHARES = 100_000_000

MERGER_DAY, ACQUISITION_DAY = date(2023, 9, 12), date(2023, 10, 11)
DELIST_DAY, SPIN_DAY, SPLIT_DAY = date(2023, 11, 8), date(2023, 12, 6), date(2024, 1, 10)
DIVIDEND_DAY, SPECIAL_DAY = date(2024, 5, 15), date(2024, 2, 7)
PRE_SPLIT_DIVIDEND_DAY = date(2023, 5, 15)


def _line(cid: str, closes: dict[date, float], **kw) -> Line:
    shares = kw.pop("shares", [SharesRow(date(2023, 1, 3), SHARES, SHARES)])
    return Line(f"{cid}_1", closes, shares, **kw)


def levels_market() -> Market:
    s = START
    lines = {
        "X": _line("X", {s: 500.0, date(2024, 6, 28): 510.0, date(2024, 7, 1): 520.0}),
        "Y": _line(
            "Y", {s: 400.0, date(2024, 6, 3): 410.0, date(2024, 6, 28): 405.9, date(2024, 7, 1): 404.0}
        ),
        "Z": _line(
            "Z", {s: 300.0, date(2024, 3, 1): 450.0, date(2024, 6, 28): 459.0, date(2024, 7, 1): 450.0}
        ),
        "A": _line(
            "A",
            {s: 200.0, date(2023, 9, 13): 204.0},
            shares=[
                SharesRow(date(2023, 1, 3), SHARES, SHARES),
                SharesRow(MERGER_DAY, 1.5 * SHARES, 1.5 * SHARES),
            ],
        ),
        "T": _line("T", {s: 100.0}, last_day=date(2023, 9, 11)),
        "C": _line("C", {s: 80.0}, last_day=date(2023, 10, 10)),
        "D": _line("D", {s: 60.0, date(2023, 11, 7): 48.0}, last_day=date(2023, 11, 7)),
        "P": _line("P", {s: 50.0, SPIN_DAY: 40.0}),
        "S": _line(
            "S",
            {SPIN_DAY: 12.0, date(2023, 12, 7): 13.2},
            listing_date=SPIN_DAY,
            shares=[SharesRow(SPIN_DAY, SHARES, SHARES)],
        ),
        "Q": _line(
            "Q",
            {s: 40.0, SPLIT_DAY: 20.4},
            shares=[
                SharesRow(date(2023, 1, 3), SHARES, SHARES),
                SharesRow(SPLIT_DAY, 2 * SHARES, 2 * SHARES),
            ],
        ),
        "E": _line("E", {s: 30.0, SPECIAL_DAY: 27.0}),
    }
    for n, close in enumerate((10.0, 9.0, 8.0, 7.0, 6.0), start=1):
        lines[f"R{n}"] = _line(f"R{n}", {s: close})
    companies = [Company(cid, [line]) for cid, line in lines.items()]

    def action(
        action_id: str, security: str, ex_date: date, kind: str, cash="", ratio="", related=""
    ) -> dict:
        return {"action_id": action_id, "security_id": security, "ex_date": ex_date.isoformat(),
                "action_type": kind, "cash_amount": cash, "ratio": ratio, "related_security_id": related}  # fmt: skip

    estimates = [
        {"company_id": cid, "as_of_date": "2024-02-15", "eps_growth_2y": "0.08", "ltg": "0.1",
         "eps_fy1": eps, "analyst_count": "4"}
        for cid, eps in (("X", "25"), ("Y", "10"), ("Z", "30"), ("A", "-3"))
    ]  # fmt: skip
    return Market(
        START,
        END,
        companies,
        spin_offs=[("P_1", "S_1", SPIN_DAY)],
        splits=[("Q_1", SPLIT_DAY, 2.0)],
        industries=[("X", date(2020, 1, 2), "Technology"), ("Y", date(2020, 1, 2), "Health Care")],
        estimates=estimates,
        harmless_dividend=False,
        extra_actions=[
            action("M1", "T_1", MERGER_DAY, "stock_merger", cash="5", ratio="0.5", related="A_1"),
            action("CA1", "C_1", ACQUISITION_DAY, "cash_acquisition", cash="88"),
            action("DL1", "D_1", DELIST_DAY, "delisting"),
            action("DV1", "X_1", DIVIDEND_DAY, "cash_dividend", cash="5"),
            action("DV2", "Q_1", PRE_SPLIT_DIVIDEND_DAY, "cash_dividend", cash="1"),
            action("SD1", "E_1", SPECIAL_DAY, "special_dividend", cash="3"),
        ],
    )
