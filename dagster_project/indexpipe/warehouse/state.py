"""Which raw tables the marts were built from: a fingerprint recorded by every run that rebuilt and checked them.

A run that rebuilds the marts and passes every check records, in ``_indexpipe.build_state`` of the same
(staging) file it then swaps in, a fingerprint of each raw table and each mart: its row count and an
order-independent sum of row hashes. ``indexpipe validate`` recomputes them: a raw table changed since (new
input loaded without the models, a hand edit) or a mart that is not the one checked (a half-built or tampered
warehouse) fails it, with the tables named.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from indexpipe.ingest.files import sql_ident

STATE_SCHEMA = "_indexpipe"
STATE_TABLE = f"{STATE_SCHEMA}.build_state"
RAW_SCHEMA = "raw"
MARTS_SCHEMA = "main"

Fingerprints = dict[str, str]  # "schema.table" -> "rows:hash sum"


def table_fingerprint(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> tuple[int, str]:
    """Row count and an order-independent sum of row hashes (the published manifest uses the same sum)."""
    rows, digest = con.execute(
        f"select count(*), coalesce(sum(hash(t)), 0)::varchar from {sql_ident(schema)}.{sql_ident(table)} as t"
    ).fetchone()
    return int(rows), str(digest)


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    # raw's bookkeeping (_load_log: load times) is not data the marts are built from
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE' "
            "order by table_name",
            [schema],
        ).fetchall()
        if not name.startswith("_")
    ]


def raw_fingerprints(con: duckdb.DuckDBPyConnection) -> Fingerprints:
    return {
        f"{RAW_SCHEMA}.{t}": ":".join(map(str, table_fingerprint(con, RAW_SCHEMA, t)))
        for t in _tables(con, RAW_SCHEMA)
    }


def mart_fingerprints(con: duckdb.DuckDBPyConnection, marts: tuple[str, ...]) -> Fingerprints:
    return {f"{MARTS_SCHEMA}.{m}": ":".join(map(str, table_fingerprint(con, MARTS_SCHEMA, m))) for m in marts}


def record_build(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    job: str,
    marts: Fingerprints,
    raw: Fingerprints | None = None,
) -> None:
    """Append the fingerprints of a run whose marts passed every check (on the staging copy, before the swap)."""
    raw = raw_fingerprints(con) if raw is None else raw
    con.execute(f"create schema if not exists {STATE_SCHEMA}")
    con.execute(
        f"create table if not exists {STATE_TABLE} (run_id varchar, job_name varchar, recorded_at timestamp, "
        "raw_fingerprints json, mart_fingerprints json)"
    )
    con.execute(
        f"insert into {STATE_TABLE} values (?, ?, ?, ?, ?)",
        [
            run_id,
            job,
            datetime.now(UTC).replace(tzinfo=None, microsecond=0),
            json.dumps(raw, sort_keys=True),
            json.dumps(marts, sort_keys=True),
        ],
    )


@dataclass(frozen=True)
class StateCheck:
    success: bool
    message: str


def check_state(con: duckdb.DuckDBPyConnection, marts: tuple[str, ...]) -> StateCheck:
    """Do the raw tables and marts match what the last recorded run built and checked?"""
    try:
        last = con.execute(
            f"select run_id, job_name, recorded_at, raw_fingerprints, mart_fingerprints from {STATE_TABLE} "
            "order by recorded_at desc, run_id desc limit 1"
        ).fetchone()
    except duckdb.CatalogException:
        last = None
    if last is None:
        return StateCheck(
            False,
            "no build of this warehouse is recorded as complete (built by an older indexpipe, or every build "
            "failed): its marts cannot be shown to match its raw tables; run indexpipe build",
        )
    run_id, job, recorded_at, raw_json, marts_json = last
    built = f"run {run_id[:8]} ({job}, {recorded_at:%Y-%m-%d %H:%M:%S} UTC)"
    raw_then, marts_then = json.loads(raw_json), json.loads(marts_json)
    raw_now = raw_fingerprints(con)
    changed_raw = sorted(t for t in raw_then.keys() | raw_now.keys() if raw_then.get(t) != raw_now.get(t))
    marts_now = mart_fingerprints(con, tuple(m for m in marts if _exists(con, MARTS_SCHEMA, m)))
    changed_marts = sorted(
        t for t in marts_then.keys() | marts_now.keys() if marts_then.get(t) != marts_now.get(t)
    )
    if changed_raw or changed_marts:
        parts = []
        if changed_raw:
            parts.append(f"raw tables changed since {built} built the marts: {', '.join(changed_raw)}")
        if changed_marts:
            parts.append(f"marts differ from those {built} built and checked: {', '.join(changed_marts)}")
        return StateCheck(False, "; ".join(parts) + " (rebuild with indexpipe build)")
    return StateCheck(True, f"marts match the raw tables they were built from by {built}")


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def check_warehouse_state(db_path: Path, marts: tuple[str, ...]) -> StateCheck:
    with duckdb.connect(str(db_path), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        return check_state(con, marts)
