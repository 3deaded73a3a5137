"""All or nothing: a run writes a copy of the warehouse and swaps it in only when every step succeeded.

    run = begin_run(live, run_id)   # under the run lock: leftovers removed, live copied beside it
    ... every step writes run.staging (DUCKDB_PATH points dbt there) ...
    commit(run)                     # record the build, fsync, rename over live, then swap the published link
    discard(run)                    # or: delete the copy and the unpublished snapshot; live was never opened

The live file is never opened for writing during a run, so a failure, an exception or kill -9 at any point
leaves it byte for byte as it was, and read-only readers of it are not blocked. The copy costs time and space
(measured in docs/reliability.md): a clone where the filesystem can share blocks (FICLONE: btrfs, XFS, ...),
else an in-kernel copy.

The copy is ``warehouse.duckdb`` in a directory of its own beside the live file (its WAL and DuckDB's spill
directory beside it): one file name for every warehouse, so dbt, started in that directory (indexpipe.dbt_child),
sees the same profile for every warehouse and keeps its partial parsing from one warehouse to the next.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from indexpipe.warehouse.published import published_link, remove_unpublished_snapshots, swap_published
from indexpipe.warehouse.state import Fingerprints, record_build

STAGING_PREFIX = "indexpipe_staging_"
# dbt-duckdb names the database after the file's stem: "warehouse", as the default live warehouse
STAGING_NAME = "warehouse.duckdb"
_FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int)
_COPY_CHUNK = 1 << 30


class WarehouseUnusable(RuntimeError):
    """The live warehouse cannot be copied for a run (open for writing elsewhere, corrupt, no space)."""


@dataclass
class WarehouseRun:
    live: Path
    staging: Path
    run_id: str
    copy_method: str  # "clone", "copy" or "new" (no warehouse yet)
    copy_seconds: float
    snapshot: Path | None = None  # published on commit, removed on discard
    mart_fingerprints: Fingerprints | None = None  # set when the marts passed their checks and were published
    models_built: bool = False  # the run ran dbt: its marts follow the raw tables it leaves
    job_name: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    def stage_publication(self, snapshot: Path, fingerprints: Fingerprints) -> None:
        self.snapshot, self.mart_fingerprints = snapshot, fingerprints


def _staging_stem(live: Path) -> str:
    # dbt-duckdb names the database after the file and fails on a quote in that name: the copy's name is plain
    # (and distinct per warehouse, so two warehouses in one directory never remove each other's copies)
    return f"{STAGING_PREFIX}{hashlib.sha256(live.name.encode()).hexdigest()[:8]}_"


def staging_path(live: Path, run_id: str) -> Path:
    """The run's copy: in a directory beside the warehouse (one filesystem, so the swap is a rename), one per
    warehouse (runs take turns under its lock, and a dead run's copy is removed first). The file itself has one name
    for all warehouses (``STAGING_NAME``): dbt keys its partial parsing on the database path it is given, and
    indexpipe-dbt gives it only this name, from the copy's directory."""
    del run_id
    return live.with_name(f"{_staging_stem(live)}run") / STAGING_NAME


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def remove_leftovers(live: Path) -> list[Path]:
    """Copies and snapshots of runs that died without committing or discarding (the caller holds the lock)."""
    removed = []
    for path in live.parent.glob(f"{_staging_stem(live)}*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)  # DuckDB's spill directory of a killed run
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    remove_unpublished_snapshots(published_link(live))
    return removed


def begin_run(live: Path, run_id: str, job_name: str = "") -> WarehouseRun:
    """Copy the live warehouse for a run; the caller holds the warehouse's run lock."""
    live = Path(live)
    live.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(live)
    staging = staging_path(live, run_id)
    check_usable(live)
    staging.parent.mkdir(exist_ok=True)
    started = time.perf_counter()
    if not live.exists():
        return WarehouseRun(live, staging, run_id, "new", 0.0, job_name=job_name)
    try:
        method = copy_file(live, staging)
    except OSError as exc:
        _remove_directory(staging.parent)
        reason = "no space left for a copy of it" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        size = live.stat().st_size / 1e9
        raise WarehouseUnusable(
            f"cannot copy warehouse {live} for this run ({reason}; a run needs {size:.2f} GB free beside it)"
        ) from exc
    return WarehouseRun(live, staging, run_id, method, time.perf_counter() - started, job_name=job_name)


def check_usable(live: Path) -> None:
    """Fold a write-ahead log left by a writer outside indexpipe into the file (a copy of the file alone would
    lose it) and prove it is a DuckDB file nobody else has open for writing (the caller holds the run lock)."""
    live = Path(live)
    if not live.exists():
        return
    try:
        if _wal(live).exists():
            with duckdb.connect(str(live)) as con:
                con.execute("checkpoint")
        else:
            duckdb.connect(str(live), read_only=True).close()
    except duckdb.Error as exc:
        first = " ".join(str(exc).split())[:300]
        raise WarehouseUnusable(f"cannot open warehouse {live} ({first})") from exc


def copy_file(source: Path, target: Path) -> str:
    """Clone ``source`` where the filesystem shares blocks, else copy it in the kernel; returns which."""
    with source.open("rb") as src, target.open("wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
            return "clone"
        except OSError:
            pass
        size = os.fstat(src.fileno()).st_size
        try:
            copied = 0
            while copied < size:
                n = os.copy_file_range(src.fileno(), dst.fileno(), min(_COPY_CHUNK, size - copied))
                if n == 0:
                    break
                copied += n
            if copied == size:
                return "copy"
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
                raise
        src.seek(0)
        dst.seek(0)
        dst.truncate()
        shutil.copyfileobj(src, dst, 1 << 24)
        return "copy"


def commit(run: WarehouseRun) -> None:
    """Swap the run's copy in for the live warehouse, then publish its snapshot (if the run made one)."""
    started = time.perf_counter()
    if run.staging.exists():
        with duckdb.connect(str(run.staging)) as con:
            con.execute("set enable_progress_bar = false")
            # a record says "these marts were built from these raw tables": only a run that ran dbt can say so
            if run.mart_fingerprints is not None and run.models_built:
                record_build(con, run.run_id, run.job_name, run.mart_fingerprints)
            con.execute("checkpoint")  # the file alone holds everything: no WAL to carry over
    run.timings["record"] = time.perf_counter() - started
    if run.staging.exists():
        started = time.perf_counter()
        _fsync(run.staging)
        os.replace(run.staging, run.live)
        _fsync(run.live.parent)
        run.timings["swap"] = time.perf_counter() - started
    _remove_directory(run.staging.parent)
    if run.snapshot is not None:
        swap_published(run.snapshot, published_link(run.live))


def discard(run: WarehouseRun) -> None:
    """Forget the run: its copy and its unpublished snapshot go; the live warehouse was never touched."""
    _remove_directory(run.staging.parent)
    if run.snapshot is not None:
        shutil.rmtree(run.snapshot, ignore_errors=True)


def _remove_directory(path: Path) -> None:
    """The copy's directory (left: an empty one after the swap, or the copy, its WAL and DuckDB's spill files)."""
    shutil.rmtree(path, ignore_errors=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # some filesystems refuse fsync on directories
            os.fsync(fd)
    finally:
        os.close(fd)
