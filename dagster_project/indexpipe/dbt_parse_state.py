"""dbt's partial-parse state, kept per profile and vars.

dbt parses only what changed since its last parse (``partial_parse.msgpack``), but throws the state away and parses
the whole project again (~2 s on a small build, 2.5-3 s on the daily run) when the profile or the vars differ from
the state's. dagster-dbt hands every run the single ``target/partial_parse.msgpack``, so a run with other vars (a
small market's scaled ranks, a test's overrides) in between made the next run parse from scratch. Here each
profile (the DuckDB file name dbt is given: indexpipe.dbt_child starts dbt in the file's directory, and a run's copy
has one name for every warehouse) and set of rule overrides passed as vars keeps its own state: a run starts from
the state the last run with the same vars left, whatever warehouse it wrote; the shared file stays the fallback for
vars seen for the first time. dbt still checks the state (project files, vars, profile) and parses what changed.
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
# one state is ~1.8 MB, one per set of vars: ten test files used seven (each market size scales the ranks, and
# tests add overrides), so the suite's sets fit and a second test run starts from the first's states
KEPT_STATES = 32


def state_path(db_path: Path, overrides: dict | None = None) -> Path:
    """The kept state of the runs whose dbt profile points at a file named as ``db_path`` with these rule
    overrides (dbt sees the name alone: indexpipe.dbt_child)."""
    key = json.dumps([Path(db_path).name, overrides or {}], sort_keys=True)
    return STATE_DIR / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.msgpack"


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
    # one name per writer: two runs may keep the same state at once, from two processes or two threads of one
    partial = destination.with_name(f".{destination.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, partial)
        os.replace(partial, destination)
    except OSError:  # a cache: a run that cannot keep it costs the next one a full parse
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def _prune(directory: Path) -> None:
    """Drop all but the most recently kept states (another process may be pruning too: a vanished file is fine)."""
    dated = []
    for state in directory.glob("*.msgpack"):
        with contextlib.suppress(OSError):
            dated.append((state.stat().st_mtime, state.name, state))
    for *_, stale in sorted(dated, reverse=True)[KEPT_STATES:]:
        stale.unlink(missing_ok=True)
