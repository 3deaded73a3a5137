"""One writer per warehouse: a lock file next to the DuckDB file, held for a whole run.

``build``, ``day`` and every Dagster run that writes (through ``WarehouseResource``) take it; a second writer
waits a bounded time, then fails with one line naming the holder (pid, command, start time). The lock is an
``flock`` on ``<warehouse>.lock``: the kernel releases it when the holder exits in any way, kill -9 included, so
a crashed run never leaves it behind. Readers of the published snapshot never take it.

Re-entrant within one process: ``indexpipe build`` holds it while the Dagster run it starts takes it again.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from indexpipe.settings import LOCK_WAIT_VARIABLE, lock_wait_seconds

LOCK_SUFFIX = ".lock"
_POLL_SECONDS = 0.2


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse's run lock; the message names it."""


@dataclass(frozen=True)
class Holder:
    pid: int
    command: str
    started: str  # ISO time, UTC
    host: str

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host} ({self.command}), running since {self.started}"


@dataclass
class _Held:
    fd: int
    depth: int
    holder: Holder


_held: dict[str, _Held] = {}
_registry = threading.Lock()


def lock_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + LOCK_SUFFIX)


def _command_line() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    return " ".join([name, *sys.argv[1:]])[:300]


def _read_holder(fd: int) -> Holder | None:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "null")
        return Holder(int(data["pid"]), str(data["command"]), str(data["started"]), str(data["host"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None  # being written, or written by something else: the caller says "unknown"


def current_holder(db_path: Path) -> Holder | None:
    """The process holding the warehouse's lock now, or None when nobody does (never waits, never takes it)."""
    path = lock_path(Path(db_path).expanduser().resolve())
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDWR)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd) or Holder(0, "unknown", "unknown", "unknown")
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


@contextmanager
def warehouse_lock(
    db_path: Path, command: str | None = None, wait_seconds: float | None = None
) -> Iterator[Holder]:
    """Hold the run lock of the warehouse at ``db_path`` for the block; wait up to ``wait_seconds`` (default: the
    setting INDEXPIPE_LOCK_WAIT_SECONDS, 600 s) for another holder, then raise ``WarehouseBusy``."""
    db_path = Path(db_path).expanduser().resolve()
    path = lock_path(db_path)
    key = str(path)
    with _registry:
        held = _held.get(key)
        if held is not None:
            held.depth += 1
    if held is not None:
        try:
            yield held.holder
        finally:
            with _registry:
                held.depth -= 1
        return

    wait = lock_wait_seconds() if wait_seconds is None else wait_seconds
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_CLOEXEC (Python's default): dbt and other children never inherit the lock, so it dies with this process
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, db_path, wait)
    except BaseException:
        os.close(fd)
        raise
    holder = Holder(
        os.getpid(),
        command or _command_line(),
        datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        socket.gethostname(),
    )
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(holder.__dict__).encode("utf-8"), 0)
    with _registry:
        _held[key] = _Held(fd, 1, holder)
    try:
        yield holder
    finally:
        with _registry:
            del _held[key]
        try:
            os.ftruncate(fd, 0)  # nobody holds it: no stale name for the next waiter to report
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _acquire(fd: int, db_path: Path, wait: float) -> None:
    started = time.monotonic()
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            waited = time.monotonic() - started
            if waited >= wait:
                holder = _read_holder(fd)
                who = holder.describe() if holder else "a process that has not said who it is yet"
                raise WarehouseBusy(
                    f"warehouse {db_path} is being written by {who}; gave up after waiting {waited:.0f} s "
                    f"({LOCK_WAIT_VARIABLE})"
                ) from None
            time.sleep(min(_POLL_SECONDS, max(wait - waited, 0.01)))
