"""Run the whole asset graph through Dagster in this process, the way ``indexpipe build`` does.

Each run names its settings (input directory, warehouse, rule overrides) in its own run config, as the config of
the ``warehouse`` resource: nothing is written to this process's environment, so runs one after another in one
process (the tests) never see each other's settings.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from indexpipe.calendars import no_calculation_reason
from indexpipe.dbt_child import warm_dbt
from indexpipe.ingest.validated_input import validated_input, validated_window
from indexpipe.instance import project_instance
from indexpipe.quality.runner import warm_up
from indexpipe.resources import RUN_OVERHEAD
from indexpipe.rules import RuleVars
from indexpipe.settings import Settings
from indexpipe.tags import PRICES_THROUGH_TAG, SOURCE_TAG
from indexpipe.warehouse.lock import warehouse_lock
from indexpipe.warehouse.staging import check_usable

if TYPE_CHECKING:
    import dagster as dg

    from indexpipe.progress import RunProgress


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
    dagster_home: Path | None = None  # the instance that holds the run, its events and logs


def warehouse_table_rows(db_path: Path) -> dict[str, int]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema not in ('information_schema') order by 1"
        ).fetchall()
        return {name: con.execute(f"select count(*) from {name}").fetchone()[0] for (name,) in tables}


def build(
    settings: Settings,
    through: date | None = None,
    log_level: str = "WARNING",
    dbt_vars: dict | None = None,
    progress: RunProgress | None = None,
    models: tuple[str, ...] = (),
) -> BuildResult:
    """Validate the input directory, then materialize every asset and check into the warehouse.

    ``dbt_vars`` overrides rule parameters of dbt_project.yml (e.g. scaled breakpoint ranks for a tiny test market).
    ``models`` (dbt model names) limits the run to those models, what they are built from and every check on them
    (indexpipe.jobs.models_with_their_inputs): a test reading a few tables of a crafted market builds only those.
    The run is recorded in the Dagster instance of ``settings.dagster_home``; ``progress`` follows its events.
    """
    started = time.perf_counter()
    warm_up()
    # fail fast, before Dagster starts and before the warehouse is opened; the ingestion assets reuse this result
    validated = validated_input(settings.input_dir)
    if progress is not None:
        files = sum(len(f) for f in validated.files.values())
        prices = validated.row_counts.get("prices", 0)
        progress.stage(
            "input", time.perf_counter() - started, f"{files} input files checked ({prices:,} price rows)"
        )
    first, last = validated.prices_min_date, validated.prices_max_date
    if through is not None:
        if through < first:
            raise BuildError(f"--through {through} is before the first price date {first}")
        last = min(last, through)

    # dbt's imports (1.5-2 s) run on the other core while Dagster starts and the inputs load; only once the input
    # was checked: a build that fails its check never runs dbt
    with warm_dbt():
        # the definitions import dbt's manifest (a parse when it is stale): only after the input was checked
        from indexpipe.definitions import defs
        from indexpipe.jobs import BUILD_JOB, models_with_their_inputs

        # one writer for the whole run (the run's resource takes the same lock again, re-entrantly)
        with warehouse_lock(settings.duckdb_path):
            check_usable(settings.duckdb_path)
            # no partition range: raw.prices loads the input's whole price range (up to --through) as one
            # materialization; one event per weekday partition would cost the instance ~10 ms each (30 s for 12 years)
            result = _execute(
                defs,
                BUILD_JOB.name,
                settings,
                dbt_vars,
                log_level,
                progress,
                tags={PRICES_THROUGH_TAG: through.isoformat()} if through is not None else None,
                asset_selection=models_with_their_inputs(defs, models) if models else None,
            )
            return _build_result(result, started, first, last, settings, validated.notes, progress)


def calculate_day(
    settings: Settings,
    day: date,
    log_level: str = "WARNING",
    dbt_vars: dict | None = None,
    progress: RunProgress | None = None,
) -> BuildResult:
    """The daily index calculation for one trading day on an already built warehouse: that day's prices (the
    input directory's file or its ``prices/<day>.csv``), then the security returns, daily index sums and levels of
    that day only (incremental dbt models), the period and contribution marts, their checks and publication."""
    started = time.perf_counter()
    if reason := no_calculation_reason(day):
        raise BuildError(reason)
    # dbt's imports (2 s) run on the other core while this process checks the day and starts Dagster
    with warm_dbt():
        warm_up()
        # that day's prices only, against the lines the warehouse holds: the build validated everything else
        validated_window(settings.input_dir, day, day, settings.duckdb_path)
        if progress is not None:
            progress.stage("input", time.perf_counter() - started)

        from indexpipe.definitions import defs
        from indexpipe.jobs import DAILY_JOB

        with warehouse_lock(settings.duckdb_path):
            check_usable(settings.duckdb_path)
            result = _execute(
                defs, DAILY_JOB.name, settings, dbt_vars, log_level, progress, partition_key=day.isoformat()
            )
            return _build_result(result, started, day, day, settings, progress=progress)


def _execute(
    defs: dg.Definitions,
    job_name: str,
    settings: Settings,
    dbt_vars: RuleVars | None,
    log_level: str,
    progress: RunProgress | None,
    tags: dict[str, str] | None = None,
    partition_key: str | None = None,
    asset_selection: list[dg.AssetKey] | None = None,
):
    """One run of ``job_name`` in this process, recorded in the project's Dagster instance (so ``make dev`` shows
    it with its materializations, check results and logs); raises ``BuildError`` with the first failure."""
    run_id = str(uuid.uuid4())
    with project_instance(settings.dagster_home) as instance:
        if progress is not None:
            progress.watch(defs)
            instance.add_event_listener(run_id, progress)
        try:
            result = defs.resolve_job_def(job_name).execute_in_process(
                run_config=run_config(settings, dbt_vars, log_level),
                instance=instance,
                run_id=run_id,
                tags={**SOURCE_TAG, **(tags or {})},
                partition_key=partition_key,
                asset_selection=asset_selection,
                raise_on_error=False,
            )
        finally:
            if progress is not None:
                progress.close()
    if not result.success:
        RUN_OVERHEAD.pop(result.run_id, None)
        raise BuildError(_first_failure(result))
    return result


def run_config(settings: Settings, dbt_vars: RuleVars | None = None, log_level: str = "WARNING") -> dict:
    """A run's settings: the ``warehouse`` resource's config (an empty ``dbt_vars`` object, not the process's
    INDEXPIPE_DBT_VARS: a build runs with the overrides it is given) and the console's log level."""
    warehouse = {
        "input_dir": str(settings.input_dir),
        "duckdb_path": str(settings.duckdb_path),
        "dbt_vars": json.dumps(dbt_vars or {}, sort_keys=True),
    }
    return {
        "resources": {"warehouse": {"config": warehouse}},
        "loggers": {"console": {"config": {"log_level": log_level}}},
    }


def _build_result(
    result,
    started: float,
    first: date,
    last: date,
    settings: Settings,
    notes: tuple[str, ...] = (),
    progress: RunProgress | None = None,
) -> BuildResult:
    overhead = RUN_OVERHEAD.pop(result.run_id, {})
    if progress is not None and "warehouse_commit" in overhead:
        progress.stage("commit", overhead["warehouse_copy"] + overhead["warehouse_commit"])
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
            **overhead,
        },
        notes=notes,
        dagster_home=settings.dagster_home,
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


_DBT_ERRORS = "Errors parsed from dbt logs:"
_DBT_LOG = re.compile(r"view the dbt debug log: (\S+?)\.?(?:\s|$)")
_DBT_STATUS = re.compile(r"^\d+ of \d+ ERROR ")
_DBT_ERROR_START = re.compile(r"^(Runtime|Database|Compilation) Error in ")


def _dbt_reason(message: str) -> str | None:
    """dbt's own first error (e.g. "Compilation Error in model fct_x (...) This model has an enforced contract that
    failed."), without dagster-dbt's framing or Python tracebacks, and where dbt's full log is."""
    if _DBT_ERRORS not in message:
        return None
    lines = []
    for line in _ANSI.sub("", message.split(_DBT_ERRORS, 1)[1]).splitlines():
        line = line.strip()
        if line.startswith("Traceback"):
            break
        if line and not line.startswith("Encountered an error"):
            lines.append(line)
        if len(lines) == 2:
            break
    if not lines:
        return None
    log = _DBT_LOG.search(message)
    if log and all(_DBT_STATUS.match(line) for line in lines):
        # dagster-dbt parsed only the status lines ("13 of 253 ERROR creating ..."): the error itself (a full
        # disk, a database error) is in dbt's log
        lines = _error_in_log(Path(log.group(1))) or lines
    return "dbt: " + " ".join(lines) + (f" (dbt log: {log.group(1)})" if log else "")


def _error_in_log(log: Path) -> list[str]:
    """The first "... Error in model x (...)" of a dbt log (JSON lines), as its first two lines."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return []
    for raw in text.splitlines():
        try:
            message = json.loads(raw).get("info", {}).get("msg", "")
        except (ValueError, AttributeError):
            continue
        if _DBT_ERROR_START.match(message):
            return [line.strip() for line in message.splitlines() if line.strip()][:2]
    return []


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
            return f"step {event.step_key} failed: {_dbt_reason(error.message) or _one_line(error.message)}"
    for event in result.all_events:
        # a run that failed before any step (the warehouse resource could not start): its error
        error = getattr(event.event_specific_data, "error", None)
        if event.is_failure and error is not None:
            while error.cause is not None and "dagster" in (error.cls_name or "").lower():
                error = error.cause
            return _one_line(error.message)
    return "the run failed (its log is in the Dagster instance: indexpipe dev)"
