"""dbt's partial-parse state is kept per warehouse (indexpipe.dbt_parse_state, issue 15): a run on another
warehouse in between no longer hands the next daily run a state dbt throws away."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from indexpipe import dbt_parse_state as ps


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


def test_one_state_per_warehouse_and_overrides() -> None:
    a, b = Path("/w/a/indexpipe_staging_1_run.duckdb"), Path("/w/b/indexpipe_staging_2_run.duckdb")
    assert ps.state_path(a) == ps.state_path(a, {})
    assert len({ps.state_path(a), ps.state_path(b), ps.state_path(a, {"rank": 3})}) == 3


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
    # 18 warehouses, 16 kept: the two oldest (runs 0 and 1) are gone
    assert len(remaining) == ps.KEPT_STATES
    assert not kept[0].exists() and not kept[1].exists()
