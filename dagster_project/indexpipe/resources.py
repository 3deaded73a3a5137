"""Dagster resources: where the input files are and which DuckDB file is the warehouse."""

from __future__ import annotations

from pathlib import Path

import dagster as dg


class WarehouseResource(dg.ConfigurableResource):
    """Paths resolved when a run starts, from INDEXPIPE_DATA_DIR and DUCKDB_PATH (see settings.py)."""

    input_dir: str
    duckdb_path: str

    @property
    def input_path(self) -> Path:
        return Path(self.input_dir).expanduser().resolve()

    @property
    def db_path(self) -> Path:
        path = Path(self.duckdb_path).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return path
