"""`indexpipe preview --date DATE [--recon YYYY-MM]`: a reconstitution preview on any date of a built warehouse.

A date the marts already hold (the default preview dates, docs/preview.md) is read read-only. Another date is
added by a run of the preview models alone (dbt var ``preview_dates``), through the warehouse's normal run: its run
lock, a copy of the warehouse swapped in only if every step and blocking check passed, and the publication. The
rebuilt event models (int_event_lines and the per-event models after it) then also hold the new date's event, which
no reconstitution reads. The next full build keeps only the dates of dbt_project.yml.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from indexpipe.rules import explicit_overrides, recorded_overrides
from indexpipe.settings import Settings
from indexpipe.warehouse import WarehouseError, connect_read_only, require_relations

# the models a new preview date changes: its event in the per-event models, then the preview itself
PREVIEW_MODELS = (
    "int_preview_events",
    "int_event_lines",
    "int_pricing_vehicles",
    "int_minimum_price_rescue",
    "int_event_company_vehicles",
    "int_event_companies",
    "int_preview_universe",
    "int_preview_trading",
    "fct_reconstitution_preview",
)
RECON_ID = re.compile(r"^\d{4}-(06|12)$")


class PreviewError(Exception):
    """A preview that cannot be made: one line for the user."""


@dataclass(frozen=True)
class PreviewDate:
    requested: date
    session: date  # the last session on or before the requested date
    recon_id: str | None  # as requested (None: the coming reconstitution)


@dataclass(frozen=True)
class PreviewRun:
    preview_id: str
    session: date
    recon_id: str
    ran_models: bool  # False when the marts already held the preview
    seconds: float


def resolve_date(db: Path, day: date, recon_id: str | None) -> PreviewDate:
    """The session a preview of ``day`` is dated, checked against the warehouse's prices."""
    if recon_id is not None and not RECON_ID.match(recon_id):
        raise PreviewError(f"--recon must be YYYY-06 or YYYY-12, not {recon_id!r}")
    with connect_read_only(db) as con:
        require_relations(con, ("fct_reconstitution_preview",))
        first, last = con.execute(
            "select min(trade_date), max(trade_date) from staging.stg_prices"
        ).fetchone()
        session = con.execute(
            "select max(session_date) from raw.xnys_sessions where session_date <= ?", [day]
        ).fetchone()[0]
    if first is None:
        raise PreviewError("the warehouse has no prices")
    if session is None or session < first:
        raise PreviewError(f"{day} is before the first price date {first}")
    if session > last:
        raise PreviewError(
            f"{day} is after the last price date {last}: a preview reads the prices of its date"
        )
    return PreviewDate(day, session, recon_id)


def find_preview(db: Path, when: PreviewDate) -> tuple[str, str] | None:
    """(preview id, reconstitution) of the preview the marts hold for that session and reconstitution (without
    one: the coming reconstitution, the first whose new composition starts after the session), if any."""
    with connect_read_only(db) as con:
        row = con.execute(
            """
            with known as (
                select recon_id, first_session from intermediate.int_rebalance_calendar
                where event_type = 'reconstitution'
                union all
                select recon_id, first_session from intermediate.int_preview_events where preview_date = $day
            ),
            coming as (
                select recon_id from known where first_session > $day order by first_session, recon_id limit 1
            )
            select preview_id, recon_id from intermediate.int_preview_events
            where preview_date = $day and recon_id = coalesce($recon, (select recon_id from coming))
            """,
            {"day": when.session, "recon": when.recon_id},
        ).fetchone()
    return None if row is None else (row[0], row[1])


def run_preview(
    settings: Settings,
    day: date,
    recon_id: str | None = None,
    dbt_vars: dict | None = None,
    log_level: str = "WARNING",
) -> PreviewRun:
    """The preview of ``day`` (and ``recon_id``): read from the marts, or made by a run of the preview models."""
    started = time.perf_counter()
    when = resolve_date(settings.duckdb_path, day, recon_id)
    found = find_preview(settings.duckdb_path, when)
    if found is not None:
        return PreviewRun(found[0], when.session, found[1], False, time.perf_counter() - started)
    entry = when.session.isoformat() + (f":{recon_id}" if recon_id else "")
    _run_models(settings, entry, dbt_vars, log_level)
    found = find_preview(settings.duckdb_path, when)
    if found is None:
        target = recon_id or "the coming reconstitution"
        raise PreviewError(
            f"no preview of {target} on {when.session}: its new composition must start after that date "
            f"(and a passed rank day must be in the data)"
        )
    return PreviewRun(found[0], when.session, found[1], True, time.perf_counter() - started)


def _run_models(settings: Settings, entry: str, dbt_vars: dict | None, log_level: str) -> None:
    import uuid

    from indexpipe.build import SOURCE_TAG, BuildError, _first_failure, run_config
    from indexpipe.instance import project_instance
    from indexpipe.resources import RUN_OVERHEAD
    from indexpipe.warehouse.lock import warehouse_lock
    from indexpipe.warehouse.staging import check_usable

    # the rule overrides the warehouse was built with (a small market's scaled ranks, earlier preview dates), the
    # explicit ones (INDEXPIPE_DBT_VARS, dbt_vars), then the new date; they travel in the run's config
    with connect_read_only(settings.duckdb_path) as con:
        recorded = recorded_overrides(con)
    merged = {**recorded, **explicit_overrides(), **(dbt_vars or {})}
    dates = [*recorded.get("preview_dates", []), *merged.get("preview_dates", [])]
    merged["preview_dates"] = sorted({*dates, entry})
    from indexpipe.assets.transform import indexpipe_dbt_models
    from indexpipe.dagster_dbt_import import get_asset_key_for_model
    from indexpipe.definitions import defs

    graph = defs.resolve_asset_graph()
    # by asset key, not a dbt selection string: this process runs dagster-dbt without dbt (dagster_dbt_import)
    keys = {get_asset_key_for_model([indexpipe_dbt_models], model) for model in PREVIEW_MODELS}
    # the publication follows, so the published snapshot holds the new preview too
    keys |= {key for key in graph.get_all_asset_keys() if key.path[-1] == "published_marts"}
    job = defs.resolve_implicit_global_asset_job_def()
    run_id = str(uuid.uuid4())
    try:
        with warehouse_lock(settings.duckdb_path), project_instance(settings.dagster_home) as instance:
            check_usable(settings.duckdb_path)
            result = job.execute_in_process(
                run_config=run_config(settings, merged, log_level),
                instance=instance,
                run_id=run_id,
                tags={**SOURCE_TAG, "indexpipe/preview": entry},
                asset_selection=sorted(keys, key=lambda k: k.to_user_string()),
                raise_on_error=False,
            )
    finally:
        RUN_OVERHEAD.pop(run_id, None)
    if not result.success:
        raise BuildError(_first_failure(result))


__all__ = ["PREVIEW_MODELS", "PreviewDate", "PreviewError", "PreviewRun", "WarehouseError", "run_preview"]
