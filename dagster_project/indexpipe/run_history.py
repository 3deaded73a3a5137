"""Dagster's SQLite event log for the project instance, without a disk flush or a new connection per event.

Dagster's SQLite storage creates an engine, opens, commits and closes a connection for every event, and SQLite
flushes the disk (fsync) on each commit and on each last close of a WAL database: about 20 ms an event here, 15-20 s
for the ~900 events of a build (each dbt model and test, each check). The run history is a log the next build
rewrites, not the warehouse, so this storage turns the flushes off (``PRAGMA synchronous=OFF``): an operating-system
crash may lose the last events of a run; a crash of the process loses nothing, and the files never become
inconsistent.

It also keeps one open connection per shard (the index and the few most recent runs) instead of a new engine and
connection per event, and remembers which tables exist (Dagster asks again, on a new connection, for each asset
and check event): a one-day run writes ~130 events, and those connections cost 5-10 ms each. The connections are
used one at a time (Dagster's storage serializes every access on one lock) and closed when the instance is.
Each event is still its own committed transaction, so the UI (another process, reading the WAL database) sees
it at once.

A new run's shard (its own SQLite file) is a copy of an empty shard made once per Dagster version
(``.run-shard-dagster-<version>.sqlite`` in the storage folder, which Dagster's ``*.db`` listing of runs ignores):
creating its tables and stamping their Alembic revision cost 0.3-0.6 s a run, which the copy replaces.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import __version__ as dagster_version
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, StaticPool

# the index shard and the shards of the runs being written or read (a long-lived UI process reads many runs)
_OPEN_SHARDS = 4


def _no_flush(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.execute("PRAGMA synchronous=OFF")


class RunHistoryEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data=None) -> None:  # type: ignore[no-untyped-def]
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):  # type: ignore[override]
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.pop(shard, None)
            if engine is None:
                # one connection, reused: every use holds the storage's lock (``_db_lock``), so never two at once
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=StaticPool,
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                )
                event.listen(engine, "connect", _no_flush)
            self._engines[shard] = engine
            while len(self._engines) > _OPEN_SHARDS:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
            return engine

    def _dispose_engines(self) -> None:
        with self._engines_lock:
            while self._engines:
                _, engine = self._engines.popitem()
                engine.dispose()

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            if shard not in self._initialized_dbs:
                if shard == INDEX_SHARD_NAME or not self._copy_template(shard):
                    self._initdb_at(self.conn_string_for_shard(shard))
                self._initialized_dbs.add(shard)
            engine = self._engine(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _initdb_at(self, conn_string: str) -> None:
        # creating a shard's tables takes several connections at once: on an engine of its own, as Dagster does
        setup = create_engine(
            conn_string, poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        )
        try:
            self._initdb(setup)
        finally:
            setup.dispose()

    def _template(self) -> Path:
        """An empty run shard, created and stamped once per Dagster version in the storage folder."""
        template = Path(self._base_dir) / f".run-shard-dagster-{dagster_version}.sqlite"
        if not template.exists():
            building = template.with_name(f"{template.name}.{uuid.uuid4().hex}.tmp")
            self._initdb_at(f"sqlite:///{building}")
            os.replace(building, template)
        return template

    def _copy_template(self, shard: str) -> bool:
        """A new run's shard as a copy of the template (False when the shard exists: Dagster's set-up checks it)."""
        target = Path(self.path_for_shard(shard))
        if target.exists():
            return False
        copy = target.with_name(f"{target.name}.{uuid.uuid4().hex}.tmp")
        shutil.copyfile(self._template(), copy)
        try:
            # never over a shard another process created meanwhile
            os.link(copy, target)
        except FileExistsError:
            return False
        finally:
            copy.unlink()
        return True

    def has_table(self, table_name: str) -> bool:
        # asked on every asset and check event (a new engine and connection each time); a table, once there, stays
        if table_name in self._tables:
            return True
        if found := super().has_table(table_name):
            self._tables.add(table_name)
        return found

    def wipe(self) -> None:
        # the run shards' files are deleted: no connection may stay on them
        with self._db_lock:
            self._dispose_engines()
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            self._dispose_engines()
