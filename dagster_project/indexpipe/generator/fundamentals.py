"""Fundamentals, analyst estimates and ICB classifications, consistent with prices and dated point in time.

Each company has a fundamental value trend (its anchor-day size grown at its own rate, with persistent noise);
book value, sales and earnings are fixed ratios of that trend, so book-to-price and growth line up with the
company's value score (value companies: high book-to-price, low growth). Quarterly rows carry trailing
figures and become public 25-90 days after the period ends.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from indexpipe.generator.taxonomy import subsectors
from indexpipe.generator.universe import US_OPERATING, Companies

FIRST_PERIOD_END = np.datetime64("2008-12-31")  # six years of sales history before the 2015 reconstitution
REPORTING = US_OPERATING + ("foreign",)
SharesAt = Callable[[int, int], float]


def _quarter_ends(first: np.datetime64, last: np.datetime64) -> np.ndarray:
    months = np.arange(first.astype("datetime64[M]"), last.astype("datetime64[M]") + 1, 3)
    return (months + 1).astype("datetime64[D]") - 1


def company_params(rng: np.random.Generator, co: Companies) -> dict[str, np.ndarray]:
    """Per-company ratios and growth shared by fundamentals and estimates."""
    n = co.n
    industry = np.array([s.industry for s in subsectors()])[co.subsector]
    sub = np.array([s.subsector for s in subsectors()])[co.subsector]
    v = co.value_score
    bp = 0.35 * np.exp(0.55 * v)
    bp[industry == "Financials"] *= 2.2
    bp[industry == "Technology"] *= 0.6
    sp = 0.45 * np.exp(0.45 * v)
    sp[industry == "Consumer Staples"] *= 2.0
    sp[industry == "Technology"] *= 0.5
    sp[sub == "Biotechnology"] *= 0.1
    small = co.anchor_cap < 1e9
    loss_maker = rng.random(n) < np.where(small, 0.35, 0.08)
    margin = np.clip(rng.normal(0.09, 0.05, n), -0.3, 0.4) - np.where(loss_maker, 0.15, 0.0)
    leverage = 1.8 * np.exp(0.3 * rng.standard_normal(n))
    leverage[industry == "Financials"] = 9.0
    leverage[industry == "Real Estate"] = 2.5
    debt_equity = np.exp(np.log(0.6) + 0.7 * rng.standard_normal(n))
    debt_equity[industry == "Financials"] *= 2.5
    growth = 0.07 - 0.045 * v + rng.normal(0.0, 0.04, n)
    negative_book = rng.random(n) < 0.01
    return dict(bp=bp, sp=sp, margin=margin, leverage=leverage, debt_equity=debt_equity, growth=growth,
                negative_book=negative_book)  # fmt: skip


def _day_index(days: np.ndarray, when: np.ndarray) -> np.ndarray:
    """Index of the last trading day on or before each date (0 before the span)."""
    return np.clip(np.searchsorted(days, when, "right") - 1, 0, len(days) - 1)


def fundamentals_table(
    rng, co: Companies, params: dict[str, np.ndarray], shares_at: SharesAt, days: np.ndarray
) -> pa.Table:
    quarter_ends = _quarter_ends(FIRST_PERIOD_END, days[-1])
    anchor_dates = days[co.anchor_day]
    cols: dict[str, list] = {k: [] for k in ("company_id", "period_end", "available_date", "book_value", "sales",
                                              "eps", "pretax_income", "total_assets", "total_debt",
                                              "operating_cash_flow")}  # fmt: skip
    for c in np.flatnonzero(np.isin(co.kind, REPORTING)):
        first = co.listing_date[c] - np.timedelta64(3 * 365, "D")
        last_day = days[co.exit_day[c]] if co.exit_day[c] < len(days) else days[-1] + 1
        periods = quarter_ends[(quarter_ends >= first) & (quarter_ends < last_day)]
        if len(periods) == 0:
            continue
        lag = rng.integers(25, 76, len(periods))
        lag[(periods.astype("datetime64[M]").astype(int) % 12) == 11] += 15  # annual reports come later
        available = periods + lag.astype("timedelta64[D]")
        keep = available <= days[-1]
        periods, available = periods[keep], available[keep]
        if len(periods) == 0:
            continue
        tau = (periods - anchor_dates[c]).astype(float) / 365.25
        trend = co.anchor_cap[c] * np.exp(
            params["growth"][c] * tau + np.cumsum(rng.normal(0, 0.04, len(periods)))
        )
        book = params["bp"][c] * trend * (-0.3 if params["negative_book"][c] else 1.0)
        sales = params["sp"][c] * trend
        margin = params["margin"][c] + rng.normal(0.0, 0.02, len(periods))
        income = margin * sales
        idx = _day_index(days, periods)
        idx = np.maximum(idx, co.listing_day[c])
        per_share = np.array([shares_at(int(c), int(d)) for d in idx])
        book_out = np.where(rng.random(len(periods)) < 0.02, np.nan, book)
        cols["company_id"].extend([co.company_id[c]] * len(periods))
        cols["period_end"].append(periods)
        cols["available_date"].append(available)
        cols["book_value"].append(np.round(book_out))
        cols["sales"].append(np.round(sales))
        cols["eps"].append(np.round(income / per_share, 4))
        cols["pretax_income"].append(np.round(np.where(income > 0, income / 0.79, income)))
        cols["total_assets"].append(np.round(np.abs(book) * params["leverage"][c]))
        cols["total_debt"].append(np.round(np.abs(book) * params["debt_equity"][c]))
        cols["operating_cash_flow"].append(
            np.round(income + 0.06 * sales + rng.normal(0, 0.01, len(periods)) * sales)
        )
    table = {
        "company_id": pa.array(cols["company_id"], pa.string()),
        "period_end": pa.array(np.concatenate(cols["period_end"]).astype("datetime64[D]"), pa.date32()),
        "available_date": pa.array(
            np.concatenate(cols["available_date"]).astype("datetime64[D]"), pa.date32()
        ),
    }
    for name in (
        "book_value",
        "sales",
        "eps",
        "pretax_income",
        "total_assets",
        "total_debt",
        "operating_cash_flow",
    ):
        values = np.concatenate(cols[name])
        table[name] = pa.array(values, pa.float64(), mask=np.isnan(values))
    return pa.table(table)


def estimates_table(
    rng,
    co: Companies,
    params: dict[str, np.ndarray],
    main_price: np.ndarray,
    shares_at: SharesAt,
    days: np.ndarray,
) -> pa.Table:
    """Quarterly I/B/E/S-style consensus: coverage grows with size; 0-2 analysts is common among small caps."""
    as_of_all = _quarter_ends(np.datetime64("2012-12-31"), days[-1]) + np.timedelta64(20, "D")
    as_of_all = as_of_all[as_of_all <= days[-1]]
    ids, dates, growth2, ltg, fy1, count = [], [], [], [], [], []
    for c in np.flatnonzero(np.isin(co.kind, REPORTING)):
        idx = _day_index(days, as_of_all)
        alive = (idx >= co.listing_day[c]) & (idx < co.exit_day[c]) & (as_of_all >= days[0])
        if not alive.any():
            continue
        when, idx = as_of_all[alive], idx[alive]
        caps = main_price[idx, c] * np.array([shares_at(int(c), int(d)) for d in idx])
        expected = np.maximum(0.0, 9.0 * (np.log10(np.maximum(caps, 1.0)) - 8.4))
        analysts = rng.poisson(expected)
        g = params["growth"][c]
        covered = analysts > 0
        e2 = np.where(covered, np.round(1.2 * g + rng.normal(0, 0.04, len(when)), 4), np.nan)
        lt = np.where(covered, np.round(0.8 * g + 0.03 + rng.normal(0, 0.02, len(when)), 4), np.nan)
        eps_level = params["margin"][c] * params["sp"][c] * caps / np.maximum(caps / main_price[idx, c], 1.0)
        f1 = np.where(covered, np.round(eps_level * (1 + g), 4), np.nan)
        ids.extend([co.company_id[c]] * len(when))
        dates.append(when)
        growth2.append(e2)
        ltg.append(lt)
        fy1.append(f1)
        count.append(analysts)

    def floats(parts: list[np.ndarray]) -> pa.Array:
        values = np.concatenate(parts)
        return pa.array(values, pa.float64(), mask=np.isnan(values))

    return pa.table(
        {
            "company_id": pa.array(ids, pa.string()),
            "as_of_date": pa.array(np.concatenate(dates).astype("datetime64[D]"), pa.date32()),
            "eps_growth_2y": floats(growth2),
            "ltg": floats(ltg),
            "eps_fy1": floats(fy1),
            "analyst_count": pa.array(np.concatenate(count), pa.int64()),
        }
    )


def classifications_table(rng: np.random.Generator, co: Companies, days: np.ndarray) -> pa.Table:
    """ICB path from listing, with ~1.5% of companies reclassified each year (mostly within their industry)."""
    subs = subsectors()
    by_industry: dict[str, list[int]] = {}
    for i, s in enumerate(subs):
        by_industry.setdefault(s.industry, []).append(i)
    ids, dates, codes = [], [], []
    years = len(days) / 252
    for c in range(co.n):
        ids.append(co.company_id[c])
        dates.append(co.listing_date[c])
        codes.append(int(co.subsector[c]))
        if co.kind[c] in REPORTING and rng.random() < 0.015 * years:
            lo, hi = int(co.listing_day[c]) + 1, int(min(co.exit_day[c], len(days)))
            if hi > lo:
                same = rng.random() < 0.7
                pool = by_industry[subs[co.subsector[c]].industry] if same else list(range(len(subs)))
                ids.append(co.company_id[c])
                dates.append(days[int(rng.integers(lo, hi))])
                codes.append(int(rng.choice(pool)))
    return pa.table(
        {
            "company_id": pa.array(ids, pa.string()),
            "effective_date": pa.array(np.array(dates, dtype="datetime64[D]"), pa.date32()),
            "icb_industry": pa.array([subs[i].industry for i in codes], pa.string()),
            "icb_supersector": pa.array([subs[i].supersector for i in codes], pa.string()),
            "icb_sector": pa.array([subs[i].sector for i in codes], pa.string()),
            "icb_subsector": pa.array([subs[i].subsector for i in codes], pa.string()),
        }
    ).sort_by([("company_id", "ascending"), ("effective_date", "ascending")])
