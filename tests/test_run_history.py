"""The project instance's event log (indexpipe.run_history): each event is committed as it is stored, so another
reader of the folder (the UI's process) sees it at once; the connections it keeps open are few and closed with
the storage."""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from pathlib import Path

import dagster as dg
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from indexpipe.run_history import _OPEN_SHARDS, RunHistoryEventLogStorage


def _log(run_id: str, message: str) -> EventLogEntry:
    return EventLogEntry(
        error_info=None, level=20, user_message=message, run_id=run_id, timestamp=time.time()
    )


def _materialization(run_id: str, asset: str) -> EventLogEntry:
    event = DagsterEvent(
        event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
        job_name="daily_index_calculation",
        event_specific_data=StepMaterializationData(dg.AssetMaterialization(asset_key=["marts", asset])),
    )
    return EventLogEntry(
        error_info=None, level=20, user_message="", run_id=run_id, timestamp=time.time(), dagster_event=event
    )


def _open_files_under(folder: Path) -> list[str]:
    fds = Path("/proc/self/fd")
    found = []
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


def test_every_event_is_visible_to_another_reader_at_once(tmp_path: Path) -> None:
    writer = RunHistoryEventLogStorage(base_dir=str(tmp_path))
    # Dagster's own SQLite storage, as the UI opens the folder
    reader = SqliteEventLogStorage(base_dir=str(tmp_path))
    runs = [str(uuid.uuid4()) for _ in range(_OPEN_SHARDS + 2)]  # more runs than shards kept open
    try:
        for n, run_id in enumerate(runs):
            writer.store_event(_log(run_id, f"first of run {n}"))
            assert [e.user_message for e in reader.get_logs_for_run(run_id)] == [f"first of run {n}"]
            writer.store_event(_materialization(run_id, f"fct_{n}"))
            assert len(reader.get_logs_for_run(run_id)) == 2
            latest = reader.get_latest_materialization_events([dg.AssetKey(["marts", f"fct_{n}"])])
            assert latest[dg.AssetKey(["marts", f"fct_{n}"])].run_id == run_id
        # an earlier run, whose connection was closed since, takes more events
        writer.store_event(_log(runs[0], "again"))
        assert [e.user_message for e in reader.get_logs_for_run(runs[0])][-1] == "again"
        assert [e.user_message for e in writer.get_logs_for_run(runs[0])][-1] == "again"
        # the index shard and at most _OPEN_SHARDS - 1 runs are open (each with its -wal and -shm files)
        open_dbs = {f for f in _open_files_under(tmp_path) if f.endswith(".db")}
        assert len(open_dbs) <= _OPEN_SHARDS
        assert str(tmp_path / "index.db") in open_dbs
    finally:
        reader.dispose()
        writer.dispose()
    assert _open_files_under(tmp_path) == []


def test_a_wiped_history_takes_new_events(tmp_path: Path) -> None:
    storage = RunHistoryEventLogStorage(base_dir=str(tmp_path))
    run_id = str(uuid.uuid4())
    try:
        storage.store_event(_materialization(run_id, "fct_index_levels"))
        assert storage.has_table("asset_check_executions")
        storage.wipe()
        assert not (tmp_path / f"{run_id}.db").exists()
        storage.store_event(_log(run_id, "after the wipe"))
        assert [e.user_message for e in storage.get_logs_for_run(run_id)] == ["after the wipe"]
    finally:
        storage.dispose()


def _schema(db: Path) -> tuple[list, list]:
    with sqlite3.connect(db) as con:
        tables = con.execute("select type, name, sql from sqlite_master order by type, name").fetchall()
        revision = con.execute("select version_num from alembic_version").fetchall()
        mode = con.execute("pragma journal_mode").fetchall()
    return tables, revision + mode


def test_a_new_run_s_shard_is_the_one_dagster_creates(tmp_path: Path) -> None:
    ours, dagsters = tmp_path / "ours", tmp_path / "dagster"
    run_id = str(uuid.uuid4())
    for folder, storage_class in ((ours, RunHistoryEventLogStorage), (dagsters, SqliteEventLogStorage)):
        storage = storage_class(base_dir=str(folder))
        try:
            storage.store_event(_log(run_id, "first"))
            # the template is no run
            assert storage.get_all_run_ids() == [run_id]
        finally:
            storage.dispose()
    assert len(list(ours.glob(".run-shard-dagster-*.sqlite"))) == 1
    assert not list(ours.glob("*.tmp"))
    assert _schema(ours / f"{run_id}.db") == _schema(dagsters / f"{run_id}.db")
    assert _schema(ours / f"{run_id}.db")[1][0] != (None,)
