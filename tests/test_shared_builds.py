"""tests/shared_builds.py: a shared build is made once, and a failed one fails every later reader instead of being
built again (the second call stands for the other xdist worker, which finds the markers the first one left)."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_builds import BUILD_LOG, build_once


class _Factory:
    """The part of pytest.TempPathFactory build_once reads."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def getbasetemp(self) -> Path:
        return self.base


def test_the_second_reader_gets_the_first_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    calls: list[Path] = []

    def make(out: Path) -> Path:
        calls.append(out)
        (out / "w.duckdb").write_text("built")
        return out / "w.duckdb"

    first = build_once(_Factory(tmp_path), "m", make)  # type: ignore[arg-type]
    second = build_once(_Factory(tmp_path), "m", make)  # type: ignore[arg-type]
    assert first == second == tmp_path / "shared-m" / "w.duckdb"
    assert calls == [tmp_path / "shared-m"]
    assert (tmp_path / BUILD_LOG).read_text().startswith("m built by main in ")


def test_a_worker_meets_the_others_in_the_parent_of_its_base_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    worker_base = tmp_path / "popen-gw1"
    worker_base.mkdir()
    built = build_once(_Factory(worker_base), "m", lambda out: out)  # type: ignore[arg-type]
    assert built == tmp_path / "shared-m"
    assert (tmp_path / BUILD_LOG).read_text().startswith("m built by gw1 in ")


def test_a_failed_build_fails_the_next_reader_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)

    def broken(out: Path) -> Path:
        raise ValueError("dbt said no")

    with pytest.raises(ValueError, match="dbt said no"):
        build_once(_Factory(tmp_path), "m", broken)  # type: ignore[arg-type]
    rebuilt: list[Path] = []
    with pytest.raises(RuntimeError, match="failed on another worker(.|\n)*dbt said no"):
        build_once(_Factory(tmp_path), "m", lambda out: rebuilt.append(out) or out)  # type: ignore[arg-type]
    assert rebuilt == []
    assert not (tmp_path / BUILD_LOG).exists()
