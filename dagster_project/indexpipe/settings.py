"""One place for every path the pipeline shares between Dagster, dbt and the CLI.

dbt resolves a relative DuckDB path against the directory it runs in and Dagster against its own working
directory, so everything here is made absolute and handed to dbt through the ``DUCKDB_PATH`` variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DEFAULT_DATA_ROOT = REPO_ROOT / "data"
DEFAULT_INPUT_DIR = DEFAULT_DATA_ROOT / "demo"
DEFAULT_DUCKDB_PATH = DEFAULT_DATA_ROOT / "warehouse.duckdb"


@dataclass(frozen=True)
class Settings:
    input_dir: Path
    duckdb_path: Path

    def export(self) -> None:
        """Publish the paths to child processes (dbt reads DUCKDB_PATH in profiles.yml)."""
        os.environ["INDEXPIPE_DATA_DIR"] = str(self.input_dir)
        os.environ["DUCKDB_PATH"] = str(self.duckdb_path)
        # no network here: dbt would only time out trying to send usage statistics
        os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def current_settings() -> Settings:
    """Settings from the environment, falling back to the embedded demo market."""
    input_dir = Path(os.environ.get("INDEXPIPE_DATA_DIR", DEFAULT_INPUT_DIR)).expanduser().resolve()
    duckdb_path = Path(os.environ.get("DUCKDB_PATH", DEFAULT_DUCKDB_PATH)).expanduser().resolve()
    return Settings(input_dir=input_dir, duckdb_path=duckdb_path)
