"""One dbt invocation's target directory, gone when the invocation succeeded.

dagster-dbt gives every dbt command a target directory of its own (dbt.log, manifest.json, run_results.json,
graph.gpickle, compiled/ and run/: ~10 MB for a small market), and leaves it behind: a day of test builds left
3 GB in dbt_project/target. A successful invocation's directory is removed once the step is done with it (its
parse state is kept first: indexpipe.dbt_parse_state). A failed one's stays, as the failure's one-line reason
names its dbt.log (indexpipe.build), but only the newest few: the next invocation removes older ones, and those of
killed runs. A directory in use holds a shared lock on itself, so a concurrent run's is never removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from indexpipe.settings import DBT_PROJECT_DIR

TARGET_ROOT = DBT_PROJECT_DIR / "target"
# failed invocations whose dbt.log is kept (the last failure's reason points at its log)
KEPT_FAILED = 3
_RUN_TARGET = re.compile(r"^.+-[0-9a-f]{7}-[0-9a-f]{7}$")


def run_target_path(op_name: str, run_id: str) -> Path:
    """A fresh target directory for one dbt invocation, named the way dagster-dbt names its own."""
    return TARGET_ROOT / f"{op_name}-{run_id[:7]}-{uuid.uuid4().hex[:7]}"


@contextlib.contextmanager
def run_target(op_name: str, run_id: str) -> Iterator[Path]:
    """The invocation's target directory: removed if the block ends normally, kept if it raises."""
    path = run_target_path(op_name, run_id)
    path.mkdir(parents=True)
    in_use = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(in_use, fcntl.LOCK_SH)
        yield path
        shutil.rmtree(path, ignore_errors=True)
    finally:
        os.close(in_use)
        # after this one's fate: a failed one is the newest, and stays
        prune_run_targets(path.parent)


def prune_run_targets(root: Path = TARGET_ROOT, keep: int = KEPT_FAILED) -> None:
    """Remove left-behind invocation directories but the newest ``keep``; one in use (locked) is never removed."""
    dated = []
    for path in root.glob("*-*-*"):
        if _RUN_TARGET.match(path.name) and path.is_dir() and not path.is_symlink():
            with contextlib.suppress(OSError):  # another process removed it
                dated.append((path.stat().st_mtime, path.name, path))
    # the newest stay whatever their lock says: a directory just made is locked only a moment later
    for *_, path in sorted(dated, reverse=True)[keep:]:
        _remove_unless_in_use(path)


def _remove_unless_in_use(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return  # a running invocation's
        shutil.rmtree(path, ignore_errors=True)
    finally:
        os.close(fd)
