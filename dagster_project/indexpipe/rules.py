"""The rule parameters of dbt_project.yml (`vars`), with the overrides a run passes to dbt.

Where an override comes from, lowest first:
1. ``market.json`` in the input directory (written by ``indexpipe generate``: breakpoint ranks scaled to a market
   smaller than the calibrated one, indexpipe.market_scale);
2. the run's explicit overrides: ``build(dbt_vars=...)`` (tests with crafted markets) passes them in the run
   config of the ``warehouse`` resource; outside a run, and for a run launched without them, they are
   ``INDEXPIPE_DBT_VARS`` (JSON) of the process (``indexpipe validate``, the UI's code location).
The dbt step records the overrides it ran with in the warehouse (``_indexpipe.rule_overrides``), so what reads a
warehouse later (``indexpipe compare``, the preview) knows the rules it was built with. The Great Expectations
check frames of the marts need no such reading: they are dbt views built by the same run (models/checks).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import yaml

from indexpipe.market_scale import market_overrides
from indexpipe.settings import DBT_PROJECT_DIR

DBT_VARS_ENV = "INDEXPIPE_DBT_VARS"
OVERRIDES_TABLE = "_indexpipe.rule_overrides"

RuleVars = dict[str, float | int | str]


def project_vars() -> RuleVars:
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    return dict(project.get("vars", {}))


def explicit_overrides() -> RuleVars:
    """The process's explicit overrides (INDEXPIPE_DBT_VARS); a run takes its own from its resource config."""
    text = os.environ.get(DBT_VARS_ENV, "").strip()
    return json.loads(text) if text else {}


def run_overrides(input_dir: Path | None, explicit: RuleVars | None = None) -> RuleVars:
    """What a run passes to dbt as ``--vars``: the input's market file, then the explicit overrides (the
    process's when not given)."""
    explicit = explicit_overrides() if explicit is None else explicit
    return {**(market_overrides(input_dir) if input_dir is not None else {}), **explicit}


def rule_vars(recorded: RuleVars | None = None, explicit: RuleVars | None = None) -> RuleVars:
    """dbt_project.yml's vars, then the overrides a warehouse was built with, then the explicit ones (the
    process's when not given)."""
    explicit = explicit_overrides() if explicit is None else explicit
    return {**project_vars(), **(recorded or {}), **explicit}


def record_overrides(db_path: Path, overrides: RuleVars) -> None:
    """Remember in the warehouse the overrides its models are about to be built with."""
    with duckdb.connect(str(db_path)) as con:
        con.execute("create schema if not exists _indexpipe")
        con.execute(f"create or replace table {OVERRIDES_TABLE} (name varchar, value json)")
        for name, value in sorted(overrides.items()):
            con.execute(f"insert into {OVERRIDES_TABLE} values (?, ?)", [name, json.dumps(value)])


def recorded_overrides(con: duckdb.DuckDBPyConnection) -> RuleVars:
    """The overrides the warehouse's models were built with ({} for a warehouse built before they were kept)."""
    try:
        rows = con.execute(f"select name, value from {OVERRIDES_TABLE} order by name").fetchall()
    except duckdb.CatalogException:
        return {}
    return {name: json.loads(value) for name, value in rows}
