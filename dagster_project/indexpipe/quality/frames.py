"""Check frames: the tables the Great Expectations suites validate, one per suite, read from DuckDB read-only.

Two kinds, both named after their suite:

- The marts' frames are dbt views, ``checks.chk_<suite>`` (dbt_project/models/checks/), built by the same
  ``dbt build`` as the marts, so they use that run's rule vars and the models' own macros; their model config in
  _checks.yml gives the guarded asset (``meta.asset``) and the columns naming a failing row (``meta.examples``).
  A frame reads ``select * from checks.chk_<suite>``: a view, so a table altered after the build is seen as it is.
- The raw tables' frames are plain SQL files, expectations/frames/raw_<table>.sql, with two header comments
  (``-- asset: raw/<table>``, ``-- examples: <columns>``). They run in the ingest stage, before dbt builds anything,
  on the tables just loaded; no Jinja and no vars: input rules belong to the Python validator (docs/pipeline.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import dagster as dg
import duckdb
import pandas as pd

from indexpipe.assets.dbt_translator import model_key
from indexpipe.dbt_manifest import prepare_manifest
from indexpipe.settings import EXPECTATIONS_DIR

FRAMES_DIR = EXPECTATIONS_DIR / "frames"
CHECKS_SCHEMA = "checks"
CHECK_MODEL_PREFIX = "chk_"


@dataclass(frozen=True)
class CheckFrame:
    name: str  # also the name of its suite and validation definition
    asset_key: tuple[str, ...]  # the asset the check guards
    example_columns: tuple[str, ...]
    description: str
    source: str  # where the query is written, relative to the repository
    query: str
    model_key: dg.AssetKey | None = None  # the dbt view the frame reads (None for a raw table's frame)


def _header(lines: list[str], key: str, name: str) -> str:
    for line in lines:
        if line.startswith(f"-- {key}:"):
            return line.split(":", 1)[1].strip()
    raise ValueError(f"{name}: missing '-- {key}:' header")


def _asset_key(text: str) -> tuple[str, ...]:
    """``raw/prices``, ``marts/fct_index_levels``; a bare model name is the mart of that name."""
    parts = tuple(text.split("/"))
    return parts if len(parts) > 1 else ("marts", *parts)


def raw_frames() -> list[CheckFrame]:
    frames = []
    for path in sorted(FRAMES_DIR.glob("*.sql")):
        text = path.read_text()
        lines = text.splitlines()
        comments = [line[3:].strip() for line in lines[2:] if line.startswith("-- ")]
        frames.append(
            CheckFrame(
                name=path.stem,
                asset_key=_asset_key(_header(lines, "asset", path.name)),
                example_columns=tuple(c.strip() for c in _header(lines, "examples", path.name).split(",")),
                description=" ".join(comments) or path.stem,
                source=f"expectations/frames/{path.name}",
                query=text,
            )
        )
    return frames


def model_frames() -> list[CheckFrame]:
    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    frames = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or not node["original_file_path"].startswith("models/checks/"):
            continue
        model, meta = node["name"], node["config"].get("meta", {})
        if not model.startswith(CHECK_MODEL_PREFIX) or "asset" not in meta or "examples" not in meta:
            raise ValueError(f"{model}: a check model is chk_<suite> with meta.asset and meta.examples")
        frames.append(
            CheckFrame(
                name=model.removeprefix(CHECK_MODEL_PREFIX),
                asset_key=_asset_key(meta["asset"]),
                example_columns=tuple(meta["examples"]),
                description=" ".join(node.get("description", "").split()) or model,
                source=f"dbt_project/{node['original_file_path']}",
                # the view's name is fixed by dbt_project.yml (schema checks) and the model's name
                query=f"select * from {CHECKS_SCHEMA}.{model}",
                model_key=model_key(model, CHECKS_SCHEMA),
            )
        )
    return frames


@cache
def discover_frames() -> tuple[CheckFrame, ...]:
    return tuple(sorted([*raw_frames(), *model_frames()], key=lambda f: f.name))


def read_frame(con: duckdb.DuckDBPyConnection, frame: CheckFrame) -> pd.DataFrame:
    return con.execute(frame.query).df()
