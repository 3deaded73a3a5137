"""Dagster's SQLite event log for the project instance, without a disk flush per event.

Dagster's SQLite storage opens, commits and closes a connection for every event, and SQLite flushes the disk
(fsync) on each commit and on each last close of a WAL database: about 20 ms an event here, 15-20 s for the ~900
events of a build (each dbt model and test, each check). The run history is a log the next build rewrites, not the
warehouse, so this storage turns the flushes off (``PRAGMA synchronous=OFF``): an operating-system crash may lose
the last events of a run; a crash of the process loses nothing, and the files never become inconsistent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from sqlalchemy.engine import Connection


class RunHistoryEventLogStorage(SqliteEventLogStorage):
    @classmethod
    def from_config_value(cls, inst_data, config_value):  # type: ignore[override]
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with super()._connect(shard) as conn:
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
            yield conn
