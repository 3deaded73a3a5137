"""Schedules (all STOPPED by default: a code location that is loaded, e.g. by ``dagster dev`` on the demo market,
must not start writing to the warehouse by itself; turn them on in the UI or with ``dagster schedule start``).

``daily_after_close`` (weekdays 17:30 New York) requests the day's partition when the day is an XNYS session.
``quarterly_ipo_and_share_reviews`` and ``june_and_december_reconstitutions`` (weekdays 18:30 New York, one hour
after the daily run) request the full rebuild on the effective date of an event of
``intermediate.int_rebalance_calendar`` (the last session before the event's first session), run key = event id.
They read the code location's warehouse read-only, which a run never blocks. Schedules and the sensor are evaluated
in the code location's process, outside any run: its settings (indexpipe.settings.current_settings, the
environment ``indexpipe dev`` starts it with) are theirs. A resource would not do: the ``warehouse`` resource
locks and copies the warehouse when it starts, which a tick must not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb

from indexpipe.calendars import non_session_reason
from indexpipe.jobs import DAILY_JOB, RECON_JOB
from indexpipe.settings import current_settings
from indexpipe.tags import EFFECTIVE_DATE_TAG, EVENT_TAG, EVENT_TYPE_TAG, RANGE_END_TAG, RANGE_START_TAG

NEW_YORK = "America/New_York"


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
                    EVENT_TAG: event.recon_id,
                    EVENT_TYPE_TAG: event.recon_type,
                    EFFECTIVE_DATE_TAG: event.effective_date.isoformat(),
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


SCHEDULES = [daily_after_close, quarterly_ipo_and_share_reviews, june_and_december_reconstitutions]
