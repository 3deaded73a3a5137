"""One place for every path the pipeline shares between Dagster, dbt and the CLI.

dbt resolves a relative DuckDB path against the directory it runs in and Dagster against its own working
directory, so everything here is made absolute. A run gets its settings in its run config (indexpipe.build,
indexpipe.resources) and hands dbt the warehouse path in its child's environment only (indexpipe.dbt_child). The
environment variables below configure a whole process: the code location ``dagster dev`` loads (``indexpipe
dev`` starts it with them) and commands run outside Dagster.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DEFAULT_DATA_ROOT = REPO_ROOT / "data"
DEFAULT_INPUT_DIR = DEFAULT_DATA_ROOT / "demo"
DEFAULT_DUCKDB_PATH = DEFAULT_DATA_ROOT / "warehouse.duckdb"
# The Dagster instance the CLI and the UI share (run history, materializations, check results, logs)
DEFAULT_DAGSTER_HOME = REPO_ROOT / ".dagster_home"
DAGSTER_HOME_VARIABLE = "DAGSTER_HOME"
DATA_DIR_VARIABLE = "INDEXPIPE_DATA_DIR"
DUCKDB_PATH_VARIABLE = "DUCKDB_PATH"


def default_dagster_home() -> Path:
    """The project's Dagster instance: DAGSTER_HOME when set (as ``dagster dev`` reads it), else .dagster_home in
    the repository. Read here only; everything else takes the path from ``Settings.dagster_home``."""
    text = os.environ.get(DAGSTER_HOME_VARIABLE, "").strip()
    return Path(text).expanduser().resolve() if text else DEFAULT_DAGSTER_HOME


@dataclass(frozen=True)
class Settings:
    input_dir: Path
    duckdb_path: Path
    dagster_home: Path = field(default_factory=default_dagster_home)

    def environment(self) -> dict[str, str]:
        """The variables a process started on these settings reads (``indexpipe dev`` starts ``dagster dev``)."""
        return {
            DATA_DIR_VARIABLE: str(self.input_dir),
            DUCKDB_PATH_VARIABLE: str(self.duckdb_path),
            # no network here: dbt would only time out trying to send usage statistics
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }


def current_settings() -> Settings:
    """The process's settings: its environment, falling back to the embedded demo market."""
    input_dir = Path(os.environ.get(DATA_DIR_VARIABLE, DEFAULT_INPUT_DIR)).expanduser().resolve()
    duckdb_path = Path(os.environ.get(DUCKDB_PATH_VARIABLE, DEFAULT_DUCKDB_PATH)).expanduser().resolve()
    return Settings(input_dir=input_dir, duckdb_path=duckdb_path)


# ------------------------------------------------------------------------------------------------------------
# Reliability settings: plausibility bounds of the input checks and how long a writer waits for the warehouse.
# Each has a documented default (docs/reliability.md) and may be overridden by one environment variable, read
# here and nowhere else.


@dataclass(frozen=True)
class InputLimits:
    """Bounds of the semantic input checks (indexpipe.ingest.semantic)."""

    # a close outside [min_close, max_close] dollars a share is a unit or parsing error, not a price
    min_close: float = 1e-4
    max_close: float = 1e7
    # shares traded in one day; the busiest US listings trade a few billion
    max_volume: float = 1e11
    # a split's ex-date close times its ratio, over the previous close, within a factor of 1 + tolerance
    split_price_tolerance: float = 0.5
    # shares outstanding in force on the ex-date over those before it, divided by the ratio, likewise
    split_shares_tolerance: float = 0.25
    # longest CSV line read (DuckDB's default); a longer one is a missing quote or line break
    max_csv_line_bytes: int = 2_000_000


_LIMIT_VARIABLES = {
    "min_close": "INDEXPIPE_MIN_CLOSE",
    "max_close": "INDEXPIPE_MAX_CLOSE",
    "max_volume": "INDEXPIPE_MAX_VOLUME",
    "split_price_tolerance": "INDEXPIPE_SPLIT_PRICE_TOLERANCE",
    "split_shares_tolerance": "INDEXPIPE_SPLIT_SHARES_TOLERANCE",
    "max_csv_line_bytes": "INDEXPIPE_MAX_CSV_LINE_BYTES",
}
LOCK_WAIT_VARIABLE = "INDEXPIPE_LOCK_WAIT_SECONDS"
DEFAULT_LOCK_WAIT_SECONDS = 600.0


def _positive_number(variable: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{variable}={text!r} is not a finite non-negative number")
    return value


def input_limits() -> InputLimits:
    """The input bounds in force: the defaults above, each overridable by its INDEXPIPE_* variable."""
    values: dict[str, float | int] = {}
    for name, variable in _LIMIT_VARIABLES.items():
        if text := os.environ.get(variable, "").strip():
            number = _positive_number(variable, text)
            values[name] = int(number) if name == "max_csv_line_bytes" else number
    limits = InputLimits(**values)  # type: ignore[arg-type]
    if limits.min_close >= limits.max_close:
        raise ValueError(f"min close {limits.min_close:g} must be below max close {limits.max_close:g}")
    return limits


def lock_wait_seconds() -> float:
    """How long a second writer waits for the warehouse's run lock before giving up (INDEXPIPE_LOCK_WAIT_SECONDS)."""
    text = os.environ.get(LOCK_WAIT_VARIABLE, "").strip()
    return _positive_number(LOCK_WAIT_VARIABLE, text) if text else DEFAULT_LOCK_WAIT_SECONDS
