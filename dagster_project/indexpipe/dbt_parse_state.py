"""dbt's partial-parse state, kept per warehouse.

dbt parses only what changed since its last parse (``partial_parse.msgpack``), but throws the state away and parses
the whole project again (2.5-3 s on the daily run) when the profile or the vars differ from the state's. dagster-dbt
hands every run the single ``target/partial_parse.msgpack``, so one run on another warehouse (a test build, a second
market) in between made the next daily run of the first warehouse parse from scratch. Here each warehouse (the path
dbt's profile points at, and the rule overrides passed as vars) keeps its own state: a run starts from the state
its warehouse's last run left; the shared file stays the fallback for a warehouse seen for the first time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

from indexpipe.settings import DBT_PROJECT_DIR

PARTIAL_PARSE = "partial_parse.msgpack"
SHARED_STATE = DBT_PROJECT_DIR / "target" / PARTIAL_PARSE
STATE_DIR = DBT_PROJECT_DIR / "target" / "parse_state"
# one state is ~1 MB; test suites run hundreds of warehouses, and a state unused this long is worth no parse
KEPT_STATES = 16


def state_path(db_path: Path, overrides: dict | None = None) -> Path:
    """The kept state of the runs whose dbt profile points at ``db_path`` with these rule overrides."""
    key = json.dumps([str(db_path), overrides or {}], sort_keys=True)
    return STATE_DIR / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.msgpack"


def run_target_path(op_name: str, run_id: str) -> Path:
    """A fresh target directory for one dbt invocation, named the way dagster-dbt names its own."""
    return DBT_PROJECT_DIR / "target" / f"{op_name}-{run_id[:7]}-{uuid.uuid4().hex[:7]}"


def seed_run_target(run_target: Path, kept: Path) -> None:
    """Start the invocation from the warehouse's kept state (dagster-dbt copies the shared one only into a target
    that has none)."""
    if not kept.exists():
        return
    run_target.mkdir(parents=True, exist_ok=True)
    # a cache: without it dbt falls back to the shared state or a full parse
    with contextlib.suppress(OSError):
        shutil.copyfile(kept, run_target / PARTIAL_PARSE)


def keep_parse_state(run_target: Path, kept: Path | None = None) -> None:
    """Keep the invocation's parse state for the next run of its warehouse (``kept``) and as the shared fallback."""
    parsed = Path(run_target) / PARTIAL_PARSE
    if not parsed.exists():
        return
    for destination in (kept, SHARED_STATE) if kept is not None else (SHARED_STATE,):
        _replace(parsed, destination)
    if kept is not None:
        _prune(kept.parent)


def _replace(source: Path, destination: Path) -> None:
    partial = destination.with_name(f".{destination.name}.{os.getpid()}")
    with contextlib.suppress(OSError):  # a cache: a run that cannot keep it costs the next one a full parse
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, partial)
        os.replace(partial, destination)


def _prune(directory: Path) -> None:
    """Drop all but the most recently kept states (another process may be pruning too: a vanished file is fine)."""
    dated = []
    for state in directory.glob("*.msgpack"):
        with contextlib.suppress(OSError):
            dated.append((state.stat().st_mtime, state.name, state))
    for *_, stale in sorted(dated, reverse=True)[KEPT_STATES:]:
        stale.unlink(missing_ok=True)
