"""The dbt resource of the code location: dagster-dbt's ``DbtCliResource`` without two costs a run does not need.

Before each dbt command, dagster-dbt 0.29 runs ``dbt --version`` in a subprocess to learn which engine it talks to
(1.4 s measured on the default warehouse's daily run), then loads dbt's profile, project and adapter in this
process (1.9 s) for ``fetch_row_counts`` and ``fetch_column_metadata``, which the project does not call. Both came
before dbt itself started, in every run: a third of the daily run's dbt step. The executable is the venv's own
dbt (``indexpipe.dbt_manifest.dbt_executable``), so its version is the installed dbt-core's, and no adapter
handle is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version

from packaging import version

from indexpipe.dagster_dbt_import import DbtCliResource


class IndexpipeDbtCliResource(DbtCliResource):
    """``DbtCliResource`` for the dbt installed beside indexpipe."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        # the handle serves only fetch_row_counts / fetch_column_metadata; dbt's subprocess opens its own
        return None
