"""Great Expectations invariants as blocking Dagster asset checks (issue 4).

One warehouse is built from a crafted market (the banding market, conftest.py's banding_warehouse, which other files
read too); each test copies it, breaks one invariant on purpose, then runs the check with what it guards: the check
must fail, name the failing rows, and stop the downstream assets (the published snapshot after a mart, the dbt models
after a raw table). A correct warehouse passes them all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from indexpipe.assets.calendar import raw_xnys_sessions
from indexpipe.assets.ingestion import raw_prices, raw_reference_tables
from indexpipe.assets.quality import GE_CHECKS, published_marts
from indexpipe.assets.transform import indexpipe_dbt_models
from indexpipe.cli import main
from indexpipe.dbt_manifest import prepare_manifest
from indexpipe.definitions import defs as project_defs
from indexpipe.quality.frames import discover_frames
from indexpipe.quality.runner import run_frame
from indexpipe.rules import DBT_VARS_ENV, explicit_overrides
from indexpipe.settings import DBT_PROJECT_DIR, DUCKDB_PATH_VARIABLE
from indexpipe.warehouse.published import published_link, snapshots_dir
from recon_fixtures import BANDING_VARS, SCALED_VARS

CHECKS = {next(iter(check.check_keys)).name: check for check in GE_CHECKS}

# The crafted market moves every close from its 2023 to its 2024 level on 2023-08-01 with no recorded event
# (R2000G +87% that day): the shared build's daily-move bound is raised above it (to 1.0), and the tampered jumps
# below go beyond it.
QUALITY_VARS = BANDING_VARS


def _jump(index_code: str, day: str, factor: float) -> list[str]:
    """Multiply an index's levels from ``day`` on by ``factor``, with that day's returns to match (a clean jump)."""
    return [
        f"update main.fct_index_levels set price_level = price_level * {factor}, "
        f"total_return_level = total_return_level * {factor} where index_code = '{index_code}' "
        f"and date >= date '{day}'",
        f"update main.fct_index_levels set price_return = (1 + price_return) * {factor} - 1, "
        f"total_return = (1 + total_return) * {factor} - 1 where index_code = '{index_code}' "
        f"and date = date '{day}'",
    ]


@pytest.fixture(scope="module")
def good_db(banding_warehouse: Path) -> Path:
    db = banding_warehouse  # conftest.py, built with QUALITY_VARS; the tests below change only copies of it
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from main.fct_index_membership").fetchone()[0] > 0
    return db


@pytest.fixture
def warehouse(good_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # as the process that built it: a dbt step of a guard job would run with the same vars (the checks read views
    # the build made with them)
    monkeypatch.setenv(DBT_VARS_ENV, json.dumps(QUALITY_VARS))
    copy = tmp_path / "w.duckdb"
    shutil.copy(good_db, copy)
    return copy


def _tamper(db: Path, *statements: str) -> None:
    with duckdb.connect(str(db)) as con:
        for sql in statements:
            con.execute(sql)


def _guard_job(db: Path, check_names: list[str], downstream: list[dg.AssetKey]) -> dg.JobDefinition:
    """The project's assets and checks on a copied warehouse, with a job of some checks and what they guard."""
    job = dg.define_asset_job(
        "guard",
        selection=dg.AssetSelection.checks(*[CHECKS[n] for n in check_names])
        | dg.AssetSelection.assets(*downstream),
    )
    defs = dg.Definitions(
        assets=[raw_xnys_sessions, raw_reference_tables, raw_prices, indexpipe_dbt_models, published_marts],
        asset_checks=GE_CHECKS,
        jobs=[job],
        resources={
            **project_defs.resources,
            "warehouse": dg.ResourceDefinition.hardcoded_resource(_Warehouse(db)),
        },
        executor=dg.in_process_executor,
    )
    return defs.resolve_job_def("guard")


def _guard(db: Path, check_name: str, downstream: list[dg.AssetKey]) -> dg.ExecuteInProcessResult:
    return _guard_job(db, [check_name], downstream).execute_in_process(raise_on_error=False)


class _Warehouse:
    """The warehouse resource's interface, pointed at a copied DuckDB file."""

    def __init__(self, db: Path) -> None:
        self.db_path = self.live_path = db  # no run copy: the checks read, and publication writes, beside db
        self.input_path = db.parent
        # as the resource left unconfigured: the process's overrides (INDEXPIPE_DBT_VARS, set by the fixtures)
        self.rule_overrides = explicit_overrides()

    def stage_publication(self, snapshot: Path, fingerprints: dict[str, str]) -> bool:
        return False  # outside a run of the real resource: published_marts swaps the link at once

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            yield con


def _materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        e.event_specific_data.materialization.asset_key.to_user_string()
        for e in result.get_asset_materialization_events()
    }


MART_CASES = {
    "security_in_r1000_and_r2000": (
        "fct_index_membership_partitions",
        [
            "insert into main.fct_index_membership select 'R2000', security_id, company_id, valid_from, valid_to, 1.0, "
            "'reconstitution' from main.fct_index_membership where index_code = 'R1000' and security_id = 'A01_1'"
        ],
        ["r1000_and_r2000", "A01_1"],
    ),
    "microcap_member_in_r1000": (
        "fct_index_membership_partitions",
        [
            "insert into main.fct_index_membership select 'RMICRO', security_id, company_id, valid_from, valid_to, 1.0, "
            "'reconstitution' from main.fct_index_membership where index_code = 'R1000' and security_id = 'A02_1'"
        ],
        ["micro_in_r1000", "A02_1"],
    ),
    "top50_outside_top200": (
        "fct_index_membership_partitions",
        ["delete from main.fct_index_membership where index_code = 'RTOP200' and security_id = 'A01_1'"],
        ["broken_top_nesting", "A01_1"],
    ),
    "r2500_not_r3000_minus_top500": (
        "fct_index_membership_partitions",
        ["delete from main.fct_index_membership where index_code = 'R2500' and security_id = 'A09_1'"],
        ["r2500", "A09_1"],
    ),
    "overlapping_intervals": (
        "fct_index_membership_intervals",
        [
            "insert into main.fct_index_membership select index_code, security_id, company_id, valid_from + 5, "
            "valid_to, 1.0, event from main.fct_index_membership where index_code = 'R3000' and security_id = 'A03_1'"
        ],
        ["overlaps_next", "A03_1"],
    ),
    "interval_ends_before_it_starts": (
        "fct_index_membership_intervals",
        [
            "update main.fct_index_membership set valid_to = valid_from where index_code = 'R1000' "
            "and security_id = 'A13_1'"
        ],
        ["interval_ordered", "A13_1"],
    ),
    "weights_sum_to_1_01": (
        "fct_index_holdings_dates",
        [
            "update main.fct_index_holdings set weight = weight * 1.01 where index_code = 'R1000' "
            "and as_of_date = date '2024-06-28'"
        ],
        ["weight_sum", "R1000", "2024-06-28"],
    ),
    "negative_weight": (
        "fct_index_holdings_dates",
        [
            "update main.fct_index_holdings set weight = -weight where index_code = 'RMID' "
            "and as_of_date = date '2024-06-28' and security_id = 'A05_1'"
        ],
        ["negative_weights", "RMID"],
    ),
    "float_cap_above_total_cap": (
        "fct_index_holdings_dates",
        [
            "update main.fct_index_holdings set float_market_cap = 2 * total_market_cap where index_code = 'R3000E' "
            "and as_of_date = date '2024-06-28' and security_id = 'A05_1'"
        ],
        ["float_above_total", "R3000E"],
    ),
    "member_not_eligible": (
        "fct_rank_day_universe_rows",
        [
            "update main.fct_rank_day_universe set eligible = false, ineligible_reason = 'non_us' "
            "where recon_id = '2024-06' and company_id = 'A04'"
        ],
        ["member_not_eligible", "A04"],
    ),
    "ineligible_without_reason": (
        "fct_rank_day_universe_rows",
        [
            "update main.fct_rank_day_universe set ineligible_reason = null "
            "where recon_id = '2024-06' and company_id = (select min(company_id) from main.fct_rank_day_universe "
            "where recon_id = '2024-06' and not eligible)"
        ],
        ["has_no_reason", "2024-06"],
    ),
    "gap_in_ranks": (
        "fct_rank_day_universe_rows",
        [
            "update main.fct_rank_day_universe set size_rank = size_rank + 1 where recon_id = '2024-06' "
            "and size_rank >= 7"
        ],
        ["rank_step", "2024-06"],
    ),
    "cumulative_percentage_falls": (
        "fct_rank_day_universe_rows",
        [
            "update main.fct_rank_day_universe set cum_cap_pct = 0.01 where recon_id = '2024-06' and size_rank = 5"
        ],
        ["cum_pct_step", "2024-06"],
    ),
    "input_dated_after_rank_day": (
        "fct_rank_day_universe_rows",
        [
            "update main.fct_rank_day_universe set latest_input_date = rank_date + 1 "
            "where recon_id = '2024-06' and company_id = 'A06'"
        ],
        ["uses_input_after_rank_day", "A06"],
    ),
    "r1000_count_out_of_range": (
        "fct_rank_day_universe_reconstitutions",
        [
            "update intermediate.int_reconstitution_chain set in_r1000 = false "
            "where kind = 'universe' and recon_id = '2024-06' and size_rank between 1 and 5"
        ],
        ["r1000_count_in_range", "2024-06"],
    ),
    "r3000_not_r1000_plus_r2000": (
        "fct_rank_day_universe_reconstitutions",
        ["delete from main.fct_index_membership where index_code = 'R3000' and security_id = 'A14_1'"],
        ["r3000_is_r1000_plus_r2000", "2024-06"],
    ),
    "breakpoint_out_of_range": (
        "fct_rank_day_universe_reconstitutions",
        [
            "update main.fct_rank_day_universe set cum_cap_pct = 0.5 where recon_id = '2024-06' and size_rank = 10"
        ],
        ["breakpoint_in_range", "2024-06"],
    ),
    "cumulative_percentage_short_of_100": (
        "fct_rank_day_universe_reconstitutions",
        ["update main.fct_rank_day_universe set cum_cap_pct = cum_cap_pct * 0.9 where recon_id = '2023-06'"],
        ["final_cum_pct", "2023-06"],
    ),
    "industry_weights_not_summing_to_1": (
        "fct_industry_weights_dates",
        [
            "update main.fct_industry_weights set weight = weight + 0.01 where index_code = 'R1000' "
            "and icb_industry = 'Technology' and as_of_date = date '2024-06-28'"
        ],
        ["weight_sum", "R1000", "2024-06-28"],
    ),
    "value_probability_in_forbidden_range": (
        "fct_style_scores",
        [
            "update main.fct_style_scores set value_probability = 0.97, growth_probability = 0.03 "
            "where recon_id = '2024-06' and security_id = 'A13_1'"
        ],
        ["value_probability_forbidden", "growth_probability_forbidden", "2024-06", "A13_1"],
    ),
    "growth_plus_value_not_1": (
        "fct_style_scores",
        [
            "update main.fct_style_scores set growth_probability = 0.8 where recon_id = '2024-06' "
            "and security_id = 'A13_1'"
        ],
        ["value_growth_gap", "2024-06", "A13_1"],
    ),
    "defensive_probability_on_a_microcap_base": (
        "fct_style_scores",
        [
            "update main.fct_style_scores set defensive_probability = 0.5, dynamic_probability = 0.5 "
            "where recon_id = '2024-06' and security_id = 'G1_1' and base_index_code = 'RMICRO'"
        ],
        ["stability_pair_misplaced", "G1_1", "RMICRO"],
    ),
    "reconstitution_row_without_cvs": (
        "fct_style_scores",
        ["update main.fct_style_scores set cvs = null where recon_id = '2024-06' and security_id = 'A05_1'"],
        ["reconstitution_without_cvs", "A05_1"],
    ),
    "duplicate_style_score_row": (
        "fct_style_scores",
        [
            "insert into main.fct_style_scores select * from main.fct_style_scores "
            "where recon_id = '2024-06' and security_id = 'A14_1'"
        ],
        ["expect_compound_columns_to_be_unique(recon_id, company_id, valid_from)", "A14_1"],
    ),
    "style_input_dated_after_rank_day": (
        "fct_style_scores",
        [
            "update main.fct_style_scores set latest_input_date = rank_date + 1 "
            "where recon_id = '2024-06' and security_id = 'A05_1'"
        ],
        ["uses_input_after_rank_day", "2024-06", "A05_1"],
    ),
    "value_holding_missing_from_its_pair": (
        "fct_index_holdings_style_pairs",
        [
            "delete from main.fct_index_holdings where index_code = 'R1000V' and security_id = 'A04_1' "
            "and as_of_date = date '2024-06-28'"
        ],
        ["relative_difference", "securities_not_adding_up", "R1000", "growth_value", "2024-06-28"],
    ),
    "style_parts_not_adding_up_per_security": (
        "fct_index_holdings_style_pairs",
        [  # the pair's total is unchanged: only the per-security check sees it
            "update main.fct_index_holdings set float_market_cap = float_market_cap + 1e9 "
            "where index_code = 'R1000G' and security_id = 'A02_1' and as_of_date = date '2024-06-28'",
            "update main.fct_index_holdings set float_market_cap = float_market_cap - 1e9 "
            "where index_code = 'R1000G' and security_id = 'A03_1' and as_of_date = date '2024-06-28'",
        ],
        ["securities_not_adding_up", "R1000", "growth_value", "2024-06-28"],
    ),
    "dynamic_side_missing_on_a_date": (
        "fct_index_holdings_style_pairs",
        [
            "delete from main.fct_index_holdings where index_code = 'R2000DYN' and as_of_date = date '2024-06-28'"
        ],
        ["relative_difference", "R2000", "defensive_dynamic", "2024-06-28"],
    ),
    "negative_index_level": (
        "fct_index_levels",
        [
            "update main.fct_index_levels set price_level = -1 where index_code = 'RMID' "
            "and date = date '2024-05-15'"
        ],
        ["non_positive_levels", "RMID", "2024-05-15"],
    ),
    "index_level_jump_without_an_event": (
        "fct_index_levels",
        _jump("R1000", "2024-02-13", 2.5),  # +150%, above the bound of 1.0; no rebalance, no corporate action
        ["unexplained_moves", "R1000", "2024-02-13"],
    ),
    "daily_return_not_matching_the_levels": (
        "fct_index_levels",
        [
            "update main.fct_index_levels set price_return = price_return + 0.001, "
            "total_return = total_return + 0.001 where index_code = 'R2000' and date = date '2024-04-16'"
        ],
        ["max_price_return_gap", "max_total_return_gap", "R2000", "2024-04-16"],
    ),
    "duplicate_index_level_row": (
        "fct_index_levels",
        [
            "insert into main.fct_index_levels select * from main.fct_index_levels "
            "where index_code = 'R3000' and date = date '2024-01-31'"
        ],
        ["duplicate_dates", "R3000", "2024-01-31"],
    ),
    "month_return_not_chaining_to_the_levels": (
        "fct_index_period_returns",
        [
            "update main.fct_index_period_returns set total_return = total_return + 0.01 "
            "where index_code = 'R2000' and period_type = 'month' and period_end = date '2024-05-31'"
        ],
        ["total_chain_gap", "R2000", "month", "2024-05-31"],
    ),
    "growth_of_1000_off_the_levels": (
        "fct_index_period_returns",
        [
            "update main.fct_index_period_returns set growth_of_1000 = growth_of_1000 * 1.001 "
            "where index_code = 'RTOP50' and period_type = 'quarter' and period_end = date '2023-12-29'"
        ],
        ["growth_of_1000_gap", "RTOP50", "quarter", "2023-12-29"],
    ),
    "contributions_not_summing_to_the_index_return": (
        "fct_industry_contribution",
        [
            "update main.fct_industry_contribution set contribution = contribution + 0.001 "
            "where index_code = 'RMID' and period_type = 'quarter' and period_end = date '2024-03-28'"
        ],
        ["contribution_gap", "RMID", "quarter", "2024-03-28"],
    ),
    "period_without_contributions": (
        "fct_industry_contribution",
        [
            "delete from main.fct_industry_contribution where index_code = 'R2500' and period_type = 'month' "
            "and period_end = date '2024-04-30'"
        ],
        ["expect_column_values_to_not_be_null(period_return_gap)", "R2500", "month", "2024-04-30"],
    ),
    "unknown_change_type": (
        "fct_reconstitution_changes",
        [
            "update main.fct_reconstitution_changes set change_type = 'shuffle' where security_id = 'A08_1' "
            "and recon_id = '2024-06'"
        ],
        ["change_type", "A08_1"],
    ),
    "preview_probabilities_not_adding_up": (
        "fct_reconstitution_preview",
        [
            "update main.fct_reconstitution_preview set p_stay = p_stay + 0.1 where company_id = 'A09' "
            "and preview_date = date '2024-04-02'"
        ],
        ["max_outcome_gap", "2024-06@2024-04-02", "A09"],
    ),
    "preview_addition_of_a_member": (
        "fct_reconstitution_preview",
        [
            "update main.fct_reconstitution_preview set p_add = 0.2, p_stay = p_stay - 0.2 where company_id = 'A10' "
            "and preview_date = date '2024-03-04'"
        ],
        ["impossible_outcomes", "2024-06@2024-03-04", "A10"],
    ),
    "preview_reads_a_price_after_its_date": (
        "fct_reconstitution_preview",
        [
            "update main.fct_reconstitution_preview set latest_input_date = preview_date + 1 "
            "where company_id = 'A05' and preview_date = date '2024-04-16'"
        ],
        ["rows_with_input_after_preview_date", "2024-06@2024-04-16", "A05"],
    ),
    "trade_demand_weights_not_netting_out": (
        "fct_reconstitution_trade_demand",
        [
            "update main.fct_reconstitution_trade_demand set weight_change = weight_change + 0.01 "
            "where recon_id = '2024-06' and index_code = 'R2000' and security_id = 'A09_1'"
        ],
        ["weight_change_sum", "2024-06", "R2000"],
    ),
    "trade_demand_selling_an_addition": (
        "fct_reconstitution_trade_demand",
        [
            "update main.fct_reconstitution_trade_demand set shares_to_trade = -shares_to_trade "
            "where recon_id = '2024-06' and index_code = 'R1000' and security_id = 'A08_1'"
        ],
        ["shares_of_the_wrong_sign", "2024-06", "R1000"],
    ),
}


@pytest.mark.parametrize("case", sorted(MART_CASES))
def test_a_broken_mart_invariant_fails_its_check_and_blocks_publication(warehouse: Path, case: str) -> None:
    check_name, statements, named = MART_CASES[case]
    _tamper(warehouse, *statements)
    result = _guard(warehouse, check_name, [published_marts.key])
    assert not result.success
    evaluation = next(e for e in result.get_asset_check_evaluations() if e.check_name == check_name)
    assert not evaluation.passed
    for text in named:  # the failing expectation's column and the failing rows
        assert text in evaluation.description, (text, evaluation.description)
    assert published_marts.key.to_user_string() not in _materialized(result)
    assert not published_link(warehouse).exists()
    assert not snapshots_dir(warehouse).exists()


@pytest.mark.parametrize(
    ("day", "action_type", "explained"),
    [
        ("2024-03-18", None, True),  # the first session of the 2024-Q1 review
        ("2024-02-13", "stock_merger", True),  # a member's corporate action goes ex that day
        ("2024-02-13", "cash_dividend", False),  # an ordinary dividend explains no jump
    ],
)
def test_a_jump_is_explained_by_a_rebalance_or_a_members_corporate_action(
    warehouse: Path, day: str, action_type: str | None, explained: bool
) -> None:
    statements = _jump("R1000", day, 2.5)
    if action_type:
        statements.append(
            "insert into raw.corporate_actions values "
            f"('X1', 'A05_1', date '{day}', '{action_type}', 1.0, 1.0, null)"
        )
    _tamper(warehouse, *statements)
    frame = next(f for f in discover_frames() if f.name == "fct_index_levels")
    assert run_frame(frame, warehouse).success == explained


def test_the_daily_move_bound_is_a_var_of_the_check_view_s_build(warehouse: Path, tmp_path: Path) -> None:
    # the crafted 2023-08-01 step (R2000G +87%) is within the build's bound of 100%; the view rebuilt by a dbt run
    # with the bound lowered to 25% flags that day (once here, not after each tampered jump above: a dbt run each)
    frame = next(f for f in discover_frames() if f.name == "fct_index_levels")
    assert run_frame(frame, warehouse).success
    _rebuild_check_view(
        warehouse,
        "chk_fct_index_levels",
        {**QUALITY_VARS, "max_unexplained_daily_index_move": 0.25},
        tmp_path,
    )
    outcome = run_frame(frame, warehouse)
    assert not outcome.success and "2023-08-01" in outcome.summary()


def _rebuild_check_view(db: Path, model: str, dbt_vars: dict[str, object], scratch: Path) -> None:
    """``dbt run`` of one check view on ``db`` with ``dbt_vars`` (the marts stay as they are)."""
    run = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "run", "--select", model, "--vars", json.dumps(dbt_vars),
         "--target-path", str(scratch / "target"), "--log-path", str(scratch / "logs")],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, DUCKDB_PATH_VARIABLE: str(db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]


# what the load must keep (the file's values are the input validator's rules, tested in test_ingest_validation.py)
RAW_CASES = {
    "duplicate_price": (
        "raw_prices",
        [
            "insert into raw.prices select * from raw.prices where security_id = 'A01_1' and date = date '2024-01-02'"
        ],
        ["duplicate_keys", "2024-01-02"],
    ),
    "duplicate_security": (
        "raw_securities",
        ["insert into raw.securities select * from raw.securities where security_id = 'A07_1'"],
        ["security_id", "A07_1"],
    ),
    "shares_of_an_unknown_security": (
        "raw_shares",
        ["update raw.shares set security_id = 'NOPE_1' where security_id = 'A11_1'"],
        ["known_security", "NOPE_1"],
    ),
}


@pytest.mark.parametrize("case", sorted(RAW_CASES))
def test_a_broken_raw_table_stops_the_models(warehouse: Path, case: str) -> None:
    check_name, statements, named = RAW_CASES[case]
    _tamper(warehouse, *statements)
    models = list(indexpipe_dbt_models.keys)
    result = _guard(warehouse, check_name, models)
    assert not result.success
    evaluation = next(e for e in result.get_asset_check_evaluations() if e.check_name == check_name)
    assert not evaluation.passed
    for text in named:
        assert text in evaluation.description, (text, evaluation.description)
    assert not _materialized(result) & {key.to_user_string() for key in models}


def test_a_correct_warehouse_passes_every_check_and_publishes(warehouse: Path) -> None:
    job = _guard_job(warehouse, list(CHECKS), [published_marts.key])
    result = job.execute_in_process(raise_on_error=False)
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == len(GE_CHECKS) and all(e.passed for e in evaluations)
    published = published_link(warehouse)
    assert published.is_symlink()  # swapped in atomically
    manifest = json.loads((published / "manifest.json").read_text())
    assert manifest["tables"]["fct_index_membership"] > 0
    assert (
        duckdb.sql(f"select count(*) from '{published}/fct_index_membership.parquet'").fetchall()[0][0]
        == (manifest["tables"]["fct_index_membership"])
    )
    # publishing again swaps the link to a new snapshot and removes the old one
    first = published.resolve()
    assert job.execute_in_process(raise_on_error=False).success
    assert published.resolve() != first and not first.exists()
    assert [p.name for p in snapshots_dir(warehouse).iterdir()] == [published.resolve().name]


def test_validate_command_passes_a_good_warehouse_and_fails_a_broken_one(
    warehouse: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no overrides in this process: the checks read views built with the run's scaled breakpoints
    monkeypatch.delenv(DBT_VARS_ENV)
    assert main(["validate", "--db", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert f"{len(GE_CHECKS)} passed, 0 failed" in out
    _tamper(warehouse, *MART_CASES["weights_sum_to_1_01"][1])
    assert main(["validate", "--db", str(warehouse)]) == 1
    captured = capsys.readouterr()
    assert "FAIL fct_index_holdings_dates" in captured.out and "weight_sum" in captured.out
    assert "1 suite(s) failed: fct_index_holdings_dates" in captured.err
    # the check views hold the breakpoints of the run that built them (#10, not dbt_project.yml's #1,000)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = con.execute(
            "select distinct expected_r1000 from checks.chk_fct_rank_day_universe_reconstitutions"
        ).fetchall()
    assert expected == [(SCALED_VARS["rank_r1000"],)]


def _declared_not_null_columns() -> set[tuple[str, str]]:
    """(mart, column) pairs whose enforced contract carries a not_null constraint, as dbt parsed them."""
    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    return {
        (node["name"], column["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/")
        for column in node["columns"].values()
        if any(constraint["type"] == "not_null" for constraint in column.get("constraints", []))
    }


def test_not_null_columns_of_the_marts_are_refused_by_the_warehouse(warehouse: Path) -> None:
    # the marts' not-null rules are contract constraints, not dbt tests: the built tables must hold them
    declared = _declared_not_null_columns()
    assert ("fct_index_membership", "security_id") in declared and ("dim_index", "index_code") in declared
    with duckdb.connect(str(warehouse)) as con:
        nullable = dict(
            ((table, column), is_nullable)
            for table, column, is_nullable in con.execute(
                "select table_name, column_name, is_nullable from information_schema.columns "
                "where table_schema = 'main'"
            ).fetchall()
        )
        assert {key: nullable.get(key) for key in declared} == {key: "NO" for key in declared}
        with pytest.raises(duckdb.ConstraintException, match="NOT NULL"):
            con.execute("update main.fct_index_membership set security_id = null where rowid = 0")
