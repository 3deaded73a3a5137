"""The rule parameters of dbt_project.yml (`vars`), with the overrides a run passes to dbt.

The Great Expectations check frames are templated with the same numbers as the models, so a test market with
scaled breakpoints is checked against its own breakpoints.
"""

from __future__ import annotations

import json
import os

import yaml

from indexpipe.settings import DBT_PROJECT_DIR

DBT_VARS_ENV = "INDEXPIPE_DBT_VARS"


def rule_vars() -> dict[str, float | int]:
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    values = dict(project.get("vars", {}))
    overrides = os.environ.get(DBT_VARS_ENV, "").strip()
    if overrides:
        values.update(json.loads(overrides))
    return values
