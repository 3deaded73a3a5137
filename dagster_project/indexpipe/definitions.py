"""The Dagster code location: ingestion -> dbt models, on one DuckDB warehouse."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from indexpipe.assets.calendar import raw_xnys_sessions
from indexpipe.assets.ingestion import raw_prices, raw_reference_tables
from indexpipe.assets.quality import GE_CHECKS, published_marts
from indexpipe.assets.transform import DBT_PROJECT, indexpipe_dbt_models
from indexpipe.automation import AUTOMATION_JOBS, AUTOMATION_SCHEDULES, AUTOMATION_SENSORS
from indexpipe.dbt_manifest import dbt_executable
from indexpipe.instance import WAREHOUSE_TAG
from indexpipe.resources import WarehouseResource
from indexpipe.settings import current_settings

# Publish defaults for whatever is unset, so dbt's profile (env_var DUCKDB_PATH) and the resources agree.
current_settings().export()

BUILD_JOB = dg.define_asset_job(
    "build_all",
    selection=dg.AssetSelection.all(),
    description="Ingest the input directory and build every model and check. Launched without a partition (the "
    "UI's launchpad), it loads the input's whole price range.",
    tags=WAREHOUSE_TAG,
)

defs = dg.Definitions(
    assets=[raw_xnys_sessions, raw_reference_tables, raw_prices, indexpipe_dbt_models, published_marts],
    asset_checks=GE_CHECKS,
    jobs=[BUILD_JOB, *AUTOMATION_JOBS],
    schedules=AUTOMATION_SCHEDULES,
    sensors=AUTOMATION_SENSORS,
    resources={
        "warehouse": WarehouseResource(
            input_dir=dg.EnvVar("INDEXPIPE_DATA_DIR"), duckdb_path=dg.EnvVar("DUCKDB_PATH")
        ),
        "dbt": DbtCliResource(
            project_dir=DBT_PROJECT,
            profiles_dir=str(DBT_PROJECT.profiles_dir),
            dbt_executable=dbt_executable(),
        ),
    },
    # DuckDB takes one writer at a time: every step of every run executes in one process, one after another.
    executor=dg.in_process_executor,
)
