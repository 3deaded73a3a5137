"""The Dagster code location: ingestion -> dbt models, on one DuckDB warehouse.

Jobs, schedules and the sensor have their own modules (indexpipe.jobs, indexpipe.schedules, indexpipe.sensors).
The ``warehouse`` resource is left unconfigured: a run names its settings in its run config (indexpipe.build),
and a run launched without them takes the code location's (indexpipe.resources).
"""

from __future__ import annotations

import dagster as dg

from indexpipe.assets.calendar import raw_xnys_sessions
from indexpipe.assets.ingestion import raw_prices, raw_reference_tables
from indexpipe.assets.quality import GE_CHECKS, published_marts
from indexpipe.assets.transform import DBT_PROJECT, indexpipe_dbt_models
from indexpipe.dbt_manifest import dbt_executable
from indexpipe.dbt_resource import IndexpipeDbtCliResource
from indexpipe.jobs import BUILD_JOB, JOBS
from indexpipe.resources import WarehouseResource
from indexpipe.schedules import SCHEDULES
from indexpipe.sensors import SENSORS

__all__ = ["BUILD_JOB", "defs"]

defs = dg.Definitions(
    assets=[raw_xnys_sessions, raw_reference_tables, raw_prices, indexpipe_dbt_models, published_marts],
    asset_checks=GE_CHECKS,
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources={
        "warehouse": WarehouseResource(),
        "dbt": IndexpipeDbtCliResource(
            project_dir=DBT_PROJECT,
            profiles_dir=str(DBT_PROJECT.profiles_dir),
            dbt_executable=dbt_executable(),
        ),
    },
    # DuckDB takes one writer at a time: every step of every run executes in one process, one after another.
    executor=dg.in_process_executor,
)
