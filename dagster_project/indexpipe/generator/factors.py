"""The factor model's constants, shared by the price paths (paths.py) and the sizes companies are drawn with
(universe.py, which needs the drift a company of a given size can expect)."""

from __future__ import annotations

import numpy as np

REGIMES = (
    ("2015-08-20", "2015-10-15", 1.6),
    ("2018-10-01", "2018-12-31", 1.5),
    ("2020-02-21", "2020-04-30", 3.2),
    ("2020-05-01", "2020-12-31", 1.5),
    ("2022-01-01", "2022-12-31", 1.3),
)
MARKET_DRIFT = 0.00025  # per day
# Small caps lag large caps: from 2015 to 2024 the R3000 doubled while the #1,000 breakpoint rose ~35%
# (docs/methodology.md §9), so the size factor drifts against small companies.
SIZE_DRIFT = -0.00020
# Idiosyncratic moves mean-revert (half-life eighteen months) so the cross-section of sizes stays stationary
# instead of fanning out over decades, while daily volatility keeps its size-dependent level.
FACTOR_REVERSION = float(np.exp(-np.log(2) / 252))
IDIO_REVERSION = float(np.exp(-np.log(2) / (1.5 * 252)))


def size_loading(cap: np.ndarray) -> np.ndarray:
    return np.clip((11.0 - np.log10(np.maximum(cap, 1e6))) / 3.0, -0.8, 1.5)
