"""The warehouse's promises, one mechanism at a time: the run lock, all-or-nothing runs (on toy Dagster jobs
over the real resource, then a real build failing after validation), and `indexpipe validate` refusing a warehouse
whose marts do not match its raw tables."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from indexpipe.build import BuildError, build
from indexpipe.cli import main
from indexpipe.dbt_child import PARENT_VARIABLE
from indexpipe.ingest import load_all_tables, validate_input_dir
from indexpipe.resources import DUCKDB_PATH_VARIABLE, WarehouseResource
from indexpipe.rules import DBT_VARS_ENV
from indexpipe.settings import Settings, lock_wait_seconds
from indexpipe.warehouse.lock import WarehouseBusy, current_holder, lock_path, warehouse_lock
from indexpipe.warehouse.published import published_link, snapshots_dir
from indexpipe.warehouse.staging import staging_path
from recon_fixtures import SCALED_VARS


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the run lock -----------------------------------------------------------------------------------------------

_HOLD = """
import sys, time
from pathlib import Path
from indexpipe.warehouse.lock import warehouse_lock
with warehouse_lock(Path(sys.argv[1]), command="holder for a test"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder_process(db: Path, seconds: float) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_the_lock_is_reentrant_within_a_process_and_named_to_others(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert current_holder(db) is None
    with warehouse_lock(db, command="outer") as outer:
        with warehouse_lock(db, command="inner") as inner:  # build() holds it while its Dagster run takes it
            assert inner == outer
        holder = current_holder(db)
        assert holder is not None and (holder.pid, holder.command) == (os.getpid(), "outer")
    assert current_holder(db) is None
    assert lock_path(db) == tmp_path / "w.duckdb.lock"


def test_a_second_writer_waits_a_bounded_time_then_names_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    holder = _holder_process(db, 60)
    try:
        with pytest.raises(WarehouseBusy) as info, warehouse_lock(db, wait_seconds=0.5):
            pass
        message = str(info.value)
        assert f"warehouse {db} is being written by pid {holder.pid}" in message
        assert "(holder for a test), running since 20" in message and "INDEXPIPE_LOCK_WAIT_SECONDS" in message
    finally:
        holder.kill()  # kill -9: the kernel releases the lock with the process
        holder.wait()
    with warehouse_lock(db, wait_seconds=0):
        pass


def test_a_waiting_writer_runs_when_the_holder_is_done(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    holder = _holder_process(db, 1)
    with warehouse_lock(db, wait_seconds=60):
        assert holder.wait(timeout=10) == 0  # the holder ended before this block could start
    assert current_holder(db) is None


def test_lock_wait_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INDEXPIPE_LOCK_WAIT_SECONDS", raising=False)
    assert lock_wait_seconds() == 600
    monkeypatch.setenv("INDEXPIPE_LOCK_WAIT_SECONDS", "2.5")
    assert lock_wait_seconds() == 2.5
    monkeypatch.setenv("INDEXPIPE_LOCK_WAIT_SECONDS", "-1")
    with pytest.raises(ValueError, match="INDEXPIPE_LOCK_WAIT_SECONDS='-1'"):
        lock_wait_seconds()


def test_dbt_started_for_a_parent_that_is_gone_exits_at_once() -> None:
    dbt = Path(sys.executable).parent / "indexpipe-dbt"
    env = {**os.environ, PARENT_VARIABLE: "1"}  # the run that started it had pid 1: this test is not it
    assert subprocess.run([str(dbt), "--version"], env=env, capture_output=True).returncode == 137
    env.pop(PARENT_VARIABLE)
    assert subprocess.run([str(dbt), "--version"], env=env, capture_output=True).returncode == 0


# --- all or nothing, on toy jobs over the real resource ----------------------------------------------------------


@dg.asset
def first_write(warehouse: WarehouseResource) -> None:
    assert warehouse.dbt_environment()[DUCKDB_PATH_VARIABLE] == str(warehouse.db_path)  # dbt writes this copy
    assert os.environ.get(DUCKDB_PATH_VARIABLE) != str(warehouse.db_path)  # only dbt's child is told so
    assert warehouse.db_path != warehouse.live_path
    with duckdb.connect(str(warehouse.db_path)) as con:
        con.execute("create or replace table t as select 2 as x")


@dg.asset(deps=[first_write])
def publish(warehouse: WarehouseResource) -> None:
    snapshot = snapshots_dir(warehouse.live_path) / "new"
    snapshot.mkdir(parents=True)
    (snapshot / "manifest.json").write_text("{}")
    assert warehouse.stage_publication(snapshot, {"main.t": "1:0"})


@dg.asset(deps=[publish])
def fails_last(warehouse: WarehouseResource) -> None:
    raise RuntimeError("the last step fails")


@dg.asset_check(asset=first_write, blocking=True)
def x_is_one(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with duckdb.connect(str(warehouse.db_path), read_only=True) as con:
        return dg.AssetCheckResult(passed=con.execute("select x from t").fetchone()[0] == 1)


def _live_warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "wh" / "w.duckdb"
    db.parent.mkdir()
    with duckdb.connect(str(db)) as con:
        con.execute("create table t as select 1 as x")
    old = snapshots_dir(db) / "old"
    old.mkdir(parents=True)
    published_link(db).symlink_to(Path("w.snapshots") / "old", target_is_directory=True)
    return db


def _run(db: Path, assets: list) -> dg.ExecuteInProcessResult:
    resource = WarehouseResource(input_dir=str(db.parent), duckdb_path=str(db))
    return dg.materialize(assets, resources={"warehouse": resource}, raise_on_error=False)


def _x(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select x from t").fetchone()[0]


def test_a_run_that_completes_replaces_the_warehouse_and_publishes(tmp_path: Path) -> None:
    db = _live_warehouse(tmp_path)
    os.environ[DUCKDB_PATH_VARIABLE] = "/before/the/run.duckdb"
    assert _run(db, [first_write, publish]).success
    assert os.environ[DUCKDB_PATH_VARIABLE] == "/before/the/run.duckdb"  # the run never wrote the environment
    assert _x(db) == 2
    assert os.readlink(published_link(db)) == "w.snapshots/new"
    assert sorted(p.name for p in db.parent.iterdir()) == [
        "w.duckdb",
        "w.duckdb.lock",
        "w.published",
        "w.snapshots",
    ]
    assert [p.name for p in snapshots_dir(db).iterdir()] == ["new"]  # the old snapshot is gone
    with duckdb.connect(str(db), read_only=True) as con:  # no dbt in this run: no claim that marts follow raw
        assert not con.execute(
            "select count(*) from duckdb_schemas() where schema_name = '_indexpipe'"
        ).fetchone()[0]


def test_a_run_that_fails_at_its_last_step_changes_nothing(tmp_path: Path) -> None:
    db = _live_warehouse(tmp_path)
    before = _sha(db)
    result = _run(db, [first_write, publish, fails_last])
    assert not result.success
    assert _sha(db) == before and _x(db) == 1
    assert os.readlink(published_link(db)) == "w.snapshots/old"
    assert [p.name for p in snapshots_dir(db).iterdir()] == ["old"]  # the run's snapshot is removed
    assert sorted(p.name for p in db.parent.iterdir()) == [
        "w.duckdb",
        "w.duckdb.lock",
        "w.published",
        "w.snapshots",
    ]
    assert current_holder(db) is None


def test_a_failed_blocking_check_changes_nothing(tmp_path: Path) -> None:
    db = _live_warehouse(tmp_path)
    before = _sha(db)
    result = _run(db, [first_write, publish, x_is_one])
    assert not result.success
    assert not next(iter(result.get_asset_check_evaluations())).passed
    assert _sha(db) == before and os.readlink(published_link(db)) == "w.snapshots/old"


def test_a_run_cleans_what_a_killed_run_left(tmp_path: Path) -> None:
    db = _live_warehouse(tmp_path)
    leftover = staging_path(db, "killed-run")
    leftover.parent.mkdir()
    leftover.write_bytes(b"half a copy")
    Path(str(leftover) + ".wal").write_bytes(b"its log")
    Path(str(leftover) + ".tmp").mkdir()
    (snapshots_dir(db) / "half").mkdir()
    assert _run(db, [first_write]).success
    assert sorted(p.name for p in db.parent.iterdir()) == [
        "w.duckdb",
        "w.duckdb.lock",
        "w.published",
        "w.snapshots",
    ]
    assert [p.name for p in snapshots_dir(db).iterdir()] == ["old"]


# --- a real build failing after validation; indexpipe validate on mismatched warehouses --------------------------


@pytest.fixture(scope="module")
def banding_build(banding_warehouse: Path) -> Path:
    return banding_warehouse


@pytest.fixture
def copied(banding_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DBT_VARS_ENV, json.dumps(SCALED_VARS))  # the checks read the scaled breakpoints
    target = tmp_path / "wh"
    shutil.copytree(banding_build.parent, target, symlinks=True, ignore=shutil.ignore_patterns("input"))
    return target / banding_build.name


def test_a_build_failing_at_its_last_checks_leaves_the_warehouse_as_it_was(
    copied: Path, banding_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, published = _sha(copied), os.readlink(published_link(copied))
    # the crafted market moves every close on 2023-08-01 (R2000G +87%): with the contract's 25% bound on
    # unexplained daily moves the fct_index_levels suite fails, after every model was rebuilt
    strict = {**SCALED_VARS, "max_unexplained_daily_index_move": 0.25}
    started = time.time()
    with pytest.raises(BuildError, match="check fct_index_levels"):
        build(Settings(input_dir=banding_build.parent / "input", duckdb_path=copied), dbt_vars=strict)
    assert _sha(copied) == before and copied.stat().st_mtime < started
    assert os.readlink(published_link(copied)) == published
    assert not [p for p in copied.parent.iterdir() if p.name.startswith("indexpipe_staging_")]
    monkeypatch.setenv(DBT_VARS_ENV, json.dumps(SCALED_VARS))  # build() exported the strict bound
    assert main(["validate", "--db", str(copied)]) == 0


def test_validate_fails_when_raw_tables_changed_after_the_marts_were_built(
    copied: Path, banding_build: Path, capsys
) -> None:
    assert main(["validate", "--db", str(copied)]) == 0
    assert (
        "ok   build state: marts match the raw tables they were built from by run" in capsys.readouterr().out
    )
    # what a failure between ingestion and dbt used to leave: new raw tables, the old marts
    input_dir = shutil.copytree(banding_build.parent / "input", copied.parent / "input")
    lines = (input_dir / "prices.csv").read_text().splitlines()
    date_, security, close, volume = lines[1].split(",")
    lines[1] = ",".join([date_, security, str(float(close) * 1.01), volume])
    (input_dir / "prices.csv").write_text("\n".join(lines) + "\n")
    with validate_input_dir(input_dir) as validated:
        load_all_tables(validated, copied)
    assert main(["validate", "--db", str(copied)]) == 1
    captured = capsys.readouterr()
    assert "FAIL build state: raw tables changed since run" in captured.out
    assert "built the marts: raw.prices (rebuild with indexpipe build)" in captured.err


def test_validate_fails_on_a_tampered_mart_and_on_a_warehouse_without_a_record(copied: Path, capsys) -> None:
    with duckdb.connect(str(copied)) as con:
        con.execute("update main.dim_index set index_name = 'renamed' where index_code = 'R1000'")
    assert main(["validate", "--db", str(copied)]) == 1
    assert "marts differ from those run" in capsys.readouterr().err
    with duckdb.connect(str(copied)) as con:
        con.execute("drop schema _indexpipe cascade")
    assert main(["validate", "--db", str(copied)]) == 1
    assert "no build of this warehouse is recorded as complete" in capsys.readouterr().err


# the connections the read-only steps below were given, in order
_READERS: list[duckdb.DuckDBPyConnection] = []


@dg.asset
def read_first(warehouse: WarehouseResource) -> None:
    with warehouse.reading() as con:
        _READERS.append(con)
        assert con.execute("select x from t").fetchone()[0] == 1


@dg.asset(deps=[read_first])
def write_between(warehouse: WarehouseResource) -> None:
    # asking for the file closes the shared reader: DuckDB would refuse a writer beside it
    with duckdb.connect(str(warehouse.db_path)) as con:
        con.execute("update t set x = 5")


@dg.asset(deps=[write_between])
def read_after(warehouse: WarehouseResource) -> None:
    with warehouse.reading() as con:
        _READERS.append(con)
        assert con.execute("select x from t").fetchone()[0] == 5


@dg.asset(deps=[read_after])
def read_again(warehouse: WarehouseResource) -> None:
    with warehouse.reading() as con:
        _READERS.append(con)
        assert con.execute("select x from t").fetchone()[0] == 5


def test_read_only_steps_share_one_connection_and_a_writer_still_gets_in(tmp_path: Path) -> None:
    db = _live_warehouse(tmp_path)
    _READERS.clear()
    assert _run(db, [read_first, write_between, read_after, read_again]).success
    assert len(_READERS) == 3
    assert _READERS[0] is not _READERS[1]  # reopened after the writer, so it sees the write
    assert _READERS[1] is _READERS[2]  # the steps after it share one connection
    assert _x(db) == 5  # closed before the commit wrote the copy and swapped it in
    # outside a run, each use opens the live file and closes it
    resource = WarehouseResource(input_dir=str(db.parent), duckdb_path=str(db))
    with resource.reading() as con:
        assert con.execute("select x from t").fetchone()[0] == 5
    with duckdb.connect(str(db)) as con:  # nothing left open: a writer gets in
        con.execute("update t set x = 6")
    assert _x(db) == 6
