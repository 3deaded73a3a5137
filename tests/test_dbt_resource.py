"""The code location's dbt resource skips dagster-dbt's `dbt --version` subprocess and in-process adapter, and still
reports the version of the dbt it runs (indexpipe.dbt_resource)."""

from __future__ import annotations

import re
import subprocess

from indexpipe.dbt_manifest import dbt_executable
from indexpipe.dbt_resource import IndexpipeDbtCliResource
from indexpipe.definitions import defs
from indexpipe.settings import DBT_PROJECT_DIR


def test_the_version_is_the_executables_own() -> None:
    resource = IndexpipeDbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable())
    printed = subprocess.run(
        [dbt_executable(), "--version"], capture_output=True, text=True, check=True
    ).stdout
    # dagster-dbt reads the first x.y.z of `dbt --version` ("installed: 1.11.16"): the same number, no subprocess
    assert str(resource._cli_version) == re.search(r"(\d+\.\d+\.\d+)", printed).group(1)
    # below 2.0 dagster-dbt takes the dbt-core path (fusion engines start at 2)
    assert resource._cli_version.major < 2
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_the_code_location_uses_it() -> None:
    assert isinstance(defs.resources["dbt"], IndexpipeDbtCliResource)
