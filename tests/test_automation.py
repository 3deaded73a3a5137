"""Jobs, schedules and the price-file sensor, evaluated through Dagster's own tick evaluation."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest
from indexpipe.definitions import defs
from indexpipe.jobs import DAILY_JOB, RECON_JOB
from indexpipe.schedules import (
    daily_after_close,
    june_and_december_reconstitutions,
    quarterly_ipo_and_share_reviews,
)
from indexpipe.sensors import new_price_file

NEW_YORK = ZoneInfo("America/New_York")
PRICES_CSV = "date,security_id,close,volume\n2024-07-02,S1,10.5,1000\n"


@pytest.fixture(scope="module")
def repository() -> dg.RepositoryDefinition:
    return defs.get_repository_def()


def _tick(schedule: dg.ScheduleDefinition, repository, when: datetime):
    context = dg.build_schedule_context(scheduled_execution_time=when, repository_def=repository)
    return schedule.evaluate_tick(context)


def _evening(year: int, month: int, day: int, hour: int = 17, minute: int = 30) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def test_daily_job_runs_the_daily_index_path_and_its_checks() -> None:
    job = defs.resolve_job_def(DAILY_JOB.name)
    assert job.partitions_def is not None and job.partitions_def.has_partition_key("2024-07-02")
    selected = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert selected == {
        "raw/prices",
        "staging/stg_prices",
        "intermediate/int_security_daily_returns",
        "intermediate/int_index_daily_industry_returns",
        "marts/fct_index_levels",
        "marts/fct_index_period_returns",
        "marts/fct_style_box_returns",
        "marts/fct_industry_contribution",
        "publication/published_marts",
        # the views the day's Great Expectations suites read, built by the same dbt run (never published)
        "checks/chk_fct_index_levels",
        "checks/chk_fct_index_period_returns",
        "checks/chk_fct_industry_contribution",
    }
    # every check on those assets (Great Expectations suites and dbt tests), none on the others
    graph = defs.resolve_asset_graph()
    checks = DAILY_JOB.selection.resolve_checks(graph)
    assert checks == {c for c in graph.asset_check_keys if c.asset_key.to_user_string() in selected}
    names = {c.name for c in checks}
    assert "raw_prices" in names  # a Great Expectations suite
    assert "unique_combination_int_security_daily_returns_security_id__trade_date" in names  # a dbt test

    everything = defs.resolve_job_def(RECON_JOB.name)
    assert set(everything.asset_layer.selected_asset_keys) == set(graph.get_all_asset_keys())


def test_daily_schedule_requests_the_session_partition(repository) -> None:
    result = _tick(daily_after_close, repository, _evening(2024, 7, 2))
    assert result.skip_message is None
    [request] = result.run_requests
    assert request.partition_key == "2024-07-02"
    assert request.tags["dagster/partition"] == "2024-07-02"


@pytest.mark.parametrize(
    ("day", "reason"),
    [((2024, 7, 4), "holiday (July 4th)"), ((2024, 7, 6), "Saturday"), ((2024, 3, 29), "Good Friday")],
)
def test_daily_schedule_skips_days_without_a_session(repository, day, reason) -> None:
    result = _tick(daily_after_close, repository, _evening(*day))
    assert not result.run_requests
    assert reason in result.skip_message


def test_daily_schedule_reads_the_tick_in_new_york_time(repository) -> None:
    # 2024-07-02 17:30 New York is 21:30 UTC: still the 2nd in New York
    utc = datetime(2024, 7, 2, 21, 30, tzinfo=ZoneInfo("UTC"))
    [request] = _tick(daily_after_close, repository, utc).run_requests
    assert request.partition_key == "2024-07-02"


def test_june_schedule_requests_the_rebuild_on_the_effective_date(
    banding_warehouse: Path, repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUCKDB_PATH", str(banding_warehouse))
    result = _tick(june_and_december_reconstitutions, repository, _evening(2024, 6, 28, 18, 30))
    [request] = result.run_requests
    assert request.run_key == "2024-06"
    assert request.tags["indexpipe/event"] == "2024-06"
    # a one-day range, not a partition: that day's prices reload and the dbt models rebuild from scratch
    assert request.partition_key_range == dg.PartitionKeyRange("2024-06-28", "2024-06-28")
    assert "dagster/partition" not in request.tags

    before = _tick(june_and_december_reconstitutions, repository, _evening(2024, 6, 27, 18, 30))
    assert not before.run_requests
    assert "2024-06-27" in before.skip_message and "next: 2024-06" in before.skip_message

    # a reconstitution's effective date is not a quarterly review's
    quarterly = _tick(quarterly_ipo_and_share_reviews, repository, _evening(2024, 6, 28, 18, 30))
    assert not quarterly.run_requests and "quarterly" in quarterly.skip_message


def test_event_schedules_skip_when_the_warehouse_is_missing_or_locked(
    repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "missing.duckdb"
    monkeypatch.setenv("DUCKDB_PATH", str(missing))
    result = _tick(quarterly_ipo_and_share_reviews, repository, _evening(2024, 9, 20, 18, 30))
    assert not result.run_requests and "does not exist" in result.skip_message

    locked = tmp_path / "locked.duckdb"
    monkeypatch.setenv("DUCKDB_PATH", str(locked))
    with duckdb.connect(str(locked)):  # a writer holds the file
        result = _tick(june_and_december_reconstitutions, repository, _evening(2024, 6, 28, 18, 30))
    assert not result.run_requests and "locked" in result.skip_message


def _sense(repository, cursor: str | None):
    context = dg.build_sensor_context(cursor=cursor, repository_def=repository)
    return new_price_file.evaluate_tick(context)


def test_sensor_requests_one_run_per_new_or_changed_price_file(
    repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INDEXPIPE_DATA_DIR", str(tmp_path))
    prices = tmp_path / "prices"
    prices.mkdir()
    price_file = prices / "2024-07-02.csv"
    price_file.write_text(PRICES_CSV)
    (prices / "README.txt").write_text("not prices")
    (prices / "2024-07-02-corrected.csv").write_text(PRICES_CSV)  # not YYYY-MM-DD.<format>
    (prices / "2024-07-04.csv").write_text(PRICES_CSV)  # Independence Day: logged, no run

    first = _sense(repository, None)
    [request] = first.run_requests
    assert request.partition_key == "2024-07-02"
    assert request.tags["dagster/partition"] == "2024-07-02"
    assert request.run_key == f"2024-07-02.csv@{price_file.stat().st_mtime_ns}"
    assert set(json.loads(first.cursor)) == {"2024-07-02.csv", "2024-07-04.csv"}

    second = _sense(repository, first.cursor)
    assert not second.run_requests and second.skip_message

    # the file is rewritten (a correction): a new run for the same day, under a new run key
    price_file.write_text(PRICES_CSV.replace("10.5", "10.75"))
    mtime = price_file.stat().st_mtime_ns + 1_000_000_000
    os.utime(price_file, ns=(mtime, mtime))
    third = _sense(repository, second.cursor)
    [again] = third.run_requests
    assert again.partition_key == "2024-07-02"
    assert again.run_key == f"2024-07-02.csv@{mtime}" != request.run_key

    # a new compressed day arrives next to it
    (prices / "2024-07-03.csv.gz").write_bytes(b"\x1f\x8b")
    fourth = _sense(repository, third.cursor)
    assert [r.partition_key for r in fourth.run_requests] == ["2024-07-03"]


def test_sensor_skips_without_a_prices_directory(
    repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INDEXPIPE_DATA_DIR", str(tmp_path))
    result = _sense(repository, None)
    assert not result.run_requests and "does not exist" in result.skip_message
