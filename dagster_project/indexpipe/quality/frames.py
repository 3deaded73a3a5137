"""Check frames: SQL files in expectations/frames/, one per suite, read from DuckDB read-only.

A frame file starts with two header comments, `-- asset: <asset key>` (the asset whose check this is) and
`-- examples: <columns>` (the columns that name a failing row), then a DuckDB query. `{{ var('name') }}` and
`{{ exact_sum(expr, scale) }}` work as in the dbt models, with the rule values the warehouse was built with
(indexpipe.rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2
import pandas as pd

from indexpipe.rules import RuleVars, recorded_overrides, rule_vars
from indexpipe.settings import EXPECTATIONS_DIR

FRAMES_DIR = EXPECTATIONS_DIR / "frames"


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


def render(frame: CheckFrame, values: RuleVars | None = None) -> str:
    values = rule_vars() if values is None else values

    def var(name: str) -> object:
        return values[name]

    def exact_sum(expression: str, scale: int = 6) -> str:
        return f"sum(({expression})::decimal(38, {scale}))"

    template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(frame.sql_path.read_text())
    return template.render(var=var, exact_sum=exact_sum)


def read_frame(con: duckdb.DuckDBPyConnection, frame: CheckFrame) -> pd.DataFrame:
    return con.execute(render(frame, rule_vars(recorded_overrides(con)))).df()
