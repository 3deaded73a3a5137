"""Back-test of the reconstitution preview on the default market (docs/preview.md, "Back-test"): the previews dated
40, 20 and 10 sessions before every June rank day, scored against what the rank day then determined. The measured
table is printed (pytest -s) and copied into docs/preview.md; the assertions are what a useful preview must do."""

from __future__ import annotations

import duckdb
import pytest
from indexpipe.preview.backtest import calibrate, score_lines, score_warehouse

pytestmark = pytest.mark.slow


def test_previews_beat_nobody_changes_and_sharpen_towards_the_rank_day(
    default_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    scores = score_warehouse(default_warehouse, "june")
    print("\n".join(["", *score_lines(scores)]))
    assert [s.sessions_before for s in scores] == [10, 20, 40]
    # June 2015 has no composition before it (no initial list): 2016-2026, eleven reconstitutions, one preview each
    assert {s.previews for s in scores} == {11}
    for s in scores:
        assert s.changes > 0 and s.calls > 0
        # the likely calls are mostly right, and the probabilities beat "nobody changes" by a wide margin
        assert s.precision > 0.5
        assert s.brier < 0.5 * s.brier_no_change
    by = {s.sessions_before: s for s in scores}
    # fewer sessions left: a narrower move, so more of the changes are called and the score improves
    assert by[10].recall > by[40].recall
    assert by[10].brier < by[40].brier


def test_the_volatility_setting_is_the_calibrated_one(default_warehouse: duckdb.DuckDBPyConnection) -> None:
    # the build's setting (relative volatility, scale 1) against the alternatives, on the Brier score summed over
    # the three horizons; docs/preview.md records the table
    table = calibrate(default_warehouse, [0.5, 0.75, 1.0, 1.5, 2.0])
    total = {key: sum(s.brier for s in scores) for key, scores in table.items()}
    for (basis, scale), value in sorted(total.items()):
        print(f"{basis:>8} x{scale:<4} Brier summed over 10/20/40 sessions: {value:.5f}")
    best = min(total, key=lambda key: (total[key], key))
    assert total[("relative", 1.0)] <= total[best] * 1.05
