"""Run the whole asset graph through Dagster in this process, the way ``indexpipe build`` does."""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from indexpipe.assets.ingestion import validated_input, validated_window
from indexpipe.quality.runner import warm_up
from indexpipe.resources import RUN_OVERHEAD
from indexpipe.rules import DBT_VARS_ENV
from indexpipe.settings import Settings
from indexpipe.warehouse.lock import warehouse_lock
from indexpipe.warehouse.staging import check_usable

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


class BuildError(RuntimeError):
    """A run failed; the message is the first failing step's error, on one line."""


@dataclass(frozen=True)
class BuildResult:
    run_id: str
    seconds: float
    first_price_date: date
    last_price_date: date
    table_rows: dict[str, int]
    load_rates: dict[str, tuple[int, float]]  # raw table -> (rows loaded, seconds), from the asset metadata
    # Dagster step -> seconds (e.g. indexpipe_dbt_models = the whole dbt build), and the warehouse copy and commit
    step_seconds: dict[str, float]
    # what the input lacked or could not match (absent optional tables, list entries naming no security)
    notes: tuple[str, ...] = ()


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def price_partition_range(first: date, last: date) -> tuple[str, str]:
    """Partition keys (weekdays) spanning the price dates; trading days are weekdays, --through may not be."""
    start = first
    while start.weekday() >= 5:
        start += timedelta(days=1)
    return start.isoformat(), _weekday_on_or_before(last).isoformat()


def warehouse_table_rows(db_path: Path) -> dict[str, int]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema not in ('information_schema') order by 1"
        ).fetchall()
        return {name: con.execute(f"select count(*) from {name}").fetchone()[0] for (name,) in tables}


def build(
    settings: Settings, through: date | None = None, log_level: str = "WARNING", dbt_vars: dict | None = None
) -> BuildResult:
    """Validate the input directory, then materialize every asset and check into the warehouse.

    ``dbt_vars`` overrides rule parameters of dbt_project.yml (e.g. scaled breakpoint ranks for a tiny test market).
    """
    started = time.perf_counter()
    warm_up()
    settings.export()
    os.environ[DBT_VARS_ENV] = json.dumps(dbt_vars or {}, sort_keys=True)
    # fail fast, before Dagster starts and before the warehouse is opened; the ingestion assets reuse this result
    validated = validated_input(settings.input_dir)
    first, last = validated.prices_min_date, validated.prices_max_date
    if through is not None:
        if through < first:
            raise BuildError(f"--through {through} is before the first price date {first}")
        last = min(last, through)
    start_key, end_key = price_partition_range(first, last)

    from indexpipe.definitions import BUILD_JOB, defs  # imports dbt's manifest: only after the paths are set

    job = defs.resolve_job_def(BUILD_JOB.name)
    # one writer for the whole run (the run's resource takes the same lock again, re-entrantly)
    with warehouse_lock(settings.duckdb_path):
        check_usable(settings.duckdb_path)
        result = job.execute_in_process(
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            tags={RANGE_START_TAG: start_key, RANGE_END_TAG: end_key},
            raise_on_error=False,
        )
        if not result.success:
            raise BuildError(_first_failure(result))
        return _build_result(result, started, first, last, settings, validated.notes)


def calculate_day(
    settings: Settings, day: date, log_level: str = "WARNING", dbt_vars: dict | None = None
) -> BuildResult:
    """The daily index calculation for one trading day on an already built warehouse: that day's prices (the
    input directory's file or its ``prices/<day>.csv``), then the security returns, daily index sums and levels of
    that day only (incremental dbt models), the period and contribution marts, their checks and publication."""
    started = time.perf_counter()
    warm_up()
    settings.export()
    os.environ[DBT_VARS_ENV] = json.dumps(dbt_vars or {}, sort_keys=True)
    # that day's prices only, against the lines the warehouse holds: the build validated everything else
    validated_window(settings.input_dir, day, day, settings.duckdb_path)

    from indexpipe.automation import DAILY_JOB
    from indexpipe.definitions import defs

    with warehouse_lock(settings.duckdb_path):
        check_usable(settings.duckdb_path)
        result = defs.resolve_job_def(DAILY_JOB.name).execute_in_process(
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            partition_key=day.isoformat(),
            raise_on_error=False,
        )
        if not result.success:
            raise BuildError(_first_failure(result))
        return _build_result(result, started, day, day, settings)


def _build_result(
    result, started: float, first: date, last: date, settings: Settings, notes: tuple[str, ...] = ()
) -> BuildResult:
    return BuildResult(
        run_id=result.run_id,
        seconds=time.perf_counter() - started,
        first_price_date=first,
        last_price_date=last,
        table_rows=warehouse_table_rows(settings.duckdb_path),
        load_rates=_load_rates(result),
        step_seconds={
            **{
                event.step_key: event.event_specific_data.duration_ms / 1000
                for event in result.get_step_success_events()
            },
            **RUN_OVERHEAD.pop(result.run_id, {}),
        },
        notes=notes,
    )


def _load_rates(result) -> dict[str, tuple[int, float]]:
    rates: dict[str, tuple[int, float]] = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        key = materialization.asset_key.path
        if key[0] == "raw" and {"rows", "seconds"} <= materialization.metadata.keys():
            rates[key[-1]] = (
                materialization.metadata["rows"].value,
                materialization.metadata["seconds"].value,
            )
    return rates


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _one_line(text: str) -> str:
    """dbt colours its log: no escape codes and no line breaks in a one-line reason."""
    return " ".join(_ANSI.sub("", text).split())


def _first_failure(result) -> str:
    # a failed blocking check is the reason the run stopped: name it and its expectation
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            return (
                f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed: "
                f"{_one_line(evaluation.description or '')}"
            )
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None and "dagster" in (error.cls_name or "").lower():
                error = error.cause
            return f"step {event.step_key} failed: {_one_line(error.message)}"
    for event in result.all_events:
        # a run that failed before any step (the warehouse resource could not start): its error
        error = getattr(event.event_specific_data, "error", None)
        if event.is_failure and error is not None:
            while error.cause is not None and "dagster" in (error.cls_name or "").lower():
                error = error.cause
            return _one_line(error.message)
    return "the run failed (see the Dagster log above)"
