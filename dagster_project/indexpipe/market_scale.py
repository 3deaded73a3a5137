"""Breakpoint ranks for a synthetic market smaller than the calibrated one.

The generator's size curve stretches with ``--companies`` (company #1,000 of the default 6,000-company market has
the cap company #83 has in a 500-company market), but the index rules rank in absolute places: R1000 = ranks
1-1,000, R2000 = 1,001-3,000, Microcap = 2,001-4,000. A market with a few hundred eligible companies would leave
R2000, R2500, Microcap and their style indexes empty, and the count checks would fail. So ``indexpipe generate``
writes ``market.json`` beside the tables: the market's size and, below the calibrated size, every breakpoint rank
of dbt_project.yml scaled by companies / 6,000. The build passes those to dbt and the checks (indexpipe.rules);
this module is the one place that computes and reads them. Real inputs have no market.json and use the rules as
published.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

CALIBRATED_COMPANIES = 6000
MARKET_FILE = "market.json"
# breakpoint ranks, smallest first; bands are percentages of cumulative cap and need no scaling
RANK_VARS = (
    "rank_top50",
    "rank_top200",
    "rank_top500",
    "rank_r1000",
    "rank_micro_top",
    "rank_r3000",
    "rank_r3000e",
)
# the share of a rank span the R1000/R2000 company counts may miss it by (a check, not a rule): band migrations
# around a breakpoint are counts of movers, whose noise relative to the span grows as sqrt(span) shrinks
TOLERANCE_VAR = "recon_count_tolerance"
SCALED_VARS = (*RANK_VARS, TOLERANCE_VAR)


def scaled_ranks(companies: int, rules: Mapping[str, int | float | str]) -> dict[str, int | float]:
    """Each breakpoint rank times companies / 6,000, rounded, kept increasing, and the count tolerance times
    sqrt(6,000 / companies); {} at or above the calibrated size.

    For 500 companies: ranks 50, 200, 500, 1,000, 2,000, 3,000, 4,000 -> 4, 17, 42, 83, 167, 250, 333, and the
    tolerance 0.05 x sqrt(12) = 0.1732.
    """
    if companies >= CALIBRATED_COMPANIES:
        return {}
    scaled: dict[str, int | float] = {}
    floor = 0
    for name in RANK_VARS:
        value = max(round(int(rules[name]) * companies / CALIBRATED_COMPANIES), floor + 1)
        scaled[name] = value
        floor = value
    tolerance = float(rules[TOLERANCE_VAR]) * math.sqrt(CALIBRATED_COMPANIES / companies)
    scaled[TOLERANCE_VAR] = round(tolerance, 4)
    return scaled


def write_market_file(
    out_dir: Path, description: Mapping[str, object], overrides: Mapping[str, int | float]
) -> Path:
    """``market.json``: how the market was generated and the rule overrides a build applies to it."""
    path = Path(out_dir) / MARKET_FILE
    body = {
        **description,
        "calibrated_companies": CALIBRATED_COMPANIES,
        "dbt_vars": dict(overrides),
    }
    path.write_text(json.dumps(body, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return path


def market_overrides(input_dir: Path) -> dict[str, int | float]:
    """The rule overrides of the input directory's market.json; {} when it has none (real data)."""
    path = Path(input_dir) / MARKET_FILE
    if not path.is_file():
        return {}
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        overrides = body.get("dbt_vars", {})
        return {
            str(k): (int(v) if k in RANK_VARS else float(v)) for k, v in overrides.items() if k in SCALED_VARS
        }
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        raise ValueError(f"{path}: not a market file indexpipe can read ({exc})") from exc
