"""dbt models as Dagster assets; dbt tests attached to models surface as asset checks.

A run for one price partition (the daily calculation) runs the incremental models (security returns, the
daily index sums, the levels) for that day only, passing it as the dbt var ``incremental_from``; every other
run (a build of a whole input directory, a reconstitution) rebuilds them with ``--full-refresh``, so history
always follows the inputs.
"""

import json
import os

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from indexpipe.assets.ingestion import is_one_partition_run
from indexpipe.dbt_child import PARENT_VARIABLE
from indexpipe.dbt_manifest import prepare_manifest
from indexpipe.resources import WarehouseResource
from indexpipe.rules import DBT_VARS_ENV
from indexpipe.settings import DBT_PROJECT_DIR

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
prepare_manifest()


def dbt_build_args(incremental_from: str | None = None) -> list[str]:
    """`dbt build`, with rule overrides from INDEXPIPE_DBT_VARS (JSON) when set (tests with tiny markets); a full
    refresh unless the run computes one day (`incremental_from`, an ISO date)."""
    overrides = os.environ.get(DBT_VARS_ENV, "").strip()
    dbt_vars = json.loads(overrides) if overrides not in ("", "{}") else {}
    args = ["build"]
    if incremental_from:
        dbt_vars["incremental_from"] = incremental_from
        # the tests of the price view's children (the returns' key: every return) re-read 15M rows; builds run them
        args += ["--exclude", "stg_prices+1,resource_type:test"]
    else:
        args.append("--full-refresh")
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars, sort_keys=True)]
    return args


def one_day_of(run: dg.DagsterRun) -> str | None:
    """The single price partition a run computes (the daily calculation), or None for a range or no partition."""
    return run.tags.get("dagster/partition") if is_one_partition_run(run) else None


@dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT)
def indexpipe_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    # dbt writes the run's copy of the warehouse (the resource points DUCKDB_PATH at it for the run)
    context.log.info(f"dbt writes {warehouse.db_path}")
    os.environ[PARENT_VARIABLE] = str(os.getpid())  # for indexpipe-dbt: who its parent must be
    try:
        invocation = dbt.cli(dbt_build_args(one_day_of(context.run)), context=context)
    finally:
        os.environ.pop(PARENT_VARIABLE, None)
    yield from invocation.stream()
    warehouse.note_models_built()
