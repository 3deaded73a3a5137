"""dbt's partial-parse state is kept per profile and vars (indexpipe.dbt_parse_state, issue 15): a run with other
vars in between no longer hands the next run a state dbt throws away, and a new warehouse starts from the state
of the last run with its vars."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from indexpipe import dbt_parse_state as ps
from indexpipe.dbt_manifest import dbt_executable
from indexpipe.settings import DBT_PROJECT_DIR, DUCKDB_PATH_VARIABLE
from indexpipe.warehouse.staging import staging_path


@pytest.fixture
def target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(ps, "STATE_DIR", tmp_path / "target" / "parse_state")
    monkeypatch.setattr(ps, "SHARED_STATE", tmp_path / "target" / ps.PARTIAL_PARSE)
    return tmp_path / "target"


def _run(target: Path, name: str, state: bytes) -> Path:
    run = target / name
    run.mkdir(parents=True)
    (run / ps.PARTIAL_PARSE).write_bytes(state)
    return run


def test_one_state_per_profile_and_overrides() -> None:
    # dbt sees the file's name alone (indexpipe.dbt_child): two warehouses' copies share their state
    a = staging_path(Path("/w/a/warehouse.duckdb"), "run-a")
    b = staging_path(Path("/w/b/market_b.duckdb"), "run-b")
    assert a.parent != b.parent and ps.state_path(a) == ps.state_path(b) == ps.state_path(a, {})
    other = Path("/w/c/other.duckdb")
    assert len({ps.state_path(a), ps.state_path(other), ps.state_path(a, {"rank": 3})}) == 3


def test_a_run_starts_from_its_warehouses_state_whatever_ran_between(target: Path) -> None:
    state_a, state_b = ps.state_path(Path("/w/a.duckdb")), ps.state_path(Path("/w/b.duckdb"))
    ps.keep_parse_state(_run(target, "run-a", b"parsed for a"), state_a)
    ps.keep_parse_state(_run(target, "run-b", b"parsed for b"), state_b)
    assert ps.SHARED_STATE.read_bytes() == b"parsed for b"  # the fallback is the last run's
    next_a = target / "run-a2"
    ps.seed_run_target(next_a, state_a)
    assert (next_a / ps.PARTIAL_PARSE).read_bytes() == b"parsed for a"
    # a warehouse seen for the first time gets no file: dagster-dbt then copies the shared one
    first = target / "run-c"
    ps.seed_run_target(first, ps.state_path(Path("/w/c.duckdb")))
    assert not (first / ps.PARTIAL_PARSE).exists()


def test_only_the_most_recent_states_are_kept(target: Path) -> None:
    kept = []
    for i in range(ps.KEPT_STATES + 2):
        state = ps.state_path(Path(f"/w/{i}.duckdb"))
        ps.keep_parse_state(_run(target, f"run-{i}", b"x"), state)
        os.utime(state, (1_000_000 + i, 1_000_000 + i))  # run i is newer than run i - 1
        kept.append(state)
    ps.keep_parse_state(_run(target, "run-last", b"y"), kept[-1])  # prunes again
    remaining = sorted(ps.STATE_DIR.glob("*.msgpack"))
    # KEPT_STATES + 2 states, KEPT_STATES kept: the two oldest (runs 0 and 1) are gone
    assert len(remaining) == ps.KEPT_STATES
    assert not kept[0].exists() and not kept[1].exists()


def _parse(db_path: Path, target: Path) -> str:
    """``dbt parse`` as a run starts it (indexpipe-dbt, the warehouse file's absolute path); its debug log."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, DUCKDB_PATH_VARIABLE: str(db_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.update({"DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)})
    project = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    result = subprocess.run(
        [dbt_executable(), "parse", *project], env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-2000:]
    return (target / "dbt.log").read_text()


def test_a_new_warehouse_parses_only_what_changed(tmp_path: Path) -> None:
    # the copies of two warehouses in two directories: dbt, started in the copy's directory and given its name
    # alone (indexpipe.dbt_child), sees one profile, so the second starts from the first's parse; with the
    # absolute path in the profile it said "Unable to do partial parsing because profile has changed"
    first = staging_path(tmp_path / "a" / "warehouse.duckdb", "run-a")
    second = staging_path(tmp_path / "b" / "market_b.duckdb", "run-b")
    _parse(first, tmp_path / "target-a")
    ps.seed_run_target(tmp_path / "target-b", tmp_path / "target-a" / ps.PARTIAL_PARSE)
    log = _parse(second, tmp_path / "target-b")
    assert "Unable to do partial parsing" not in log
    assert "Partial parsing enabled: 0 files deleted, 0 files added, 0 files changed." in log
