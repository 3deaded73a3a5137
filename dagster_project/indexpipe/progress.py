"""What a user sees while a run works: one line per stage with its time, and a live bar over dbt's nodes.

A run's Dagster events (``DagsterInstance.add_event_listener``) drive it: each step belongs to a stage (input
checks, ingestion, dbt, Great Expectations suites, publication) by the asset group of what it materializes or
checks, and the dbt step's planned materializations and check evaluations are the bar's total. By default the
command is quiet: while the run executes, the process's own stdout and stderr go to /dev/null (Dagster keeps
every log in its instance, where ``make dev`` shows them) and only these lines reach the terminal; ``--verbose``
leaves the logs on the terminal instead.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import dagster as dg

# stage -> what its line says
STAGES = {
    "input": "input files checked",
    "ingest": "raw tables loaded and checked",
    "dbt": "dbt models and tests",
    "checks": "Great Expectations suites passed",
    "publish": "Parquet snapshot published",
    "commit": "warehouse replaced by the run's copy",
}
_GROUP_STAGES = {"ingestion": "ingest", "publication": "publish"}
LABEL_WIDTH = 8


def step_stages(defs: dg.Definitions) -> dict[str, str]:
    """Step key (the node of an asset or check definition) -> stage."""
    graph = defs.resolve_asset_graph()
    stages: dict[str, str] = {}
    for assets_def in graph.assets_defs:
        if not assets_def.is_executable:
            continue
        keys = list(assets_def.keys)
        if keys:
            group = graph.get(keys[0]).group_name
            stages[assets_def.node_def.name] = _GROUP_STAGES.get(group, "dbt")
        elif assets_def.check_keys:
            checked = next(iter(assets_def.check_keys)).asset_key
            stages[assets_def.node_def.name] = (
                "ingest" if graph.get(checked).group_name == "ingestion" else "checks"
            )
    return stages


def stage_line(stage: str, detail: str, seconds: float) -> str:
    return f"  {stage:<{LABEL_WIDTH}} {detail:<52} {seconds:>7.1f} s"


class RunProgress:
    """Prints stage lines to ``out`` as a run's events arrive; a live bar for dbt when ``out`` is a terminal."""

    def __init__(self, out: TextIO, live: bool | None = None) -> None:
        self.out = out
        self.live = _is_terminal(out) if live is None else live
        self.stages: dict[str, str] = {}
        self.dbt_step = "indexpipe_dbt_models"
        self._current: str | None = None
        self._started = 0.0
        self._counts: dict[str, int] = {}
        self._failed = False
        self._dbt_total = 0
        self._dbt_done = 0
        self._bar = None
        self._task = None

    # --- stages reported by the caller (before and after the Dagster run) ------------------------------------

    def stage(self, stage: str, seconds: float, detail: str | None = None) -> None:
        self._print(stage_line(stage, detail or STAGES[stage], seconds))

    # --- Dagster events ----------------------------------------------------------------------------------------

    def watch(self, defs: dg.Definitions) -> None:
        self.stages = step_stages(defs)

    def __call__(self, entry) -> None:  # an EventLogEntry
        event = entry.dagster_event
        if event is None:
            return
        kind = event.event_type_value
        step = event.step_key
        if (
            kind in ("ASSET_MATERIALIZATION_PLANNED", "ASSET_CHECK_EVALUATION_PLANNED")
            and step == self.dbt_step
        ):
            self._dbt_total += 1
        elif kind == "STEP_START" and step is not None:
            stage = self.stages.get(step, "dbt")
            if stage != self._current:
                self._close(entry.timestamp)
                self._open(stage, entry.timestamp)
        elif kind in ("ASSET_MATERIALIZATION", "ASSET_CHECK_EVALUATION") and step == self.dbt_step:
            self._dbt_done += 1
            if self._bar is not None and self._task is not None:
                name = event.asset_key.path[-1] if event.asset_key else ""
                self._bar.update(self._task, completed=self._dbt_done, node=name)
        elif kind == "ASSET_CHECK_EVALUATION" and self._current in ("ingest", "checks"):
            self._counts["checks"] = self._counts.get("checks", 0) + 1
        elif kind == "STEP_FAILURE":
            self._failed = True
        elif kind in ("PIPELINE_SUCCESS", "PIPELINE_FAILURE", "RUN_SUCCESS", "RUN_FAILURE"):
            self._close(entry.timestamp)

    def close(self) -> None:
        """Stop the bar (the run ended or raised) without printing a line for an unfinished stage."""
        self._stop_bar()
        self._current = None

    # --- internals ---------------------------------------------------------------------------------------------

    def _open(self, stage: str, timestamp: float) -> None:
        self._current, self._started, self._counts, self._failed = stage, timestamp, {}, False
        if stage == "dbt" and self.live:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn(f"  {'dbt':<{LABEL_WIDTH}}"),
                BarColumn(bar_width=30),
                MofNCompleteColumn(),
                TextColumn("nodes, about"),
                TimeRemainingColumn(),
                TextColumn("left  [dim]{task.fields[node]}"),
                console=Console(file=self.out, force_terminal=True),
                transient=True,
            )
            self._task = self._bar.add_task("dbt", total=self._dbt_total or None, node="")
            self._bar.start()

    def _close(self, timestamp: float) -> None:
        if self._current is None:
            return
        stage, seconds = self._current, max(timestamp - self._started, 0.0)
        self._stop_bar()
        self._current = None
        if self._failed:
            self._print(stage_line(stage, "failed", seconds))
            return
        detail = STAGES[stage]
        if stage == "dbt" and self._dbt_total:
            detail = f"{self._dbt_done} of {self._dbt_total} dbt models and tests"
        elif stage in ("ingest", "checks") and self._counts.get("checks"):
            n = self._counts["checks"]
            detail = (
                f"raw tables loaded, {n} input suites passed"
                if stage == "ingest"
                else f"{n} Great Expectations suites passed"
            )
        self._print(stage_line(stage, detail, seconds))

    def _stop_bar(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar, self._task = None, None

    def _print(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def quiet_terminal(verbose: bool) -> Iterator[TextIO]:
    """The stream for progress lines; unless ``verbose``, everything else the process (Dagster, dbt, Great
    Expectations, library warnings) writes to stdout or stderr meanwhile goes to /dev/null."""
    if verbose:
        yield sys.stdout
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out_fd, err_fd = sys.stdout.fileno(), sys.stderr.fileno()
        except (AttributeError, ValueError, OSError):
            # stdout is not a file (pytest's capsys): nothing to redirect at the descriptor level
            yield sys.stdout
            return
        sys.stdout.flush()
        sys.stderr.flush()
        saved_out, saved_err = os.dup(out_fd), os.dup(err_fd)
        terminal = os.fdopen(os.dup(saved_out), "w", buffering=1, encoding="utf-8", errors="replace")
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, out_fd)
            os.dup2(devnull, err_fd)
            yield terminal
        finally:
            with contextlib.suppress(ValueError, OSError):
                sys.stdout.flush()
                sys.stderr.flush()
            os.dup2(saved_out, out_fd)
            os.dup2(saved_err, err_fd)
            for fd in (saved_out, saved_err, devnull):
                os.close(fd)
            terminal.close()


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started
