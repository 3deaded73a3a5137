"""Check frames: SQL files in expectations/frames/, one per suite, read from DuckDB read-only.

A frame file starts with two header comments, `-- asset: <asset key>` (the asset whose check this is) and
`-- examples: <columns>` (the columns that name a failing row), then a DuckDB query. `{{ var('name') }}` and
`{{ exact_sum(expr, scale) }}` work as in the dbt models: ``var`` gives the rule values the warehouse was built
with (indexpipe.rules.rule_vars, the one place that resolves them outside dbt), and the macros are the models' own
(dbt_project/macros/<name>.sql, rendered here with Jinja, not copied).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import jinja2
import pandas as pd

from indexpipe.rules import RuleVars, recorded_overrides, rule_vars
from indexpipe.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR

FRAMES_DIR = EXPECTATIONS_DIR / "frames"
# dbt macros the frames call; each is plain Jinja (no dbt context), in dbt_project/macros/<name>.sql
FRAME_MACROS = ("exact_sum",)


@dataclass(frozen=True)
class CheckFrame:
    name: str  # also the name of its suite and validation definition
    asset_key: tuple[str, ...]
    example_columns: tuple[str, ...]
    description: str
    sql_path: Path


def _header(lines: list[str], key: str, path: Path) -> str:
    for line in lines:
        if line.startswith(f"-- {key}:"):
            return line.split(":", 1)[1].strip()
    raise ValueError(f"{path}: missing '-- {key}:' header")


def _asset_key(text: str) -> tuple[str, ...]:
    """``raw/prices``, ``marts/fct_index_levels``; a bare model name is the mart of that name."""
    parts = tuple(text.split("/"))
    return parts if len(parts) > 1 else ("marts", *parts)


def discover_frames() -> list[CheckFrame]:
    frames = []
    for path in sorted(FRAMES_DIR.glob("*.sql")):
        lines = path.read_text().splitlines()
        comments = [line[3:].strip() for line in lines[2:] if line.startswith("-- ")]
        frames.append(
            CheckFrame(
                name=path.stem,
                asset_key=_asset_key(_header(lines, "asset", path)),
                example_columns=tuple(c.strip() for c in _header(lines, "examples", path).split(",")),
                description=" ".join(comments) or path.stem,
                sql_path=path,
            )
        )
    return frames


@cache
def dbt_macros() -> dict[str, Callable[..., str]]:
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    macros = {}
    for name in FRAME_MACROS:
        module = environment.from_string((DBT_PROJECT_DIR / "macros" / f"{name}.sql").read_text()).module
        macros[name] = getattr(module, name)
    return macros


def render(frame: CheckFrame, values: RuleVars | None = None) -> str:
    values = rule_vars() if values is None else values

    def var(name: str) -> object:
        return values[name]

    template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(frame.sql_path.read_text())
    return template.render(var=var, **dbt_macros())


def read_frame(
    con: duckdb.DuckDBPyConnection, frame: CheckFrame, explicit: RuleVars | None = None
) -> pd.DataFrame:
    """The frame over the warehouse, with the rules it was built with and ``explicit`` overrides (a run's own;
    the process's when not given)."""
    return con.execute(render(frame, rule_vars(recorded_overrides(con), explicit))).df()
