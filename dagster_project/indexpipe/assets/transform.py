"""dbt models as Dagster assets; dbt tests attached to models surface as asset checks."""

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from indexpipe.dbt_manifest import prepare_manifest
from indexpipe.settings import DBT_PROJECT_DIR

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
prepare_manifest()


@dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT)
def indexpipe_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build"], context=context).stream()
