"""A dbt invocation's target directory (indexpipe.dbt_target): gone after success, kept after a failure for its
dbt.log, the newest few only, and never removed while an invocation uses it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from indexpipe import dbt_target as dt


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(dt, "TARGET_ROOT", tmp_path / "target")
    return tmp_path / "target"


def _left(root: Path) -> list[Path]:
    return sorted(root.iterdir())


def test_a_successful_invocation_leaves_no_directory(root: Path) -> None:
    with dt.run_target("indexpipe_dbt_models", "0123456789") as target:
        (target / "dbt.log").write_text("{}")
        (target / "compiled").mkdir()
        assert target.parent == root and target.name.startswith("indexpipe_dbt_models-0123456-")
    assert _left(root) == []


def test_a_failed_invocation_keeps_its_log(root: Path) -> None:
    with pytest.raises(RuntimeError), dt.run_target("indexpipe_dbt_models", "0123456789") as target:
        (target / "dbt.log").write_text("Database Error in model x")
        raise RuntimeError("dbt failed")
    assert _left(root) == [target] and (target / "dbt.log").read_text() == "Database Error in model x"


def test_only_the_newest_failures_stay_and_a_running_one_is_never_removed(root: Path) -> None:
    failed = []
    for i in range(dt.KEPT_FAILED + 2):
        with pytest.raises(RuntimeError), dt.run_target("op", f"{i:07x}-run") as target:
            raise RuntimeError
        os.utime(target, (1_000_000 + 10 * i, 1_000_000 + 10 * i))  # failure i is newer than failure i - 1
        failed.append(target)
    dt.prune_run_targets(root)
    # 5 failures, 3 kept: the two oldest are gone
    assert _left(root) == sorted(failed[2:])
    other = root / "parse_state"  # not an invocation's directory: never touched
    other.mkdir()
    with dt.run_target("op", "abcdef0-running") as running:
        os.utime(running, (1, 1))  # older than every failure, but in use
        dt.prune_run_targets(root, keep=0)
        assert _left(root) == sorted([other, running])
    assert _left(root) == [other]
