"""Dagster resources: a run's settings (where the input files are, which DuckDB file is the warehouse, the rule
overrides it passes to dbt), given as the run's resource config: ``indexpipe build`` sets them in the run config of
each run it executes, so two runs in one process never see each other's settings. A run launched without them (the
UI's launchpad, a schedule's) takes the code location's: ``INDEXPIPE_DATA_DIR``, ``DUCKDB_PATH`` and
``INDEXPIPE_DBT_VARS`` of the process that loaded it (indexpipe.settings), else the demo market.

``WarehouseResource`` also makes every run that uses it one writer, all or nothing: when the run starts it takes
the warehouse's run lock and copies the warehouse (``indexpipe.warehouse.staging``); every step, dbt included
(``dbt_environment`` points dbt's profile at the copy), writes the copy; when the run ends the copy replaces the
warehouse only if every planned step succeeded, and is deleted otherwise.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from indexpipe.duckdb_memory import connect_read_only_capped
from indexpipe.rules import RuleVars, explicit_overrides
from indexpipe.settings import DUCKDB_PATH_VARIABLE, current_settings
from indexpipe.warehouse.lock import warehouse_lock
from indexpipe.warehouse.staging import WarehouseRun, begin_run, commit, discard
from indexpipe.warehouse.state import Fingerprints

# run id -> seconds spent copying the warehouse and committing the copy (build.py reports them with the steps)
RUN_OVERHEAD: dict[str, dict[str, float]] = {}


class WarehouseResource(dg.ConfigurableResource):
    """One run's settings; an empty field is the code location's (indexpipe.settings.current_settings)."""

    input_dir: str = ""
    duckdb_path: str = ""
    # rule overrides on top of the input's market.json (indexpipe.rules), a JSON object, e.g. a test's scaled ranks
    dbt_vars: str = ""

    _run: WarehouseRun | None = PrivateAttr(default=None)
    _held: ExitStack | None = PrivateAttr(default=None)
    _reader: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    @property
    def input_path(self) -> Path:
        if not self.input_dir:
            return current_settings().input_dir
        return Path(self.input_dir).expanduser().resolve()

    @property
    def live_path(self) -> Path:
        """The warehouse readers see; a run never writes it before its last step succeeded."""
        path = (
            Path(self.duckdb_path).expanduser().resolve()
            if self.duckdb_path
            else current_settings().duckdb_path
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def rule_overrides(self) -> RuleVars:
        return json.loads(self.dbt_vars) if self.dbt_vars.strip() else explicit_overrides()

    def dbt_environment(self) -> dict[str, str]:
        """What dbt's profile reads (profiles.yml): the file this run writes."""
        return {DUCKDB_PATH_VARIABLE: str(self.db_path)}

    @property
    def db_path(self) -> Path:
        """The file this run reads and writes: its copy of the warehouse while a run is on.

        Whoever asks for it may open it for writing (a load, dbt, the commit): the shared reader (``reading``) is
        closed first, as DuckDB lets no writer in while a read-only connection is open."""
        self.close_reader()
        return self._run.staging if self._run is not None else self.live_path

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection to the run's file. Inside a run, one connection serves the steps that only read,
        one after another (the checks after dbt, then the publication): opening the default warehouse costs
        0.05-0.2 s each time. It stays open until someone asks for ``db_path`` (a writer) or the run ends."""
        if self._run is None:
            with connect_read_only_capped(self.live_path) as con:
                yield con
            return
        if self._reader is None:
            self._reader = connect_read_only_capped(self._run.staging)
        yield self._reader

    def close_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    def stage_publication(self, snapshot: Path, fingerprints: Fingerprints) -> bool:
        """Publish ``snapshot`` when the run commits; False outside a run (the caller publishes at once)."""
        if self._run is None:
            return False
        self._run.stage_publication(snapshot, fingerprints)
        return True

    def note_models_built(self) -> None:
        """The dbt step finished: the run's marts were rebuilt from the raw tables it leaves."""
        if self._run is not None:
            self._run.models_built = True

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run = context.run
        run_id = run.run_id if run is not None else "adhoc"
        job = run.job_name if run is not None else ""
        held = ExitStack()
        try:
            held.enter_context(warehouse_lock(self.live_path, command=f"dagster run {run_id} of job {job}"))
            self._run = begin_run(self.live_path, run_id, job)
        except BaseException:
            held.close()  # teardown is not called when setup fails
            raise
        self._held = held
        context.log.info(
            f"warehouse {self.live_path}: run lock held; writing its copy "
            f"{self._run.staging.parent.name}/{self._run.staging.name} "
            f"({self._run.copy_method}, {self._run.copy_seconds:.1f} s)"
        )

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.close_reader()  # the commit writes the file; a discarded copy is deleted
        run, held = self._run, self._held
        self._run, self._held = None, None
        try:
            if run is None:
                return
            if every_planned_step_succeeded(context):
                started = time.perf_counter()
                commit(run)
                RUN_OVERHEAD[run.run_id] = {
                    "warehouse_copy": run.copy_seconds,
                    "warehouse_commit": time.perf_counter() - started,
                }
                context.log.info(f"warehouse {run.live} replaced by this run's copy")
            else:
                discard(run)
                context.log.warning(f"warehouse {run.live} left as it was: the run did not complete")
        finally:
            if held is not None:
                held.close()


def every_planned_step_succeeded(context: dg.InitResourceContext) -> bool:
    """True when the run's event log has a success for every step of its plan and no failure."""
    instance, run = context.instance, context.run
    if instance is None or run is None:
        return False
    plan = (
        instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)
        if run.execution_plan_snapshot_id
        else None
    )
    if plan is None:
        return False
    records = instance.all_logs(
        run.run_id, of_type={dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE}
    )
    succeeded = set()
    for record in records:
        event = record.dagster_event
        if event is None or event.event_type == dg.DagsterEventType.STEP_FAILURE:
            return False
        succeeded.add(event.step_key)
    return set(plan.step_keys_to_execute) <= succeeded
