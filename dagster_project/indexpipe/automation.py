"""When things run: the daily index calculation after each XNYS close, the full rebuild on review and
reconstitution effective dates, and a one-day run for every new dated price file.

Jobs
    ``daily_index_calculation``: one price partition (a weekday) through the daily index path: raw.prices, the
    security and industry returns, the index levels and returns marts, the published snapshot, and every check on
    them. Its runs carry ``dagster/partition``, so the incremental dbt models compute that day only.
    ``reconstitution_and_review``: the whole graph (as ``build_all``). The event schedules launch it for a
    one-day partition range (the effective date): the reference tables (shares, classifications) and that day's
    prices are reloaded, and every dbt model is rebuilt with ``--full-refresh`` (a range is not "one day").

Schedules and sensor (all STOPPED by default: a code location that is loaded, e.g. by ``dagster dev`` on the demo
market, must not start writing to the warehouse by itself; turn them on in the UI or with ``dagster schedule
start`` / ``dagster sensor start``)
    ``daily_after_close`` (weekdays 17:30 New York) requests the day's partition when the day is an XNYS session.
    ``quarterly_ipo_and_share_reviews`` and ``june_and_december_reconstitutions`` (weekdays 18:30 New York, one hour
    after the daily run) request the full rebuild on the effective date of an event of
    ``intermediate.int_rebalance_calendar`` (the last session before the event's first session), run key = event id.
    ``new_price_file`` watches ``<INDEXPIPE_DATA_DIR>/prices/`` for ``YYYY-MM-DD.csv|.csv.gz|.parquet``.

One writer at a time: every run takes the warehouse's run lock through its ``warehouse`` resource (a second one
waits, then fails naming the holder), and writes a copy of the warehouse that replaces it only when the run
succeeds (docs/reliability.md). Every run of these jobs also carries the tag ``indexpipe/warehouse=duckdb``; a
``tag_concurrency_limits`` entry on it (limit 1) in the project instance's dagster.yaml (indexpipe.instance) queues
runs instead of letting them wait on the lock. The schedules read the warehouse read-only, which a run never blocks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
from dagster_dbt import get_asset_key_for_model

from indexpipe.assets.ingestion import PRICE_PARTITIONS, raw_prices
from indexpipe.assets.quality import published_marts
from indexpipe.assets.transform import indexpipe_dbt_models
from indexpipe.build import RANGE_END_TAG, RANGE_START_TAG
from indexpipe.calendars import is_session, non_session_reason  # noqa: F401 (re-exported: tests and schedules)
from indexpipe.instance import WAREHOUSE_TAG
from indexpipe.settings import current_settings

NEW_YORK = "America/New_York"

# dbt models of the daily index path, in dependency order. The staging view of prices is in the selection so the
# run orders the dbt step after the day's prices load (an unselected view would hide that dependency).
DAILY_INDEX_MODELS = (
    "stg_prices",
    "int_security_daily_returns",
    "int_index_daily_industry_returns",
    "fct_index_levels",
    "fct_index_period_returns",
    "fct_style_box_returns",
    "fct_industry_contribution",
)
DAILY_INDEX_MODEL_KEYS = tuple(get_asset_key_for_model([indexpipe_dbt_models], m) for m in DAILY_INDEX_MODELS)

_DAILY_ASSET_KEYS = (raw_prices.key, *DAILY_INDEX_MODEL_KEYS, published_marts.key)

# the staging view's dbt tests re-read all 15.7M prices: the build runs them, a one-day run does not need to
_DAILY_CHECKED_KEYS = tuple(k for k in _DAILY_ASSET_KEYS if k != DAILY_INDEX_MODEL_KEYS[0])

DAILY_JOB = dg.define_asset_job(
    "daily_index_calculation",
    selection=dg.AssetSelection.assets(*_DAILY_ASSET_KEYS)
    | dg.AssetSelection.checks_for_assets(*_DAILY_CHECKED_KEYS),
    description="One trading day (a price partition): load its prices, then the security and industry returns, "
    "index levels, period, style-box and industry-contribution returns, every check on them, and the published "
    "snapshot.",
    tags=WAREHOUSE_TAG,
)

RECON_JOB = dg.define_asset_job(
    "reconstitution_and_review",
    selection=dg.AssetSelection.all(),
    description="Every asset and check (as build_all), for a review's or reconstitution's effective date: reloads "
    "the reference tables and the date's prices and rebuilds every model, so the new composition takes effect "
    "from the next session.",
    tags=WAREHOUSE_TAG,
)


# --- XNYS sessions -------------------------------------------------------------------------------------------


def _evaluation_day(context: dg.ScheduleEvaluationContext) -> date:
    """The New York date of the tick (a naive time is read as New York wall-clock time)."""
    when: datetime = context.scheduled_execution_time
    zone = ZoneInfo(NEW_YORK)
    return (when.replace(tzinfo=zone) if when.tzinfo is None else when.astimezone(zone)).date()


# --- daily schedule ------------------------------------------------------------------------------------------


@dg.schedule(
    name="daily_after_close",
    cron_schedule="30 17 * * 1-5",
    execution_timezone=NEW_YORK,
    job=DAILY_JOB,
    description="Weekdays 17:30 New York: the day's index calculation when the day is an XNYS session; holidays "
    "are skipped with their name.",
)
def daily_after_close(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    day = _evaluation_day(context)
    reason = non_session_reason(day)
    if reason:
        return dg.SkipReason(f"{reason}: no index calculation")
    return dg.RunRequest(run_key=day.isoformat(), partition_key=day.isoformat())


# --- review and reconstitution schedules ---------------------------------------------------------------------


@dataclass(frozen=True)
class RebalanceEvent:
    recon_id: str
    event_type: str
    recon_type: str
    rank_date: date
    effective_date: date
    first_session: date | None


_EVENT_COLUMNS = "recon_id, event_type, recon_type, rank_date, effective_date, first_session"


def read_events(
    db_path: Path, event_type: str, day: date
) -> tuple[list[RebalanceEvent], RebalanceEvent | None]:
    """Events of ``event_type`` taking effect after the close of ``day``, and the next one after ``day``.

    Reads ``intermediate.int_rebalance_calendar`` over a read-only connection; raises ``WarehouseUnavailable``
    when the file is missing, locked by a writer or not built yet.
    """
    if not db_path.is_file():
        raise WarehouseUnavailable(f"warehouse {db_path} does not exist (build it first)")
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            today = con.execute(
                f"select {_EVENT_COLUMNS} from intermediate.int_rebalance_calendar "
                "where event_type = ? and effective_date = ? order by recon_id",
                [event_type, day],
            ).fetchall()
            upcoming = con.execute(
                f"select {_EVENT_COLUMNS} from intermediate.int_rebalance_calendar "
                "where event_type = ? and effective_date > ? order by effective_date, recon_id limit 1",
                [event_type, day],
            ).fetchone()
    except (duckdb.IOException, duckdb.ConnectionException) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WarehouseUnavailable(
            f"warehouse {db_path} is locked by another process ({first_line})"
        ) from exc
    except duckdb.CatalogException as exc:
        raise WarehouseUnavailable(
            f"warehouse {db_path} has no intermediate.int_rebalance_calendar yet (build it first)"
        ) from exc
    return [RebalanceEvent(*row) for row in today], (RebalanceEvent(*upcoming) if upcoming else None)


class WarehouseUnavailable(Exception):
    """The warehouse cannot be read now; the message says why (missing, locked, not built)."""


def _event_schedule(name: str, event_type: str, label: str, description: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=name,
        cron_schedule="30 18 * * 1-5",
        execution_timezone=NEW_YORK,
        job=RECON_JOB,
        description=description,
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest] | dg.SkipReason:
        day = _evaluation_day(context)
        db_path = current_settings().duckdb_path
        try:
            events, upcoming = read_events(db_path, event_type, day)
        except WarehouseUnavailable as exc:
            return dg.SkipReason(f"{exc}; cannot tell whether a {label} takes effect on {day}")
        if not events:
            following = (
                f"next: {upcoming.recon_id} after the close of {upcoming.effective_date}"
                if upcoming
                else "none later in the warehouse's calendar"
            )
            return dg.SkipReason(f"no {label} takes effect after the close of {day} ({following})")
        return [
            dg.RunRequest(
                run_key=event.recon_id,
                # a one-day partition range, not a partition key: raw.prices reloads only the effective date
                # (history whose daily files were archived stays), while the dbt models, seeing a range rather
                # than one day, are rebuilt with --full-refresh (transform.one_day_of)
                tags={
                    RANGE_START_TAG: day.isoformat(),
                    RANGE_END_TAG: day.isoformat(),
                    "indexpipe/event": event.recon_id,
                    "indexpipe/event_type": event.recon_type,
                    "indexpipe/effective_date": event.effective_date.isoformat(),
                },
            )
            for event in events
        ]

    return _schedule


quarterly_ipo_and_share_reviews = _event_schedule(
    "quarterly_ipo_and_share_reviews",
    "quarterly",
    "quarterly IPO/share review",
    "Weekdays 18:30 New York: on a quarterly review's effective date (the last session before its first session, "
    "from intermediate.int_rebalance_calendar) the full rebuild, run key = the review id (e.g. 2024-Q3).",
)
june_and_december_reconstitutions = _event_schedule(
    "june_and_december_reconstitutions",
    "reconstitution",
    "reconstitution",
    "Weekdays 18:30 New York: on a June or December reconstitution's effective date (the last session before its "
    "first session, from intermediate.int_rebalance_calendar) the full rebuild, run key = the event id "
    "(e.g. 2024-06).",
)


# --- new price files -----------------------------------------------------------------------------------------

PRICE_FILE = re.compile(r"(\d{4}-\d{2}-\d{2})\.(?:csv|csv\.gz|parquet)")


def _file_date(name: str) -> date | None:
    match = PRICE_FILE.fullmatch(name)
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:  # 2024-02-30.csv
        return None


@dg.sensor(
    name="new_price_file",
    job=DAILY_JOB,
    minimum_interval_seconds=60,
    description="A new or changed <INDEXPIPE_DATA_DIR>/prices/YYYY-MM-DD.csv|.csv.gz|.parquet requests the daily "
    "index calculation for that date (run key = file name and mtime); other files are ignored, files dated on a "
    "non-session day are logged and skipped.",
)
def new_price_file(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    directory = current_settings().input_dir / "prices"
    seen: dict[str, dict[str, int]] = json.loads(context.cursor) if context.cursor else {}
    if not directory.is_dir():
        return dg.SensorResult(skip_reason=f"{directory} does not exist", cursor=context.cursor)
    current: dict[str, dict[str, int]] = {}
    requests: list[dg.RunRequest] = []
    for path in sorted(directory.iterdir()):
        day = _file_date(path.name)
        if day is None or not path.is_file():
            continue
        stat = path.stat()
        state = {"mtime_ns": stat.st_mtime_ns, "size": stat.st_size}
        current[path.name] = state
        if seen.get(path.name) == state:
            continue
        reason = non_session_reason(day)
        if reason is None and not PRICE_PARTITIONS.has_partition_key(day.isoformat()):
            reason = f"{day} is outside the price partitions"
        if reason:
            context.log.info(f"{directory / path.name}: {reason}; no run")
            continue
        requests.append(
            dg.RunRequest(
                run_key=f"{path.name}@{stat.st_mtime_ns}",
                partition_key=day.isoformat(),
                tags={"indexpipe/price_file": path.name},
            )
        )
    cursor = json.dumps(current, sort_keys=True)
    if requests:
        return dg.SensorResult(run_requests=requests, cursor=cursor)
    return dg.SensorResult(skip_reason=f"no new or changed price file in {directory}", cursor=cursor)


AUTOMATION_JOBS = [DAILY_JOB, RECON_JOB]
AUTOMATION_SCHEDULES = [daily_after_close, quarterly_ipo_and_share_reviews, june_and_december_reconstitutions]
AUTOMATION_SENSORS = [new_price_file]
