"""The project's Dagster instance: one run history for the command line and the UI.

``indexpipe build`` and ``indexpipe day`` execute their runs against the instance in ``Settings.dagster_home``
(by default ``.dagster_home`` in the repository), the same one ``indexpipe dev`` / ``make dev`` starts the UI on,
so every run shows there with its materializations, check results and logs. The instance's ``dagster.yaml`` is
written here: telemetry off, and runs that write the warehouse (tag ``indexpipe/warehouse=duckdb``) queued one
at a time by the run coordinator instead of waiting on the warehouse's run lock.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from indexpipe.tags import WAREHOUSE_TAG_KEY

_HEADER = "# Written by indexpipe (dagster_project/indexpipe/instance.py); edit it there.\n"
INSTANCE_CONFIG: dict = {
    "telemetry": {"enabled": False},
    "nux": {"enabled": False},
    "concurrency": {
        "runs": {
            # the UI may queue several runs; those that write the warehouse start one after another
            "max_concurrent_runs": 4,
            "tag_concurrency_limits": [{"key": WAREHOUSE_TAG_KEY, "value": "duckdb", "limit": 1}],
        }
    },
}


def instance_yaml(home: Path) -> str:
    config = {
        **INSTANCE_CONFIG,
        # Dagster's SQLite event log in the usual place, without a disk flush per event (indexpipe.run_history)
        "event_log_storage": {
            "module": "indexpipe.run_history",
            "class": "RunHistoryEventLogStorage",
            "config": {"base_dir": str(home / "storage")},
        },
    }
    return _HEADER + yaml.safe_dump(config, sort_keys=False)


def prepare_home(home: Path) -> Path:
    """Create the instance folder and its dagster.yaml; a dagster.yaml someone wrote by hand is left alone."""
    home = Path(home).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    wanted = instance_yaml(home)
    current = config.read_text(encoding="utf-8") if config.exists() else None
    if current is None or (current.startswith(_HEADER) and current != wanted):
        config.write_text(wanted, encoding="utf-8")
    return home


def project_instance(home: Path):
    """The persistent instance in ``home`` (a ``DagsterInstance``; close it after use)."""
    import dagster as dg

    return dg.DagsterInstance.from_config(str(prepare_home(home)))
