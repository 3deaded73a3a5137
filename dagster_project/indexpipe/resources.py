"""Dagster resources: where the input files are and which DuckDB file is the warehouse.

``WarehouseResource`` also makes every run that uses it one writer, all or nothing: when the run starts it takes
the warehouse's run lock and copies the warehouse (``indexpipe.warehouse.staging``); every step, dbt included
(``DUCKDB_PATH`` is pointed at the copy for the run), writes the copy; when the run ends the copy replaces the
warehouse only if every planned step succeeded, and is deleted otherwise.
"""

from __future__ import annotations

import os
import time
from contextlib import ExitStack
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from indexpipe.warehouse.lock import warehouse_lock
from indexpipe.warehouse.staging import WarehouseRun, begin_run, commit, discard
from indexpipe.warehouse.state import Fingerprints

DUCKDB_PATH_VARIABLE = "DUCKDB_PATH"
# run id -> seconds spent copying the warehouse and committing the copy (build.py reports them with the steps)
RUN_OVERHEAD: dict[str, dict[str, float]] = {}


class WarehouseResource(dg.ConfigurableResource):
    """Paths resolved when a run starts, from INDEXPIPE_DATA_DIR and DUCKDB_PATH (see settings.py)."""

    input_dir: str
    duckdb_path: str

    _run: WarehouseRun | None = PrivateAttr(default=None)
    _held: ExitStack | None = PrivateAttr(default=None)
    _saved_path: str | None = PrivateAttr(default=None)

    @property
    def input_path(self) -> Path:
        return Path(self.input_dir).expanduser().resolve()

    @property
    def live_path(self) -> Path:
        """The warehouse readers see; a run never writes it before its last step succeeded."""
        path = Path(self.duckdb_path).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def db_path(self) -> Path:
        """The file this run reads and writes: its copy of the warehouse while a run is on."""
        return self._run.staging if self._run is not None else self.live_path

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
        # dbt reads the path from the environment (profiles.yml); it must write the run's copy too
        self._saved_path = os.environ.get(DUCKDB_PATH_VARIABLE)
        os.environ[DUCKDB_PATH_VARIABLE] = str(self._run.staging)
        context.log.info(
            f"warehouse {self.live_path}: run lock held; writing {self._run.staging.name} "
            f"({self._run.copy_method}, {self._run.copy_seconds:.1f} s)"
        )

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        run, held = self._run, self._held
        self._run, self._held = None, None
        try:
            if self._saved_path is None:
                os.environ.pop(DUCKDB_PATH_VARIABLE, None)
            else:
                os.environ[DUCKDB_PATH_VARIABLE] = self._saved_path
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
