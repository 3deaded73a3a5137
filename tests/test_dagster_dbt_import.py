"""dagster-dbt imported without dbt-core (indexpipe.dagster_dbt_import) builds the same asset graph and jobs as
dagster-dbt with dbt-core, and keeps dbt out of the run's process."""

from __future__ import annotations

import json
import subprocess
import sys

# Describes the code location as the UI and the runs see it: every asset with its group, code version, kinds,
# description and parents; every check with its asset and whether it blocks; the assets and checks of each job;
# the preview's models. Printed as JSON by a fresh interpreter.
DESCRIBE = """
import json, sys
{before}
from indexpipe.dagster_dbt_import import WITHOUT_DBT
from indexpipe.definitions import defs
from indexpipe.jobs import DAILY_JOB
from indexpipe.preview.run import PREVIEW_MODELS
from indexpipe.assets.transform import indexpipe_dbt_models
from indexpipe.dagster_dbt_import import get_asset_key_for_model

graph = defs.resolve_asset_graph()
assets = {{}}
for key in sorted(graph.get_all_asset_keys()):
    node = graph.get(key)
    assets[key.to_user_string()] = [
        node.group_name,
        node.code_version,
        sorted(node.kinds),
        node.description,
        sorted(p.to_user_string() for p in node.parent_keys),
    ]
checks = {{}}
for check_key in sorted(graph.asset_check_keys, key=lambda c: (c.asset_key.to_user_string(), c.name)):
    check = graph.get_check_spec(check_key)
    checks[f"{{check_key.asset_key.to_user_string()}}:{{check_key.name}}"] = [check.blocking, check.description]
jobs = {{}}
for job in defs.resolve_all_job_defs():
    if job.name.startswith("__"):
        continue
    jobs[job.name] = [
        sorted(k.to_user_string() for k in job.asset_layer.selected_asset_keys),
        sorted(f"{{c.asset_key.to_user_string()}}:{{c.name}}" for c in job.asset_layer.asset_graph.asset_check_keys),
    ]
preview = sorted(get_asset_key_for_model([indexpipe_dbt_models], m).to_user_string() for m in PREVIEW_MODELS)
print(json.dumps({{
    "without_dbt": WITHOUT_DBT,
    "dbt_imported": "dbt" in sys.modules,
    "graph": [assets, checks, jobs, preview],
}}))
"""


def _describe(before: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", DESCRIBE.format(before=before)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_definitions_load_without_dbt_and_equal_those_built_with_dbt() -> None:
    without = _describe("")
    # dbt imported first: dagster-dbt sees dbt-core and selects the nodes with dbt's graph selector
    with_dbt = _describe("import dbt.version")
    assert without["without_dbt"] is True
    assert without["dbt_imported"] is False
    assert with_dbt["without_dbt"] is False
    assert without["graph"] == with_dbt["graph"]
    assets, checks, jobs, preview = without["graph"]
    # the comparison has something to compare: the dbt models, their dbt tests as checks, the daily job's path
    assert "marts/fct_index_levels" in assets
    assert any(name.startswith("marts/fct_index_levels:") for name in checks)
    assert "marts/fct_index_levels" in jobs["daily_index_calculation"][0]
    assert "intermediate/int_reconstitution_chain" not in jobs["daily_index_calculation"][0]
    assert preview[-1] == "marts/fct_reconstitution_preview"
