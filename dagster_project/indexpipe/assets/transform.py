"""dbt models as Dagster assets; dbt tests attached to models surface as asset checks.

A run for one price partition (the daily calculation) runs the incremental models (security returns, the
daily index sums, the levels) for that day only, passing it to the dbt child in the environment variable
``INDEXPIPE_INCREMENTAL_FROM`` (macro incremental_start), next to the run's warehouse copy (``DUCKDB_PATH``,
profiles.yml); every other run (a build of a whole input directory, a reconstitution) rebuilds them with
``--full-refresh``, so history always follows the inputs. The run's settings come from its ``warehouse``
resource, never from this process's environment (indexpipe.resources).

dbt parses the project again whenever its vars or its database path change. The day is therefore not a dbt var,
the run's copy of the warehouse has one file name for every warehouse (indexpipe.warehouse.staging), which is all
dbt's profile sees (indexpipe.dbt_child), and each run's parse state is kept for the next run with the same vars
(indexpipe.dbt_parse_state), which then parses only what changed, whatever ran in between. A successful run's dbt
target directory is removed (indexpipe.dbt_target).
"""

import json

import dagster as dg

from indexpipe.assets.dbt_translator import IndexpipeTranslator
from indexpipe.dagster_dbt_import import DbtCliResource, DbtProject, dbt_assets
from indexpipe.dbt_child import child_environment
from indexpipe.dbt_manifest import prepare_manifest
from indexpipe.dbt_parse_state import keep_parse_state, seed_run_target, state_path
from indexpipe.dbt_target import run_target
from indexpipe.resources import WarehouseResource
from indexpipe.rules import RuleVars, record_overrides, run_overrides
from indexpipe.settings import DBT_PROJECT_DIR
from indexpipe.tags import one_partition

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
prepare_manifest()

INCREMENTAL_FROM_VARIABLE = "INDEXPIPE_INCREMENTAL_FROM"
INDIRECT_SELECTION_VARIABLE = "DBT_INDIRECT_SELECTION"  # read by dagster-dbt, which may override it (empty)


def dbt_build_args(incremental_from: str | None = None, overrides: RuleVars | None = None) -> list[str]:
    """`dbt build`, with rule overrides (indexpipe.rules: a small market's scaled ranks, a test's vars); a full
    refresh unless the run computes one day (`incremental_from`, an ISO date)."""
    dbt_vars = dict(overrides or {})
    # dbt unit tests check the rules on crafted rows (tests/test_rule_unit_tests.py), not the run's data, and a
    # run's rule overrides would move their edges
    args = ["build", "--exclude-resource-type", "unit_test"]
    # no manifest.json (written twice: after the parse and again at the end), run_results.json or
    # semantic_manifest.json: 0.3-0.6 s of the daily run's dbt step. Nothing reads them (dagster-dbt streams dbt's
    # log, a failure's reason comes from dbt.log, which is still written, and a successful invocation's target
    # directory is removed: indexpipe.dbt_target), and the parse state (partial_parse.msgpack) is written whatever
    # this flag says
    args.append("--no-write-json")
    if incremental_from:
        # the tests of the price view's children (the returns' key: every return) re-read 15M rows; builds run them
        args += ["--exclude", "stg_prices+1,resource_type:test"]
    else:
        args.append("--full-refresh")
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars, sort_keys=True)]
    return args


def one_day_of(run: dg.DagsterRun) -> str | None:
    """The single price partition a run computes (the daily calculation), or None for a range or no partition."""
    return one_partition(run.tags)


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, dagster_dbt_translator=IndexpipeTranslator()
)
def indexpipe_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    # dbt writes the run's copy of the warehouse
    context.log.info(f"dbt writes {warehouse.db_path}")
    overrides = run_overrides(warehouse.input_path, warehouse.rule_overrides)
    if overrides:
        context.log.info(f"rule overrides: {json.dumps(overrides, sort_keys=True)}")
    record_overrides(warehouse.db_path, overrides)  # the checks read the rules the models were built with
    day = one_day_of(context.run)
    parse_state = state_path(warehouse.db_path, overrides)
    environment = {**warehouse.dbt_environment(), INCREMENTAL_FROM_VARIABLE: day or ""}
    if context.is_subset and day is None:
        # some models of a whole build (indexpipe.build's ``models``, a selection in the UI): dbt's default (eager)
        # would also run a test of an unbuilt model that reads a built one (a relationship to dim_index) and fail
        # on the missing table; `buildable` runs every test whose models are all built or upstream. The one-day
        # run keeps its own selection.
        environment[INDIRECT_SELECTION_VARIABLE] = "buildable"
    # removed once dbt succeeded; a failure's stays for its dbt.log (indexpipe.dbt_target)
    with run_target(context.op_execution_context.op.name, context.run.run_id) as target:
        seed_run_target(target, parse_state)
        with child_environment(environment):
            invocation = dbt.cli(dbt_build_args(day, overrides), context=context, target_path=target)
        yield from invocation.stream()
        keep_parse_state(target, parse_state)
    warehouse.note_models_built()
