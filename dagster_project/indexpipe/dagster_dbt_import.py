"""dagster-dbt for the run's process, imported without dbt-core.

dbt never runs in the process that runs Dagster: ``indexpipe-dbt`` is a child process (indexpipe.dbt_child), and the
project's dbt resource (indexpipe.dbt_resource) neither asks dbt its version nor builds its adapter here. Yet
importing dagster-dbt imports dbt-core whenever it is installed (its ``compat`` module: dbt's adapters, results and
node types, 0.9-1.3 s), and ``@dbt_assets`` then selects its nodes with dbt's graph selector over the whole manifest
(0.4-0.9 s), although the selection is the default one, every node. dagster-dbt also runs without dbt-core in its
process (with dbt Fusion): it then takes its enums from its own copies and the default selection straight from the
manifest's nodes. This module imports dagster-dbt that way, hiding dbt from that one import, so the definitions load
without dbt: the daily run's process saves 1.3-2 s.

Nothing here needs dbt's own selection: the daily job and the preview name models by their asset keys
(``get_asset_key_for_model``), never by a dbt selection string. ``tests/test_dagster_dbt_import.py`` keeps the
asset graph equal to the one dagster-dbt builds with dbt-core. A process that imported dbt before (a test that
runs dbt in-process) gets the usual dagster-dbt, which builds the same graph.
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


class _HideDbt(importlib.abc.MetaPathFinder):
    """Makes ``import dbt...`` fail as if dbt-core were not installed."""

    def find_spec(self, fullname, path, target=None):  # type: ignore[no-untyped-def]
        if fullname == "dbt" or fullname.startswith("dbt."):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


@contextmanager
def _without_dbt() -> Iterator[None]:
    hide = _HideDbt()
    sys.meta_path.insert(0, hide)
    try:
        yield
    finally:
        sys.meta_path.remove(hide)


def _import_dagster_dbt() -> None:
    if "dagster_dbt" in sys.modules or "dbt" in sys.modules:
        return
    with _without_dbt():
        import dagster_dbt  # noqa: F401


_import_dagster_dbt()

from dagster_dbt import (  # noqa: E402
    DagsterDbtTranslator,
    DbtCliResource,
    DbtProject,
    dbt_assets,
    get_asset_key_for_model,
)
from dagster_dbt.compat import DBT_PYTHON_VERSION  # noqa: E402

# True when dagster-dbt was imported without dbt-core (this process has not imported dbt)
WITHOUT_DBT = DBT_PYTHON_VERSION is None

__all__ = [
    "WITHOUT_DBT",
    "DagsterDbtTranslator",
    "DbtCliResource",
    "DbtProject",
    "dbt_assets",
    "get_asset_key_for_model",
]
