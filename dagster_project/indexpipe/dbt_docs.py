"""dbt docs for the project (``indexpipe docs``, ``make docs``): every model and column, with the lineage.

The site is generated with the profile's ``docs`` target, which opens the warehouse read-only (DuckDB's
``access_mode``) for the catalog's row counts and types, into ``dbt_project/target/docs`` (beside, not over, the
manifest Dagster reads). Without a built warehouse the catalog is left empty; the YAML descriptions and contract
types are still there.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from indexpipe.dbt_manifest import dbt_executable
from indexpipe.settings import DBT_PROJECT_DIR

DOCS_TARGET_PATH = DBT_PROJECT_DIR / "target" / "docs"


class DocsError(RuntimeError):
    """dbt could not generate the site; the message is dbt's own error, on one line."""


def _dbt(args: list[str]) -> list[str]:
    return [
        dbt_executable(),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target",
        "docs",
        "--target-path",
        str(DOCS_TARGET_PATH),
    ]


def _env(db: Path) -> dict[str, str]:
    return {**os.environ, "DUCKDB_PATH": str(db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def generate_docs(db: Path) -> Path:
    """Write the site (index.html, manifest.json, catalog.json); returns its folder."""
    db = Path(db).resolve()
    # without a warehouse: no catalog, and no compilation (the reconstitution chain reads the calendar to compile)
    args = ["docs", "generate"] + ([] if db.exists() else ["--empty-catalog", "--no-compile"])
    if not db.exists():
        # dbt-duckdb opens its path even for an empty catalog: a throwaway database, never the warehouse's path
        db = DOCS_TARGET_PATH / "empty.duckdb"
        DOCS_TARGET_PATH.mkdir(parents=True, exist_ok=True)
        if not db.exists():
            import duckdb

            duckdb.connect(str(db)).close()
    result = subprocess.run(_dbt(args), env=_env(db), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        errors = [line for line in result.stdout.splitlines() if "error" in line.lower()]
        raise DocsError(" ".join((errors[-1] if errors else result.stdout[-300:]).split()))
    return DOCS_TARGET_PATH


def serve_docs(db: Path, port: int) -> None:
    """Serve the site until interrupted (replaces this process with dbt's server)."""
    command = _dbt(["docs", "serve", "--port", str(port), "--no-browser"])
    os.execve(command[0], command, _env(Path(db).resolve()))
