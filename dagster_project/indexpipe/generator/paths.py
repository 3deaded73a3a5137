"""Daily log price paths from a factor model: market, size, value/growth, 11 ICB industries and noise.

Small companies load on the size factor and carry more idiosyncratic noise, so small caps are more volatile
than large caps; volatility regimes (late 2015, Q4 2018, spring 2020, 2022) widen every factor at once.
"""

from __future__ import annotations

import numpy as np

from indexpipe.generator.events import Events
from indexpipe.generator.factors import (
    FACTOR_REVERSION,
    IDIO_REVERSION,
    MARKET_DRIFT,
    REGIMES,
    SIZE_DRIFT,
    size_loading,
)
from indexpipe.generator.taxonomy import INDUSTRY_WEIGHTS, subsectors
from indexpipe.generator.universe import Companies


def _factor_level(rng: np.random.Generator, regime: np.ndarray, drift: float, daily_sd: float) -> np.ndarray:
    """Cumulative factor level: a drift line plus a mean-reverting deviation (half-life one year).

    Mean reversion keeps the breakpoints of every reconstitution inside the calibration ranges whatever the
    seed, while daily factor volatility (and its regimes) stays realistic.
    """
    shocks = daily_sd * regime * rng.standard_normal(len(regime))
    deviation = np.empty(len(regime))
    level = 0.0
    for t, shock in enumerate(shocks):
        level = FACTOR_REVERSION * level + shock
        deviation[t] = level
    return drift * np.arange(len(regime)) + deviation - deviation[0]


def regime_multiplier(days: np.ndarray) -> np.ndarray:
    mult = np.ones(len(days))
    for start, end, m in REGIMES:
        mult[(days >= np.datetime64(start)) & (days <= np.datetime64(end))] = m
    return mult


def log_paths(
    rng: np.random.Generator, co: Companies, ev: Events, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(n_days, n_companies) log price path including every event's jump on its ex-date, and the level of each
    company's path that its anchor price corresponds to.

    The anchor level is the drift line alone, without the factor and idiosyncratic deviations of the anchor day:
    sizes on the anchor day then carry the same stationary noise as every other day, so the size distribution
    neither narrows on the anchor day nor fans out away from it. Companies born from a spin-off are pinned
    exactly, since their size comes from the parent.
    """
    n_days, n = len(days), co.n
    regime = regime_multiplier(days)
    market = _factor_level(rng, regime, MARKET_DRIFT, 0.0095)
    size = _factor_level(rng, regime, SIZE_DRIFT, 0.004)
    value = _factor_level(rng, regime, 0.0, 0.0035)
    industry = np.column_stack([_factor_level(rng, regime, 0.0, 0.0055) for _ in INDUSTRY_WEIGHTS])

    industry_names = list(INDUSTRY_WEIGHTS)
    sub_industry = np.array([industry_names.index(s.industry) for s in subsectors()])
    ind = sub_industry[co.subsector]
    beta = np.clip(1.0 + 0.2 * rng.standard_normal(n), 0.4, 1.8)
    size_load = size_loading(co.anchor_cap)
    value_load = 0.6 * co.value_score
    idio = np.clip(0.0085 * (np.maximum(co.anchor_cap, 1e6) / 1e12) ** -0.12, 0.007, 0.045)

    quiet = np.isin(co.kind, ["etf", "mutual_fund"])
    beta[quiet], size_load[quiet], value_load[quiet], idio[quiet] = 1.0, 0.0, 0.0, 0.002
    spac = co.kind == "spac"  # SPACs sit on trust cash near $10
    beta[spac], size_load[spac], value_load[spac], idio[spac] = 0.0, 0.0, 0.0, 0.002

    # Idiosyncratic level: an AR(1) in the log price around the factor path.
    noise = rng.standard_normal((n_days, n))
    noise *= idio[None, :] * regime[:, None]
    for t in range(1, n_days):
        noise[t] += IDIO_REVERSION * noise[t - 1]
    noise[0] = 0.0

    jumps = np.zeros((n_days, n))
    for c, d, jump in ev.log_jumps():
        jumps[d, c] += jump
    for c in np.flatnonzero(co.exit_type == "bankruptcy"):
        end = int(co.exit_day[c])
        start = max(end - 250, int(co.listing_day[c]) + 1)
        if end > start:
            jumps[start:end, c] -= 3.0 / (end - start)  # the slide into bankruptcy loses ~95%
    for c in np.flatnonzero(co.exit_type == "cash_acquisition"):
        bid = int(co.exit_day[c]) - 40
        if bid > co.listing_day[c]:
            jumps[bid, c] += np.log(1.3)  # the bid premium on announcement
    jumps[0, :] = 0.0
    returns = np.cumsum(jumps, axis=0, out=jumps)
    returns += noise
    returns += market[:, None] * beta + size[:, None] * size_load + value[:, None] * value_load
    returns += industry[:, ind]
    cols = np.arange(n)
    a = co.anchor_day
    deviation = (
        beta * (market[a] - MARKET_DRIFT * a)
        + size_load * (size[a] - SIZE_DRIFT * a)
        + value_load * value[a]
        + industry[a, ind]
    )
    anchor_level = returns[a, cols] - noise[a, cols] - deviation
    pinned = co.kind == "spin_us"
    anchor_level[pinned] = returns[co.anchor_day[pinned], cols[pinned]]
    return returns, anchor_level
