"""dbt models as Dagster assets; dbt tests attached to models surface as asset checks."""

import os

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from indexpipe.dbt_manifest import prepare_manifest
from indexpipe.rules import DBT_VARS_ENV
from indexpipe.settings import DBT_PROJECT_DIR

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
prepare_manifest()


def dbt_build_args() -> list[str]:
    """`dbt build`, with rule overrides from INDEXPIPE_DBT_VARS (JSON) when set (tests with tiny markets)."""
    overrides = os.environ.get(DBT_VARS_ENV, "").strip()
    return ["build", "--vars", overrides] if overrides not in ("", "{}") else ["build"]


@dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT)
def indexpipe_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(dbt_build_args(), context=context).stream()
