"""Session builds made once per test run, also under pytest-xdist (`make test`: two workers, --dist loadfile).

Each xdist worker is a session of its own, so a session fixture would be built by both workers. The pytest-xdist
recipe: the workers meet in the parent of their base temporary directories (the controller's); the first worker to
take a build's file lock builds into that shared directory and writes a marker after it succeeded, the other waits
on the lock and reads the result. A build that failed leaves a marker too, so the waiting worker fails with its
reason instead of building again. Run serially, the shared directory is the session's own base directory.

Every build appends a line to ``shared-builds.log`` there; ``pytest_terminal_summary`` in conftest.py prints the
lines, so a run shows each shared build happening once.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

BUILD_LOG = "shared-builds.log"


def shared_root(base_temp: Path) -> Path:
    # under xdist a worker's base directory is <the run's base directory>/popen-gwN
    return base_temp.parent if os.environ.get("PYTEST_XDIST_WORKER") else base_temp


def build_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Path]) -> Path:
    """``make(directory)`` once per run: it builds under the empty ``directory`` and returns the path the tests read
    (a file or directory inside it). A test that changes what it reads copies it first: the workers share it."""
    root = shared_root(factory.getbasetemp())
    out, done, failed = (root / f"shared-{name}{suffix}" for suffix in ("", ".done", ".failed"))
    with FileLock(str(root / f"shared-{name}.lock")):
        if failed.exists():
            raise RuntimeError(f"the shared build {name} failed on another worker:\n{failed.read_text()}")
        if done.exists():
            return Path(done.read_text(encoding="utf-8"))
        out.mkdir()
        started = time.monotonic()
        try:
            result = make(out)
        except BaseException:
            failed.write_text(traceback.format_exc(), encoding="utf-8")
            raise
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with (root / BUILD_LOG).open("a", encoding="utf-8") as log:
            log.write(f"{name} built by {worker} in {time.monotonic() - started:.0f} s\n")
        done.write_text(str(result), encoding="utf-8")
        return result
