"""Read-only access to a built warehouse for the commands that only read it (report, holdings)."""

from __future__ import annotations

from pathlib import Path

import duckdb


class WarehouseError(Exception):
    """A warehouse that cannot be read, or lacks what a command needs: one line for the user."""


def connect_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection, so a reader never takes the write lock a running build needs."""
    db = db.resolve()
    if not db.exists():
        raise WarehouseError(f"no warehouse at {db}: run indexpipe build (or indexpipe demo) first")
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot read {db}: {' '.join(str(exc).split())[:300]}") from exc
    con.execute("set enable_progress_bar = false")
    return con


def require_relations(con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> None:
    """Fail with the missing names when the warehouse predates a mart (built before it existed)."""
    present = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()
    }
    missing = [n for n in names if n not in present]
    if missing:
        raise WarehouseError(
            f"the warehouse has no {', '.join(missing)}: rebuild it with this version (indexpipe build)"
        )
