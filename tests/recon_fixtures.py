"""Small crafted input directories (contract format, CSV) for the reconstitution rule tests.

A market is a list of ``Company`` objects, each with one or more share ``Line``s. A line's close is a step
function (``closes``: the close from that date on), written for every XNYS session between the market's
first and last day (unlisted lines get no prices); its shares are a list of ``SharesRow``. Everything else
the contract requires (fundamentals, estimates, classifications, one corporate action) is filled with
harmless constant rows, so every file has data.

Four markets are defined here; their numbers are chosen so the rules can be checked by hand:

- ``banding_market``: two June reconstitutions (2023-06 creates the members, 2024-06 applies the bands),
  with the docs/methodology.md §2 banding example at scaled ranks and the $1 rule for existing members.
- ``eligibility_market``: one reconstitution (2024-06) with every eligibility screen at its edge, the home-country
  waterfall, excluded security types and companies with several share classes.
- ``ipo_market``: one reconstitution (2024-06) and one quarterly IPO review (2024-Q3) with a market move of
  +2.05% between the two rank days, quarterly IPOs around the adjusted breakpoints and fast-entry IPOs.
- ``recon_gap_market``: a fast-entry IPO and a spin-off between the 2024-04-30 rank day and the 2024-07-01 first
  session of the 2024-06 reconstitution, while the 2023-06 composition is still in force.

All of them run with ``SCALED_VARS``: breakpoints #2/#4/#6/#10/#20/#25/#30 instead of #50/#200/#500/#1000/#2000/
#3000/#4000 (bands as in the methodology: 2.5% at #4, #6, #10; 0.5% at #20; none at #2, #25, #30).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from indexpipe.build import build
from indexpipe.calendars import trading_days
from indexpipe.contract import TABLES_BY_NAME
from indexpipe.settings import Settings

SCALED_VARS: dict[str, int | float] = {
    "rank_top50": 2,
    "rank_top200": 4,
    "rank_top500": 6,
    "rank_r1000": 10,
    "rank_micro_top": 20,
    "rank_r3000": 25,
    "rank_r3000e": 30,
    # crafted markets move closes in steps with no event behind them (one company 87-fold in recon_gap_market):
    # the level check's move bound is off for them; tests/test_quality_checks.py tests it with its own bound
    "max_unexplained_daily_index_move": 1e9,
}

# the shared banding build's vars (conftest.py's banding_warehouse, read by several files): the scaled breakpoints, the
# level check's daily-move bound at 100% (the market's largest unexplained move is R2000G's +87% on 2023-08-01;
# tests/test_quality_checks.py tampers jumps beyond the bound) and a preview on the 2024 rank day
# (tests/test_reconstitution_preview.py compares it with the reconstitution)
BANDING_VARS: dict[str, object] = {
    **SCALED_VARS,
    "max_unexplained_daily_index_move": 1.0,
    "preview_dates": ["2024-04-30"],
}

# the marts the reconstitution rule tests read: a build of these (build_market's ``models``) runs the universe, the
# chain, the memberships and changes with every check on them, not the levels, holdings, preview or publication
RECON_MARTS = ("fct_rank_day_universe", "fct_index_membership", "fct_reconstitution_changes", "dim_index")

EXCLUDED_TYPES = (
    "adr", "etf", "mutual_fund", "closed_end_fund", "bdc", "royalty_trust", "limited_partnership", "llc",
    "spac", "preferred", "convertible_preferred", "warrant", "right", "unit", "trust_receipt",
)  # fmt: skip


@dataclass(frozen=True)
class SharesRow:
    effective_date: date
    outstanding: float
    available: float
    votes: float = 1.0


@dataclass
class Line:
    security_id: str
    closes: dict[date, float]  # step function: the close from each date on; empty for an unlisted line
    shares: list[SharesRow]
    security_type: str = "common"
    exchange: str = "NYSE"
    volume: int = 100_000  # every session
    conversion_ratio: float = 1.0
    listing_date: date | None = None  # default: the market's first day
    close_overrides: dict[date, float] = field(default_factory=dict)  # single-day closes
    volume_overrides: dict[date, int] = field(default_factory=dict)  # single-day volumes
    missing_days: set[date] = field(default_factory=set)  # sessions without a price row (no trade)
    last_day: date | None = None  # no prices after this session (a target, a delisted line)

    def close_on(self, day: date) -> float:
        if day in self.close_overrides:
            return self.close_overrides[day]
        return self.closes[max(d for d in self.closes if d <= day)]


@dataclass
class Company:
    company_id: str
    lines: list[Line]
    incorporation: str = "US"
    headquarters: str = "US"
    most_liquid: str = "US"
    assets: str | None = None
    revenue: str | None = None


@dataclass
class Market:
    start: date
    end: date
    companies: list[Company]
    spin_offs: list[tuple[str, str, date]] = field(default_factory=list)  # (parent line, new line, ex-date)
    splits: list[tuple[str, date, float]] = field(default_factory=list)  # (line, ex-date, new shares per old)
    # (company, effective date, ICB industry); companies not listed are Technology from 2020-01-02
    industries: list[tuple[str, date, str]] = field(default_factory=list)
    # full contract rows that replace the harmless defaults (style and stability tests craft these)
    fundamentals: list[dict[str, str]] | None = None
    estimates: list[dict[str, str]] | None = None
    extra_classifications: list[dict[str, str]] = field(default_factory=list)
    # more corporate actions, as contract rows (dividends, mergers, acquisitions, delistings ...)
    extra_actions: list[dict[str, str]] = field(default_factory=list)
    harmless_dividend: bool = True  # the one-cent dividend on the first line's last session
    # the composition in force before the data starts: (index code, as-of date, company id)
    initial_membership: list[tuple[str, date, str]] = field(default_factory=list)
    # optional tables written with a header only, or not at all (their rows are dropped)
    header_only: set[str] = field(default_factory=set)
    absent: set[str] = field(default_factory=set)

    def company(self, company_id: str) -> Company:
        return next(c for c in self.companies if c.company_id == company_id)

    def line(self, security_id: str) -> Line:
        return next(line for c in self.companies for line in c.lines if line.security_id == security_id)

    def tables(self) -> dict[str, list[dict[str, str]]]:
        sessions = [day.item() for day in trading_days(self.start, self.end)]
        securities, prices, shares = [], [], []
        for company in self.companies:
            for line in company.lines:
                listed = line.listing_date or self.start
                securities.append(
                    {
                        "security_id": line.security_id,
                        "company_id": company.company_id,
                        "ticker": line.security_id.replace("_", ""),
                        "name": f"{company.company_id} {line.security_type} {line.security_id}",
                        "security_type": line.security_type,
                        "exchange": line.exchange,
                        "country_incorporation": company.incorporation,
                        "country_headquarters": company.headquarters,
                        "country_most_liquid": company.most_liquid,
                        "listing_date": listed.isoformat(),
                        "delisting_date": "",
                        "conversion_ratio": _num(line.conversion_ratio),
                        "country_assets": company.assets or "",
                        "country_revenue": company.revenue or "",
                    }
                )
                if line.closes:
                    prices.extend(
                        {
                            "date": day.isoformat(),
                            "security_id": line.security_id,
                            "close": _num(line.close_on(day)),
                            "volume": str(line.volume_overrides.get(day, line.volume)),
                        }
                        for day in sessions
                        if day >= listed
                        and day not in line.missing_days
                        and (line.last_day is None or day <= line.last_day)
                    )
                shares.extend(
                    {
                        "security_id": line.security_id,
                        "effective_date": row.effective_date.isoformat(),
                        "shares_outstanding": _num(row.outstanding),
                        "available_shares": _num(row.available),
                        "votes_per_share": _num(row.votes),
                    }
                    for row in line.shares
                )
        company_ids = [c.company_id for c in self.companies]
        first_line = self.companies[0].lines[0].security_id
        return {
            "securities": securities,
            "prices": prices,
            "shares": shares,
            # one harmless action so the file has a row: a one-cent dividend after every rank day used here
            "corporate_actions": [
                *([{"action_id": "D1", "security_id": first_line, "ex_date": sessions[-1].isoformat(),
                    "action_type": "cash_dividend", "cash_amount": "0.01", "ratio": "", "related_security_id": ""}]
                  if self.harmless_dividend else []),
                *({"action_id": f"SO{n}", "security_id": parent, "ex_date": ex_date.isoformat(),
                   "action_type": "spin_off", "cash_amount": "", "ratio": "1", "related_security_id": child}
                  for n, (parent, child, ex_date) in enumerate(self.spin_offs, start=1)),
                *({"action_id": f"SP{n}", "security_id": line, "ex_date": ex_date.isoformat(),
                   "action_type": "split", "cash_amount": "", "ratio": _num(ratio), "related_security_id": ""}
                  for n, (line, ex_date, ratio) in enumerate(self.splits, start=1)),
                *self.extra_actions,
            ],
            "fundamentals": self.fundamentals if self.fundamentals is not None else [
                {"company_id": c, "period_end": "2022-12-31", "available_date": "2023-02-15",
                 "book_value": "500", "sales": "1000", "eps": "1.5", "pretax_income": "120",
                 "total_assets": "2000", "total_debt": "400", "operating_cash_flow": "150"}
                for c in company_ids
            ],
            "estimates": self.estimates if self.estimates is not None else [
                {"company_id": c, "as_of_date": "2023-02-15", "eps_growth_2y": "0.08", "ltg": "0.1",
                 "eps_fy1": "1.6", "analyst_count": "4"}
                for c in company_ids
            ],
            "classifications": [
                {"company_id": c, "effective_date": "2020-01-02", "icb_industry": "Technology",
                 "icb_supersector": "Technology", "icb_sector": "Software and Computer Services",
                 "icb_subsector": "Software"}
                for c in company_ids
                if c not in {company for company, _, _ in self.industries}
            ] + [
                {"company_id": c, "effective_date": d.isoformat(), "icb_industry": industry,
                 "icb_supersector": industry, "icb_sector": industry, "icb_subsector": industry}
                for c, d, industry in self.industries
            ] + self.extra_classifications,
            "initial_membership": [
                {"index_code": code, "as_of_date": on.isoformat(), "company_id": company, "security_id": ""}
                for code, on, company in self.initial_membership
            ],
        }  # fmt: skip

    def write(self, directory: Path) -> Path:
        """One CSV per table; an optional table without rows is left out unless it is to be header-only."""
        directory.mkdir(parents=True, exist_ok=True)
        for name, rows in self.tables().items():
            if name in self.header_only:
                rows = []
            elif not rows or name in self.absent:
                continue
            with (directory / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, fieldnames=TABLES_BY_NAME[name].column_names, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
        return directory


def build_market(
    market: Market, root: Path, dbt_vars: dict | None = None, models: tuple[str, ...] = ()
) -> Path:
    """Write ``market`` under ``root`` and run the pipeline on it (``SCALED_VARS`` unless told otherwise): every
    asset, or only ``models`` with what they are built from and their checks (a build of the few tables a test
    reads runs a fraction of dbt's nodes)."""
    db = root / "w.duckdb"
    build(
        Settings(input_dir=market.write(root / "input"), duckdb_path=db),
        dbt_vars=dict(dbt_vars or SCALED_VARS),
        models=models,
    )
    return db


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def single_line(
    company_id: str,
    shares: float,
    closes: dict[date, float],
    *,
    available: float | None = None,
    security_type: str = "common",
    exchange: str = "NYSE",
    listing_date: date | None = None,
    shares_from: date,
    **countries: str | None,
) -> Company:
    """A company with one line ``<company_id>_1``; float 80% unless ``available`` is given."""
    line = Line(
        f"{company_id}_1",
        closes,
        [SharesRow(shares_from, shares, 0.8 * shares if available is None else available)],
        security_type=security_type,
        exchange=exchange,
        listing_date=listing_date,
    )
    return Company(company_id, [line], **countries)


# ----------------------------------------------------------------------------------------------------
# Market A: banding (2023-06 first reconstitution, 2024-06 second)

BANDING_START, BANDING_END = date(2023, 3, 1), date(2024, 7, 10)
BANDING_PRICE_CHANGE = date(2023, 8, 1)  # closes move from their 2023 to their 2024 level on this day

# Total market cap on the 2023-04-28 and 2024-04-30 rank days in units of $10M. Every company has 10m shares,
# so the close in $ equals this number (3055 -> $3,055 close, $30.55B cap). Each year's top 30 sums to 10,000
# ($100B), so a cumulative percentage is the running sum / 100.
BANDING_CAPS: dict[str, tuple[int, int]] = {
    "A01": (3055, 3000),
    "A02": (2000, 2000),
    "A03": (1200, 1200),
    "A04": (800, 800),
    "A05": (600, 600),
    "A06": (400, 400),
    "A07": (300, 300),
    "A08": (120, 254),  # R2000 in 2023 (#11) -> #8 at 85.54%: below 89.99 - 2.5 = 87.49, moves up
    "A09": (100, 225),  # R2000 (#12) -> #9 at 87.79%: inside the band, stays in R2000
    "A10": (90, 220),  # R2000 (#13) -> #10, the breakpoint, 89.99%: stays in R2000
    "A11": (260, 109),  # R1000 (#8) -> #11 at 91.08%: inside the band, stays in R1000
    "A12": (240, 80),  # R1000 (#9) -> #12 at 91.88%: stays in R1000
    "A13": (200, 75),  # R1000 (#10) -> #13 at 92.63% > 92.49%: moves down to R2000
    "A14": (80, 74),
    "A15": (70, 72),
    "A16": (60, 70),
    "M3": (33, 68),  # R2000+Microcap (#21) -> #17 at 95.47% < 96.92 - 0.5: leaves the Microcap
    "A18": (50, 60),
    "M4": (24, 45),  # Microcap only (#26) -> #19 at 96.52%: no band for it, by rank out of the Microcap
    "M1": (31, 40),  # R2000+Microcap (#22) -> #20 (96.92%, the #20 breakpoint): stays in the Microcap
    "M2": (45, 38),  # R2000 (#18) -> #21 at 97.30% <= 97.42%: stays out of the Microcap
    "M5": (40, 36),  # R2000 (#19) -> #22 at 97.66% > 97.42%: joins the Microcap
    "A23": (29, 34),
    "A24": (27, 32),
    "A25": (25, 31),
    "L1": (35, 30),  # R2000 (#20) -> #26 at 98.93%, #25 at 98.63% (no band): leaves R3000 for the Microcap
    "A27": (23, 29),
    "G1": (2, 27),  # $20M in 2023 (too small) -> #28, an addition
    "A29": (22, 26),
    "A30": (15, 25),  # #31 in 2023 -> #30, an addition
}

# The two sub-$1 existing members: 200m shares each, outside the table above.
#   R1: $1.05 on 2023-04-28 ($210M, #29); $1.20 from 2023-08-01, $0.95 from the 2024 rank day on ($190M, #31).
#   R2: $1.00 on 2023-04-28 ($200M, #30); $1.10 from 2023-08-01, $0.97 from 2024-03-01 on.


def banding_market() -> Market:
    companies = [
        single_line(
            cid,
            10_000_000,
            {BANDING_START: float(c23), BANDING_PRICE_CHANGE: float(c24)},
            shares_from=date(2023, 1, 3),
        )
        for cid, (c23, c24) in BANDING_CAPS.items()
    ]
    companies.append(
        single_line(
            "R1",
            200_000_000,
            {BANDING_START: 1.05, BANDING_PRICE_CHANGE: 1.20, date(2024, 4, 30): 0.95},
            shares_from=date(2023, 1, 3),
        )
    )
    companies.append(
        single_line(
            "R2",
            200_000_000,
            {BANDING_START: 1.00, BANDING_PRICE_CHANGE: 1.10, date(2024, 3, 1): 0.97},
            shares_from=date(2023, 1, 3),
        )
    )
    return Market(BANDING_START, BANDING_END, companies)


# ----------------------------------------------------------------------------------------------------
# Market B: eligibility, home country, share classes (one reconstitution, 2024-06, rank day 2024-04-30)

ELIG_START, ELIG_END = date(2024, 3, 1), date(2024, 7, 10)
RANK_DAY_2024 = date(2024, 4, 30)
DAY_AFTER_RANK_2024 = date(2024, 5, 1)


def eligibility_market(late_rows: bool = False) -> Market:
    """``late_rows`` adds figures dated 2024-05-01 (the day after the rank day) that would flip results."""
    s0 = ELIG_START

    def one(cid: str, shares: float, close: float, **kw) -> Company:
        return single_line(cid, shares, {s0: close}, shares_from=s0, **kw)

    companies = [
        one("B01", 100_000_000, 50.0),  # $5B, an ordinary eligible company
        # minimum price: $1.00 passes, $0.99 fails; a new company is not rescued by its 30-day average
        one("P100", 100_000_000, 1.00),
        one("P099", 100_000_000, 0.99),
        single_line("N95", 100_000_000, {s0: 1.20, RANK_DAY_2024: 0.95}, shares_from=s0),
        # minimum total cap: 14,999,999.5 x $2 = $29,999,999 fails; 3,000,000 x $10 = $30,000,000 passes
        one("CAPLO", 14_999_999.5, 2.0, available=12_000_000),
        # CAPEQ's shares rise from 2m to 3m on the rank day itself: that row counts (effective_date <= rank_date)
        Company(
            "CAPEQ",
            [
                Line(
                    "CAPEQ_1",
                    {s0: 10.0},
                    [SharesRow(s0, 2_000_000, 1_600_000), SharesRow(RANK_DAY_2024, 3_000_000, 2_400_000)],
                )
            ],
        ),
        # minimum float: 4,999,900 / 100,000,000 = 4.9999% fails, 5,000,000 / 100,000,000 = 5.000% passes
        one("FLO", 100_000_000, 10.0, available=4_999_900),
        one("FEQ", 100_000_000, 10.0, available=5_000_000),
        # voting rights: listed 100m (1 vote, 65m available) + unlisted 300m (10 votes)
        _two_vote_classes("VLO", unlisted=300_000_000),
        _two_vote_classes("VOK", unlisted=100_000_000),
        # exchanges and types
        one("OTC", 10_000_000, 20.0, exchange="OTC"),
        one("REIT", 10_000_000, 20.0, security_type="reit"),
        *(one(f"X_{t}", 10_000_000, 20.0, security_type=t) for t in EXCLUDED_TYPES),
        # home country (HCI waterfall); all listed on NYSE, $200M
        one("H_KYUS", 10_000_000, 20.0, incorporation="KY", headquarters="US", most_liquid="US"),
        one("H_KYHK", 10_000_000, 20.0, incorporation="KY", headquarters="KY", most_liquid="HK"),
        one("H_BMUS", 10_000_000, 20.0, incorporation="BM", headquarters="BM", most_liquid="US"),
        one("H_GB", 10_000_000, 20.0, incorporation="GB", headquarters="GB", most_liquid="GB"),
        one("H_PR", 10_000_000, 20.0, incorporation="PR", headquarters="PR", most_liquid="US"),
        one(
            "H_ASSETGB", 10_000_000, 20.0, incorporation="GB", headquarters="US", most_liquid="US",
            assets="GB", revenue="US",
        ),
        one(
            "H_REVGB", 10_000_000, 20.0, incorporation="GB", headquarters="US", most_liquid="US",
            assets="DE", revenue="GB",
        ),
        one(
            "H_REVUS", 10_000_000, 20.0, incorporation="GB", headquarters="GB", most_liquid="US",
            assets="DE", revenue="US",
        ),
        # share classes and the pricing vehicle
        _classes_v1(),
        _two_listed("V2", volume_a=1_000_000, volume_b=900_000),
        _two_listed("V3", volume_a=1_000_000, volume_b=790_000),
        _no_close_on_rank_day_leader(),
        _extra_classes_that_fail(),
        _converted_vehicle(),
        # no trade on the rank day (prices before and after)
        Company("NP", [Line("NP_1", {s0: 20.0}, [SharesRow(s0, 10_000_000, 8_000_000)],
                            missing_days={RANK_DAY_2024})]),
        # lists after the rank day: not in the 2024-06 universe
        single_line("Z", 10_000_000, {date(2024, 5, 2): 20.0}, listing_date=date(2024, 5, 2),
                    shares_from=date(2024, 5, 2)),
    ]  # fmt: skip
    market = Market(ELIG_START, ELIG_END, companies)
    if late_rows:
        after = DAY_AFTER_RANK_2024
        market.line("CAPLO_1").shares.append(SharesRow(after, 100_000_000, 80_000_000))
        market.line("FLO_1").shares.append(SharesRow(after, 100_000_000, 50_000_000))
        market.line("VLO_A").shares.append(SharesRow(after, 100_000_000, 100_000_000, votes=1000))
        market.line("V1_A").shares.append(SharesRow(after, 80_000_000, 70_000_000))
        market.line("V2_A").shares.append(SharesRow(after, 30_000_000, 30_000_000))
        market.line("P099_1").close_overrides[after] = 5.0
        market.line("V3_B").volume_overrides[after] = 100_000_000  # would make B the pricing vehicle
    return market


def _two_vote_classes(cid: str, unlisted: float) -> Company:
    """Listed class A: 100m shares, 65m available, 1 vote, $10; unlisted class B with 10 votes a share."""
    s0 = ELIG_START
    return Company(
        cid,
        [
            Line(f"{cid}_A", {s0: 10.0}, [SharesRow(s0, 100_000_000, 65_000_000, 1.0)]),
            Line(f"{cid}_B", {}, [SharesRow(s0, unlisted, 0, 10.0)], exchange="UNLISTED"),
        ],
    )


def _classes_v1() -> Company:
    """Two listed classes with a clear volume winner, an illiquid listed class and an unlisted class.

    A (NYSE):     40m out, 30m available, $50, 1,000,000 a day  -> pricing vehicle (twice B's volume)
    B (NASDAQ):   20m out, 18m available, $48,   500,000 a day  -> own line: $960M, $24M a day, 90% float
    D (NASDAQ):    5m out,  4m available, $10,     1,000 a day  -> $10,000 a day < $175,000: no own line
    C (UNLISTED): 10m out, conversion ratio 2, 10 votes a share
    """
    s0 = ELIG_START
    return Company(
        "V1",
        [
            Line("V1_A", {s0: 50.0}, [SharesRow(s0, 40_000_000, 30_000_000)], volume=1_000_000),
            Line(
                "V1_B", {s0: 48.0}, [SharesRow(s0, 20_000_000, 18_000_000)], exchange="NASDAQ", volume=500_000
            ),
            Line("V1_D", {s0: 10.0}, [SharesRow(s0, 5_000_000, 4_000_000)], exchange="NASDAQ", volume=1_000),
            Line(
                "V1_C",
                {},
                [SharesRow(s0, 10_000_000, 0, 10.0)],
                exchange="UNLISTED",
                conversion_ratio=2.0,
            ),
        ],
    )


def _two_listed(cid: str, volume_a: int, volume_b: int) -> Company:
    """A: 30m out, 20m available, $30; B: 30m out, 25m available, $31 (B has more available shares)."""
    s0 = ELIG_START
    return Company(
        cid,
        [
            Line(f"{cid}_A", {s0: 30.0}, [SharesRow(s0, 30_000_000, 20_000_000)], volume=volume_a),
            Line(
                f"{cid}_B",
                {s0: 31.0},
                [SharesRow(s0, 30_000_000, 25_000_000)],
                exchange="NASDAQ",
                volume=volume_b,
            ),
        ],
    )


def _no_close_on_rank_day_leader() -> Company:
    """A: 2,000,000 a day but no trade on the rank day; B: 500,000 a day. Both 10m out, 8m available, $40."""
    s0 = ELIG_START
    return Company(
        "V4",
        [
            Line(
                "V4_A",
                {s0: 40.0},
                [SharesRow(s0, 10_000_000, 8_000_000)],
                volume=2_000_000,
                missing_days={RANK_DAY_2024},
            ),
            Line(
                "V4_B", {s0: 40.0}, [SharesRow(s0, 10_000_000, 8_000_000)], exchange="NASDAQ", volume=500_000
            ),
        ],
    )


def _extra_classes_that_fail() -> Company:
    """Vehicle A as V1's; B: liquid but 4% float; E: liquid but only 0.5m x $48 = $24M."""
    s0 = ELIG_START
    return Company(
        "V6",
        [
            Line("V6_A", {s0: 50.0}, [SharesRow(s0, 40_000_000, 30_000_000)], volume=1_000_000),
            Line("V6_B", {s0: 48.0}, [SharesRow(s0, 20_000_000, 800_000)], exchange="NASDAQ", volume=500_000),
            Line("V6_E", {s0: 48.0}, [SharesRow(s0, 500_000, 400_000)], exchange="NASDAQ", volume=100_000),
        ],
    )


def _converted_vehicle() -> Company:
    """The only listed class is worth 0.1 main-class shares: A 10m x 0.1, $5; unlisted main class B 1m x 1."""
    s0 = ELIG_START
    return Company(
        "V5",
        [
            Line("V5_A", {s0: 5.0}, [SharesRow(s0, 10_000_000, 8_000_000)], conversion_ratio=0.1),
            Line("V5_B", {}, [SharesRow(s0, 1_000_000, 0)], exchange="UNLISTED"),
        ],
    )


# ----------------------------------------------------------------------------------------------------
# Market C: quarterly IPO additions (2024-06 reconstitution, rank day 2024-04-30; 2024-Q3 review,
# rank day 2024-07-31, effective 2024-09-20, first session 2024-09-23)

IPO_START, IPO_END = date(2024, 3, 1), date(2024, 9, 30)
IPO_MARKET_MOVE = date(2024, 6, 3)  # C01 rises from $3,079 to $3,284 on this day (+$2.05B on $100B)
IPO_LISTING = date(2024, 5, 20)
FAST_ENTRY_LISTING = date(2024, 7, 10)
LATE_LISTING = date(2024, 8, 5)

# Total cap on 2024-04-30 in $10M (10m shares each, close in $ = this number); the 30 sum to 10,000 ($100B).
# Breakpoints: #2 C02 $20B, #4 C04 $8B, #6 C06 $4B, #10 C10 $1.8B, #20 C20 $400M, #25 C25 $250M, #30 C30 $100M.
IPO_MARKET_CAPS: dict[str, int] = {
    "C01": 3079, "C02": 2000, "C03": 1200, "C04": 800, "C05": 600, "C06": 400, "C07": 300, "C08": 260,
    "C09": 220, "C10": 180, "C11": 140, "C12": 110, "C13": 90, "C14": 80, "C15": 70, "C16": 60, "C17": 55,
    "C18": 50, "C19": 45, "C20": 40, "C21": 36, "C22": 33, "C23": 30, "C24": 27, "C25": 25, "C26": 20,
    "C27": 16, "C28": 13, "C29": 11, "C30": 10,
}  # fmt: skip

# Quarterly IPOs listed 2024-05-20 (10m shares, 80% float) by close: total cap = 10m x close.
IPO_CLOSES: dict[str, float] = {
    "IPO1": 185.0,  # $1.85B
    "IPO2": 182.0,  # $1.82B
    "IPO3": 10.10,  # $101M
    "IPO4": 15.0,  # $150M
}


def ipo_market() -> Market:
    companies = [
        single_line(
            cid,
            10_000_000,
            {IPO_START: float(cap), IPO_MARKET_MOVE: 3284.0} if cid == "C01" else {IPO_START: float(cap)},
            shares_from=IPO_START,
        )
        for cid, cap in IPO_MARKET_CAPS.items()
    ]
    companies += [
        single_line(cid, 10_000_000, {IPO_LISTING: close}, listing_date=IPO_LISTING, shares_from=IPO_LISTING)
        for cid, close in IPO_CLOSES.items()
    ]
    # not US (GB/GB/GB): never added, whatever its size
    companies.append(
        single_line(
            "IPO6", 10_000_000, {IPO_LISTING: 190.0}, listing_date=IPO_LISTING, shares_from=IPO_LISTING,
            incorporation="GB", headquarters="GB", most_liquid="GB",
        )
    )  # fmt: skip
    # first day 2024-08-05, after the 2024-Q3 rank day, so the Top 500 breakpoint is market-adjusted under any
    # reading ($4B x 1.0205 = $4.082B); neither is reviewed as a quarterly IPO here (the 2024-Q4 review's rank day
    # 2024-10-31 is past the data). IPO7: float cap 40.5m x $100 = $4.05B (above the unadjusted $4B) -> no fast
    # entry. IPO8: 41m x $100 = $4.10B -> fast entry. Both 50m out ($5B total).
    for cid, available in (("IPO7", 40_500_000), ("IPO8", 41_000_000)):
        companies.append(
            single_line(
                cid, 50_000_000, {LATE_LISTING: 100.0}, available=available, listing_date=LATE_LISTING,
                shares_from=LATE_LISTING,
            )
        )  # fmt: skip
    # fast entry: 125m out, 100m available (the offered shares), $100 -> $10B float cap on day 1, $12.5B total
    companies.append(
        single_line(
            "IPO5",
            125_000_000,
            {FAST_ENTRY_LISTING: 100.0},
            available=100_000_000,
            listing_date=FAST_ENTRY_LISTING,
            shares_from=FAST_ENTRY_LISTING,
        )
    )
    return Market(IPO_START, IPO_END, companies)


# ----------------------------------------------------------------------------------------------------
# Market D: fast entry between a reconstitution's rank day and its first session (2023-06 composition in
# force; 2024-06 rank day 2024-04-30, first session 2024-07-01)

GAP_START, GAP_END = date(2023, 3, 1), date(2024, 7, 10)
GAP_CAPS = (3000, 2000, 1200, 800, 600, 400, 300, 200, 100, 50)  # E01..E10 in $10M (10m shares, close = cap)
EARLY_IPO_LISTING = date(2024, 3, 5)  # before the 2024-04-30 rank day
GAP_IPO_LISTING = date(2024, 5, 15)  # after the rank day, before the 2024-07-01 first session
GAP_SPIN_OFF = date(2024, 5, 15)  # PAR spins off SPIN (one SPIN share per PAR share) on this ex-date
GAP_PAR_GROWTH = date(
    2023, 8, 1
)  # PAR: $0.40B (#11 of 2023, R2000) -> $35B from this day (#2 of 2024, R1000)


def recon_gap_market() -> Market:
    companies = [
        single_line(f"E{n:02d}", 10_000_000, {GAP_START: float(cap)}, shares_from=GAP_START)
        for n, cap in enumerate(GAP_CAPS, start=1)
    ]
    # two underwritten IPOs with 100m of 125m shares offered at $400: float cap $40B on day 1, ten times the
    # largest Top 500 breakpoint of either reconstitution (#6 = E06, $4B; closes never move, so no adjustment)
    for cid, listed in (("EARLY", EARLY_IPO_LISTING), ("GAPIPO", GAP_IPO_LISTING)):
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
    companies.append(
        single_line("PAR", 10_000_000, {GAP_START: 40.0, GAP_PAR_GROWTH: 3500.0}, shares_from=GAP_START)
    )
    # SPIN: 10m x $60 = $600M, larger than the smallest R3000E company of 2024-06 (E10, $500M): it may join
    companies.append(
        single_line(
            "SPIN", 10_000_000, {GAP_SPIN_OFF: 60.0}, listing_date=GAP_SPIN_OFF, shares_from=GAP_SPIN_OFF
        )
    )
    return Market(GAP_START, GAP_END, companies, spin_offs=[("PAR_1", "SPIN_1", GAP_SPIN_OFF)])
