"""Breakpoint ranks of a market smaller than the calibrated one (indexpipe.market_scale), by hand."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import pytest
from indexpipe.generator import MarketConfig, generate_market, write_market
from indexpipe.market_scale import MARKET_FILE, market_overrides, scaled_ranks
from indexpipe.rules import project_vars, rule_vars, run_overrides

RULES = project_vars()


def test_a_500_company_market_scales_every_breakpoint_by_one_twelfth() -> None:
    # 500 / 6,000 = 1/12: 50/12 = 4.17 -> 4, 200/12 = 16.67 -> 17, 500/12 = 41.67 -> 42, 1,000/12 = 83.33 -> 83,
    # 2,000/12 = 166.67 -> 167, 3,000/12 = 250, 4,000/12 = 333.33 -> 333; tolerance 0.05 x sqrt(12) = 0.1732
    assert scaled_ranks(500, RULES) == {
        "rank_top50": 4,
        "rank_top200": 17,
        "rank_top500": 42,
        "rank_r1000": 83,
        "rank_micro_top": 167,
        "rank_r3000": 250,
        "rank_r3000e": 333,
        "recon_count_tolerance": 0.1732,
    }
    assert 0.05 * math.sqrt(12) == pytest.approx(0.1732, abs=5e-5)


def test_ranks_stay_increasing_in_a_tiny_market() -> None:
    # 10 / 6,000 = 1/600: 50/600 = 0.08 -> 0, raised to 1; 200/600 = 0.33 -> 0 -> 2; 500/600 = 0.83 -> 1 -> 3;
    # 1,000/600 = 1.67 -> 2 -> 4; 2,000/600 = 3.33 -> 3 -> 5; 3,000/600 = 5; 4,000/600 = 6.67 -> 7
    ranks = scaled_ranks(10, RULES)
    assert [ranks[k] for k in ranks if k.startswith("rank_")] == [1, 2, 3, 4, 5, 6, 7]


def test_the_calibrated_size_and_larger_keep_the_published_ranks() -> None:
    assert scaled_ranks(6000, RULES) == {}
    assert scaled_ranks(9000, RULES) == {}


def test_generate_writes_the_market_file_and_a_build_reads_it(tmp_path: Path, monkeypatch) -> None:
    config = MarketConfig(seed=3, start=date(2023, 1, 1), end=date(2024, 6, 28), companies=300)
    write_market(generate_market(config), tmp_path)
    body = json.loads((tmp_path / MARKET_FILE).read_text())
    assert body["companies"] == 300 and body["seed"] == 3 and body["calibrated_companies"] == 6000
    # 300 / 6,000 = 1/20: R1000 at 1,000/20 = 50, R3000 at 3,000/20 = 150
    assert market_overrides(tmp_path) == scaled_ranks(300, RULES)
    assert market_overrides(tmp_path)["rank_r1000"] == 50 and market_overrides(tmp_path)["rank_r3000"] == 150
    # an explicit override (a test's dbt_vars) wins over the market file; a folder without one has none
    monkeypatch.setenv("INDEXPIPE_DBT_VARS", '{"rank_r1000": 40}')
    assert run_overrides(tmp_path)["rank_r1000"] == 40 and run_overrides(tmp_path)["rank_r3000"] == 150
    monkeypatch.delenv("INDEXPIPE_DBT_VARS")
    assert market_overrides(tmp_path / "elsewhere") == {}
    # what the checks of a warehouse read: the rules, then what it was built with
    assert rule_vars({"rank_r1000": 50})["rank_r1000"] == 50 and rule_vars()["rank_r1000"] == 1000


def test_a_market_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    (tmp_path / MARKET_FILE).write_text("{not json")
    with pytest.raises(ValueError, match=MARKET_FILE):
        market_overrides(tmp_path)
