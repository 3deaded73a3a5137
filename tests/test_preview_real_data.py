"""The reconstitution preview's back-test on real data (docs/preview.md, "Back-test"): the free public files of the
June 2024 reconstitution imported and built (as tests/test_real_data.py does), then the previews dated 40, 20 and 10
sessions before the 2024-04-30 rank day scored against the ETF holdings after it (IWM of 2024-07-11, IWV of
2024-08-15): the R1000/R2000 members of the composition before, on the side of the #1,000 break the funds hold them.
Skips when the public data folder is absent."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from indexpipe.preview.backtest import score_against_holdings, score_lines
from indexpipe.settings import REPO_ROOT

PUBLIC = REPO_ROOT.parent / "shared" / "data" / "public"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not PUBLIC.is_dir(), reason=f"the public data folder {PUBLIC} is absent"),
]


@pytest.fixture(scope="module")
def warehouse_2024(real_warehouse_2024: Path) -> Path:
    return real_warehouse_2024  # conftest.py: tests/test_real_data.py reads the same build


def test_2024_previews_against_the_etf_holdings(warehouse_2024: Path) -> None:
    files = [
        (PUBLIC / "iwm_2024-07-11" / "russell_2000.csv", "R2000"),
        (PUBLIC / "iwv_2024-08-15_inferred" / "IWV_holdings.csv", "R3000"),
    ]
    with duckdb.connect(str(warehouse_2024), read_only=True) as con:
        scores, left_out = score_against_holdings(con, "2024-06", files)
    print("\n".join(["", *score_lines(scores), f"left out: {left_out}"]))
    by = {s.sessions_before: s for s in scores}
    assert sorted(by) == [10, 20, 40]
    for s in scores:
        # about 1,900 members held on either side, of which about 56 crossed the #1,000 break
        assert s.companies > 1_800 and 30 < s.changes < 100
        assert s.precision >= 0.8
        assert s.brier < 0.5 * s.brier_no_change
    assert by[10].recall >= 0.8 and by[10].recall >= by[40].recall
