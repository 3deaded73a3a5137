"""Who is in the synthetic market: companies, their share lines, lifecycles and sizes on the anchor day.

Sizes are pinned on one anchor day (the 2024-04-30 rank day by default): the intended-eligible US companies
alive that day take their total market caps from a rank-size curve calibrated to docs/methodology.md §9, so the
calibration figures hold by construction; every other day follows from the factor model in ``paths.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexpipe.generator.factors import MARKET_DRIFT, SIZE_DRIFT, size_loading
from indexpipe.generator.taxonomy import INDUSTRY_WEIGHTS, NAME_FIRST, NAME_SECOND, subsectors

# Company counts per kind for the default 6,000-company market; --companies scales them.
KIND_COUNTS: dict[str, int] = {
    "core_us": 3850,  # US operating companies listed before the span starts
    "ipo_us": 860,  # US operating companies that list during the span (70-80 a year)
    "spin_us": 60,  # created by spin-offs
    "etf": 250,
    "mutual_fund": 5,
    "closed_end_fund": 120,
    "bdc": 40,
    "royalty_trust": 20,
    "limited_partnership": 60,
    "llc": 15,
    "spac": 150,
    "adr": 250,
    "foreign": 120,  # ordinary shares of non-US companies listed in the US (home-country waterfall says no)
    "otc": 200,  # US companies trading only over the counter
}
US_OPERATING = ("core_us", "ipo_us", "spin_us")

# Special US operating companies (counts for the default size): each exercises one eligibility rule.
FLAG_COUNTS: dict[str, int] = {
    "penny": 60,  # close below $1 on the anchor day
    "tiny": 60,  # total market cap below $30M on the anchor day
    "low_float": 40,  # available shares below 5%
    "low_voting": 15,  # unrestricted holders hold < 5% of the votes (unlisted super-voting class)
    "second_class": 90,  # a second listed common class
    "unlisted_class": 150,  # an unlisted common class (founders' shares)
    "preferred": 350,  # also has a listed preferred line
    "foreign_inc": 120,  # incorporated abroad (IE, BM, KY, ...), US by the home-country waterfall
    "bdi_hq": 20,  # incorporated and headquartered in a BDI country, most liquid in the US
    "tracking": 3,  # a tracking stock, its own company
}

# Rank-size curve of total market cap among eligible companies on the anchor day (2024-04-30), calibrated to
# docs/methodology.md §9 (largest ~$2.9T, #1,000 ~$4.6B, #3,000 ~$150-250M, ranks 1,001-3,000 ~7-8% of the R3000)
# after the stationary idiosyncratic noise of paths.py widens it; the points sit ~12% below those targets.
CURVE_POINTS = (
    (1, 2.3e12), (2, 2.0e12), (4, 1.6e12), (6, 9.0e11), (10, 4.5e11), (20, 2.7e11), (50, 1.15e11),
    (100, 6.6e10), (200, 3.5e10), (500, 1.25e10), (1000, 4.1e9), (1300, 3.0e9), (1600, 2.2e9), (2000, 1.3e9),
    (2500, 6.0e8), (2800, 3.3e8), (3000, 1.55e8), (3250, 7.0e7), (3465, 3.2e7),
)  # fmt: skip
CURVE_LENGTH = 3465

BDI = ("BM", "KY", "VG", "BS", "PA", "JE", "GG", "IM", "MH", "LR", "BB", "AI", "AG", "AW", "BZ", "CW", "GI")
US_TERRITORIES = ("PR", "GU", "VI", "AS", "MP")


def curve_cap(rank: np.ndarray, scale: float) -> np.ndarray:
    """Total market cap at a rank (log-log interpolation); ``scale`` = companies / 6,000 stretches the ranks."""
    ranks, caps = zip(*CURVE_POINTS, strict=True)
    scaled = np.asarray(rank, dtype=float) / scale
    return np.exp(np.interp(np.log(np.maximum(scaled, 1.0)), np.log(ranks), np.log(caps)))


@dataclass
class Companies:
    """Column arrays, one element per company."""

    company_id: np.ndarray
    kind: np.ndarray
    flag: np.ndarray  # one special flag or "" (see FLAG_COUNTS)
    subsector: np.ndarray  # index into taxonomy.subsectors()
    listing_day: np.ndarray  # index of the first trading day in the span
    listing_date: np.ndarray  # datetime64[D], before the span for companies already listed
    exit_day: np.ndarray  # index of the first day without trading; n_days = never
    exit_type: np.ndarray  # action_type of the exit, "" if none
    anchor_day: np.ndarray
    anchor_cap: np.ndarray  # total market cap (all common classes) on anchor_day
    anchor_price: np.ndarray  # close of the main line on anchor_day
    value_score: np.ndarray  # N(0,1); high = value (high book-to-price, low growth)
    countries: np.ndarray  # (n, 5): incorporation, headquarters, most liquid, assets, revenue ("" = unknown)
    name: np.ndarray
    ticker: np.ndarray

    @property
    def n(self) -> int:
        return len(self.company_id)


def _scaled(count: int, companies: int) -> int:
    return max(1, round(count * companies / 6000)) if count else 0


def _weighted_days(rng: np.random.Generator, days: np.ndarray, n: int, boom: dict[int, float]) -> np.ndarray:
    """Random trading-day indices (1..n_days-1) with per-year weights (IPO and SPAC waves)."""
    years = days.astype("datetime64[Y]").astype(int) + 1970
    weights = np.array([boom.get(int(y), 1.0) for y in years])
    weights[0] = 0.0
    return np.sort(rng.choice(len(days), size=n, p=weights / weights.sum()))


def build_companies(rng: np.random.Generator, days: np.ndarray, companies: int, anchor_day: int) -> Companies:
    n_days = len(days)
    kinds = np.concatenate(
        [np.full(_scaled(c, companies), k, dtype=object) for k, c in KIND_COUNTS.items() if k != "spin_us"]
    )
    n = len(kinds)
    subs = subsectors()
    sub_industry = np.array([s.industry for s in subs])
    sub_names = np.array([s.subsector for s in subs])

    # Industry by count weights, then a uniform subsector inside it; funds sit in their own ICB corners.
    industries = np.array(list(INDUSTRY_WEIGHTS))
    ind_p = np.array(list(INDUSTRY_WEIGHTS.values()))
    chosen_industry = rng.choice(industries, size=n, p=ind_p / ind_p.sum())
    subsector = np.empty(n, dtype=int)
    for i in range(n):
        options = np.flatnonzero(sub_industry == chosen_industry[i])
        subsector[i] = rng.choice(options)
    fund_sub = {
        "etf": "Open End and Miscellaneous Investment Vehicles",
        "mutual_fund": "Open End and Miscellaneous Investment Vehicles",
        "closed_end_fund": "Closed End Investments",
        "bdc": "Closed End Investments",
        "spac": "Closed End Investments",
        "royalty_trust": "Oil: Crude Producers",
        "limited_partnership": "Pipelines",
    }
    for kind, sub in fund_sub.items():
        subsector[kinds == kind] = int(np.flatnonzero(sub_names == sub)[0])

    # Lifecycles: companies already listed trade from day 0; IPOs (boom in 2020-21) and SPACs list later.
    listing_day = np.zeros(n, dtype=int)
    is_ipo = kinds == "ipo_us"
    listing_day[is_ipo] = _weighted_days(
        rng, days, int(is_ipo.sum()), {2020: 2.5, 2021: 3.0, 2022: 0.5, 2023: 0.6}
    )
    is_spac = kinds == "spac"
    listing_day[is_spac] = _weighted_days(rng, days, int(is_spac.sum()), {2020: 8.0, 2021: 12.0, 2019: 2.0})
    # a fifth of funds launch inside the span
    funds = np.isin(kinds, ["etf", "closed_end_fund", "bdc"]) & (rng.random(n) < 0.2)
    listing_day[funds] = rng.integers(1, n_days, size=int(funds.sum()))

    span_start = days[0]
    pre_span = listing_day == 0
    # already-listed companies have older listing dates (weighted to recent decades)
    age_days = (rng.pareto(1.2, size=n) * 900 + 60).astype(int).clip(60, 16000)
    listing_date = days[listing_day].copy()
    listing_date[pre_span] = span_start - age_days[pre_span].astype("timedelta64[D]")

    exit_day, exit_type = _exits(rng, kinds, listing_day, n_days)

    flag = _assign_flags(rng, kinds, listing_day, exit_day, anchor_day, companies)
    value_score = rng.standard_normal(n)
    anchor = _anchors(listing_day, exit_day, anchor_day)
    anchor_cap, anchor_price = _anchor_sizes(rng, kinds, flag, listing_day, exit_day, anchor, anchor_day)
    countries = _countries(rng, kinds, flag)
    name, ticker = _names(rng, kinds, n)
    return Companies(
        company_id=np.array([f"C{i + 1:05d}" for i in range(n)], dtype=object),
        kind=kinds,
        flag=flag,
        subsector=subsector,
        listing_day=listing_day,
        listing_date=listing_date,
        exit_day=exit_day,
        exit_type=exit_type,
        anchor_day=anchor,
        anchor_cap=anchor_cap,
        anchor_price=anchor_price,
        value_score=value_score,
        countries=countries,
        name=name,
        ticker=ticker,
    )


def _exits(rng: np.random.Generator, kinds: np.ndarray, listing_day: np.ndarray, n_days: int):
    """First day without trading, and the action that ends the company (acquisitions, failures, closures)."""
    n = len(kinds)
    hazard = np.where(np.isin(kinds, US_OPERATING), 0.022, 0.015)  # per year
    hazard = np.where(kinds == "otc", 0.04, hazard)
    life = (rng.exponential(1.0 / hazard) * 252).astype(int)
    exit_day = np.maximum(listing_day + life, listing_day + 130)
    spac = kinds == "spac"
    exit_day[spac] = listing_day[spac] + rng.integers(
        380, 630, size=int(spac.sum())
    )  # liquidate after 18-30 m
    exit_day = np.where(exit_day >= n_days, n_days, exit_day)
    us_types = rng.choice(
        ["cash_acquisition", "stock_merger", "delisting", "bankruptcy"], size=n, p=[0.5, 0.25, 0.15, 0.10]
    )
    other_types = rng.choice(["delisting", "cash_acquisition", "stock_merger"], size=n, p=[0.6, 0.25, 0.15])
    exit_type = np.where(np.isin(kinds, US_OPERATING), us_types, other_types).astype(object)
    exit_type[spac] = "delisting"
    exit_type[np.isin(kinds, ["etf", "mutual_fund"])] = "delisting"
    exit_type[exit_day >= n_days] = ""
    return exit_day, exit_type


def _assign_flags(rng, kinds, listing_day, exit_day, anchor_day, companies) -> np.ndarray:
    n = len(kinds)
    flag = np.full(n, "", dtype=object)
    alive_at_anchor = (listing_day <= anchor_day) & (exit_day > anchor_day)
    core_alive = np.flatnonzero(np.isin(kinds, US_OPERATING) & alive_at_anchor)
    pool = rng.permutation(core_alive)
    at = 0
    for name, count in FLAG_COUNTS.items():
        k = _scaled(count, companies)
        flag[pool[at : at + k]] = name
        at += k
    return flag


def _anchors(listing_day: np.ndarray, exit_day: np.ndarray, anchor_day: int) -> np.ndarray:
    """The day each company's size is pinned: the anchor if alive then, else its first trading day."""
    alive = (listing_day <= anchor_day) & (exit_day > anchor_day)
    return np.where(alive, anchor_day, listing_day)


def expected_drift(cap: np.ndarray) -> np.ndarray:
    """Expected annual log price drift of a company of this size (the factor model, factors.py), net of dividends."""
    return 252.0 * (MARKET_DRIFT + SIZE_DRIFT * size_loading(cap)) - 0.015


def _lognormal(rng, median: float, sigma: float, size: int, lo: float, hi: float) -> np.ndarray:
    return np.clip(median * np.exp(sigma * rng.standard_normal(size)), lo, hi)


def _anchor_sizes(rng, kinds, flag, listing_day, exit_day, anchor, anchor_day):
    n = len(kinds)
    cap = np.zeros(n)
    alive = (listing_day <= anchor_day) & (exit_day > anchor_day)
    us = np.isin(kinds, US_OPERATING)
    on_curve = us & alive & np.isin(flag, ["", "second_class", "unlisted_class", "preferred", "foreign_inc",
                                           "bdi_hq", "tracking"])  # fmt: skip
    curve_idx = np.flatnonzero(on_curve)
    n_curve = len(curve_idx)
    scale = len(kinds) / sum(c for k, c in KIND_COUNTS.items() if k != "spin_us")
    caps = curve_cap(np.arange(1, n_curve + 1), scale) * np.exp(0.04 * rng.standard_normal(n_curve))
    cap[rng.permutation(curve_idx)] = caps

    # Companies not alive on the anchor day take a size for their own anchor (first day or IPO).
    off = us & ~alive
    ipo_after = off & (listing_day > anchor_day)
    cap[ipo_after] = _lognormal(rng, 7e8, 1.1, int(ipo_after.sum()), 5e7, 1.5e11)
    gone = off & ~ipo_after
    ranks = rng.uniform(150 * scale, CURVE_LENGTH * scale, size=int(gone.sum()))
    # pinned on their first day, before the anchor: shrink by the drift their size class has until the anchor
    years_before = (anchor_day - listing_day[gone]) / 252.0
    gone_caps = curve_cap(ranks, scale)
    cap[gone] = gone_caps * np.exp(-expected_drift(gone_caps) * years_before)
    # IPOs that were gone before the anchor were pinned at IPO
    ipo_gone = gone & (listing_day > 0)
    cap[ipo_gone] = _lognormal(rng, 7e8, 1.1, int(ipo_gone.sum()), 5e7, 1.5e11)

    special = us & alive & np.isin(flag, ["low_float", "low_voting"])
    cap[special] = curve_cap(rng.uniform(100 * scale, CURVE_LENGTH * scale, size=int(special.sum())), scale)
    penny = flag == "penny"
    cap[penny] = _lognormal(rng, 4.5e7, 0.5, int(penny.sum()), 3.2e7, 1.5e8)
    tiny = flag == "tiny"
    cap[tiny] = rng.uniform(6e6, 2.9e7, size=int(tiny.sum()))

    others = {
        "etf": (3e8, 2.0, 5e6, 5e11), "mutual_fund": (1e9, 1.0, 5e7, 5e10),
        "closed_end_fund": (4e8, 0.8, 2e7, 1e10), "bdc": (7e8, 1.0, 5e7, 2e10),
        "royalty_trust": (3e8, 1.0, 2e7, 5e9), "limited_partnership": (2e9, 1.3, 5e7, 1e11),
        "llc": (5e8, 1.0, 2e7, 2e10), "spac": (2.5e8, 0.4, 5e7, 2e9), "adr": (8e9, 1.5, 1e8, 8e11),
        "foreign": (3e9, 1.3, 5e7, 3e11), "otc": (3e7, 1.5, 1e6, 2e9),
    }  # fmt: skip
    for kind, (median, sigma, lo, hi) in others.items():
        mask = kinds == kind
        cap[mask] = _lognormal(rng, median, sigma, int(mask.sum()), lo, hi)

    price = _lognormal(rng, 35.0, 0.9, n, 2.0, 900.0)
    price[kinds == "spac"] = 10.0
    price[penny] = rng.uniform(0.2, 0.95, size=int(penny.sum()))
    price[kinds == "otc"] = _lognormal(rng, 2.0, 1.2, int((kinds == "otc").sum()), 0.01, 80.0)
    price[tiny] = rng.uniform(1.5, 6.0, size=int(tiny.sum()))
    return cap, price


def _countries(rng, kinds, flag) -> np.ndarray:
    """Incorporation, headquarters, most liquid exchange, assets and revenue countries (docs/methodology.md §1)."""
    n = len(kinds)
    c = np.empty((n, 5), dtype=object)
    c[:] = "US"
    blank = rng.random((n, 2)) < 0.3  # asset/revenue breakdowns are often not reported
    c[:, 3:][blank] = ""
    foreign_inc = np.flatnonzero(flag == "foreign_inc")
    c[foreign_inc, 0] = rng.choice(
        ["IE", "GB", "NL", "CH", "BM", "KY", "PR", "CA", "LU", "JE"], len(foreign_inc)
    )
    bdi_hq = np.flatnonzero(flag == "bdi_hq")
    c[bdi_hq] = ["BM", "BM", "US", "", ""]

    homes = ["GB", "JP", "DE", "FR", "CH", "NL", "CN", "TW", "IN", "BR", "CA", "IL", "KR", "AU", "MX", "ES"]
    adr = np.flatnonzero(kinds == "adr")
    home = rng.choice(homes, len(adr))
    for col in range(5):
        c[adr, col] = home
    foreign = np.flatnonzero(kinds == "foreign")
    patterns = [
        ("GB", "GB", "GB", "GB", "GB"),  # plain foreign company with a US listing
        ("CA", "CA", "CA", "CA", "CA"),
        ("IL", "IL", "US", "IL", "IL"),  # listed only in the US; assets decide (step 2)
        ("KY", "CN", "US", "CN", "CN"),  # China N share: assets in the HQ country
        ("KY", "KY", "HK", "", ""),  # BDI headquarters: most liquid exchange decides (step 4)
        ("NL", "GB", "US", "GB", "GB"),
    ]
    choice = rng.integers(0, len(patterns), len(foreign))
    for i, p in zip(foreign, choice, strict=True):
        c[i] = patterns[p]
    return c


def _names(rng, kinds, n):
    suffix = {
        "etf": "ETF", "mutual_fund": "Fund", "closed_end_fund": "Income Fund", "bdc": "Capital Corp",
        "royalty_trust": "Royalty Trust", "limited_partnership": "Partners LP", "llc": "Holdings LLC",
        "spac": "Acquisition Corp", "adr": "ADR", "foreign": "plc",
    }  # fmt: skip
    first = rng.choice(np.array(NAME_FIRST), n)
    second = rng.choice(np.array(NAME_SECOND), n)
    names = np.array(
        [
            f"{a} {b} {suffix.get(k, 'Inc')} {i + 1}"
            for i, (a, b, k) in enumerate(zip(first, second, kinds, strict=True))
        ],
        dtype=object,
    )
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    seen: set[str] = set()
    tickers = np.empty(n, dtype=object)
    for i in range(n):
        while True:
            t = "".join(rng.choice(letters, int(rng.integers(2, 5))))
            if t not in seen:
                seen.add(t)
                tickers[i] = t
                break
    return names, tickers
