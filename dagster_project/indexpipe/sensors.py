"""Sensor (STOPPED by default, as the schedules): ``new_price_file`` watches ``<input directory>/prices/`` (the
code location's input directory, as for the schedules: indexpipe.schedules) for ``YYYY-MM-DD.csv|.csv.gz|
.parquet`` and requests the daily index calculation for each new or changed file."""

from __future__ import annotations

import json
import re
from datetime import date

import dagster as dg

from indexpipe.assets.ingestion import PRICE_PARTITIONS
from indexpipe.calendars import non_session_reason
from indexpipe.jobs import DAILY_JOB
from indexpipe.settings import current_settings
from indexpipe.tags import PRICE_FILE_TAG

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
    description="A new or changed <input directory>/prices/YYYY-MM-DD.csv|.csv.gz|.parquet requests the daily "
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
                tags={PRICE_FILE_TAG: path.name},
            )
        )
    cursor = json.dumps(current, sort_keys=True)
    if requests:
        return dg.SensorResult(run_requests=requests, cursor=cursor)
    return dg.SensorResult(skip_reason=f"no new or changed price file in {directory}", cursor=cursor)


SENSORS = [new_price_file]
