"""Prepare dbt's manifest.json before the Dagster definitions import it.

``DbtProject.prepare_if_dev()`` only parses under ``dagster dev``; tests, CI and the CLI import the definitions
directly, so the manifest is rebuilt here whenever a dbt file is newer than it (``dbt parse``, ~5 s).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from indexpipe.settings import DBT_PROJECT_DIR, DUCKDB_PATH_VARIABLE, current_settings

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
_DBT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "tests", "seeds", "snapshots")


def dbt_executable() -> str:
    """The dbt next to the running interpreter (the venv), so PATH need not be activated: ``indexpipe-dbt`` (dbt
    that dies with its parent, indexpipe.dbt_child) when installed, else dbt itself."""
    for name in ("indexpipe-dbt", "dbt"):
        candidate = Path(sys.executable).parent / name
        if candidate.exists():
            return str(candidate)
    return "dbt"


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in _DBT_SOURCES:
        root = DBT_PROJECT_DIR / name
        paths = [root] if root.is_file() else root.rglob("*") if root.exists() else []
        for path in paths:
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def manifest_is_stale() -> bool:
    return not MANIFEST.exists() or MANIFEST.stat().st_mtime < _newest_source_mtime()


def prepare_manifest(force: bool = False) -> Path:
    if force or manifest_is_stale():
        # no network here: dbt would only time out trying to send usage statistics
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        env.setdefault(DUCKDB_PATH_VARIABLE, str(current_settings().duckdb_path))
        result = subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
    return MANIFEST


def mart_models() -> tuple[str, ...]:
    """The dbt tables under models/marts/: what readers use, published together after every check passes.

    Views are left out: they are computed on read, and publishing fct_index_constituents_daily (every index,
    security and session, ~100M rows) would materialize what the view exists to avoid."""
    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    return tuple(
        sorted(
            node["name"]
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model"
            and node["original_file_path"].startswith("models/marts/")
            and node["config"].get("materialized") != "view"
        )
    )
