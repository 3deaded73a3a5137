"""Run the Great Expectations suites (expectations/gx) against check frames read from the warehouse."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from indexpipe.duckdb_memory import connect_read_only_capped
from indexpipe.quality.frames import CheckFrame, discover_frames, read_frame
from indexpipe.settings import EXPECTATIONS_DIR

MAX_EXAMPLES = 5


@dataclass(frozen=True)
class ExpectationFailure:
    expectation: str  # type and columns, e.g. expect_column_values_to_be_in_set(r1000_and_r2000)
    unexpected_count: int | None
    examples: list[dict[str, str]]

    def line(self) -> str:
        count = "" if self.unexpected_count is None else f" on {self.unexpected_count:,} rows"
        shown = "; ".join(", ".join(f"{k}={v}" for k, v in e.items()) for e in self.examples)
        return f"{self.expectation} failed{count}" + (f" (e.g. {shown})" if shown else "")


@dataclass(frozen=True)
class CheckOutcome:
    frame: CheckFrame
    rows: int
    expectations: int
    failures: list[ExpectationFailure] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        if self.success:
            return f"{self.frame.name}: {self.expectations} expectations passed on {self.rows:,} rows"
        return f"{self.frame.name}: " + " | ".join(f.line() for f in self.failures)


_CONTEXT_LOCK = threading.Lock()


def gx_context():
    """The file context in expectations/gx (importing GE takes seconds: only when a check runs, or ahead of it in
    the background with ``warm_up``)."""
    with _CONTEXT_LOCK:
        return _gx_context()


@lru_cache(maxsize=1)
def _gx_context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    return gx.get_context(mode="file", project_root_dir=str(EXPECTATIONS_DIR))


def warm_up() -> None:
    """Open the context in a background thread, so a run's first blocking check does not wait seconds for the
    imports: they overlap with the run's validation, warehouse copy and loads (DuckDB work that releases the GIL)."""

    def _open() -> None:
        with contextlib.suppress(Exception):  # the check that needs it opens it again and reports the error
            gx_context()

    threading.Thread(target=_open, daemon=True, name="gx-warm-up").start()


def expectation_columns(kwargs: Mapping[str, Any]) -> list[str]:
    """The columns an expectation names, from its kwargs (a suite's JSON or a GE configuration)."""
    return [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs] + list(
        kwargs.get("column_list", [])
    )


def _describe(config) -> str:
    return f"{config.type}({', '.join(map(str, expectation_columns(config.kwargs)))})"


def validate_frame(frame: CheckFrame, data) -> CheckOutcome:
    definition = gx_context().validation_definitions.get(frame.name)
    # a passing suite needs no unexpected rows: GE's SUMMARY format (counts and example rows) costs about twice the
    # checking itself, so it is asked for only when a suite failed, on the same frame
    result = definition.run(batch_parameters={"dataframe": data}, result_format="BOOLEAN_ONLY")
    if not result.success:
        result = definition.run(
            batch_parameters={"dataframe": data},
            result_format={
                "result_format": "SUMMARY",
                "unexpected_index_column_names": list(frame.example_columns),
                "partial_unexpected_count": MAX_EXAMPLES,
            },
        )
    failures = []
    for r in result.results:
        if r.success:
            continue
        details = r.result or {}
        examples = [
            {k: str(v) for k, v in row.items()}
            for row in (details.get("partial_unexpected_index_list") or [])
        ][:MAX_EXAMPLES]
        if r.exception_info and r.exception_info.get("raised_exception"):
            examples = [{"error": str(r.exception_info.get("exception_message"))[:300]}]
        failures.append(
            ExpectationFailure(_describe(r.expectation_config), details.get("unexpected_count"), examples)
        )
    return CheckOutcome(frame, len(data), len(result.results), failures)


def check_frame(frame: CheckFrame, con: duckdb.DuckDBPyConnection) -> CheckOutcome:
    return validate_frame(frame, read_frame(con, frame))


def run_frame(frame: CheckFrame, db_path: Path) -> CheckOutcome:
    with connect_read_only_capped(db_path) as con:
        return check_frame(frame, con)


def run_all(db_path: Path) -> list[CheckOutcome]:
    return [run_frame(frame, db_path) for frame in discover_frames()]
