"""One pipeline, one history: the command line records its runs in the project's Dagster instance (the one the UI
shows), build_all runs as the UI launches it (no partition, no tags), the command prints stages, a summary and one
reason line, a small market builds every index, and indexpipe day refuses a day without a session.

The builds run the real `indexpipe` command in a subprocess, as a user does, on the session's small market (400
companies, 2023-2024, breakpoint ranks scaled by market.json).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from indexpipe.build import BuildError, calculate_day
from indexpipe.ingest.validate import validate_input_dir
from indexpipe.instance import WAREHOUSE_TAG_KEY, project_instance
from indexpipe.settings import Settings
from indexpipe.warehouse.lock import warehouse_lock
from indexpipe.warehouse.published import published_link
from test_pipeline_dagster import _mart_digests

INDEXPIPE = str(Path(sys.executable).parent / "indexpipe")
STAGES = ("input", "ingest", "dbt", "checks", "publish", "commit")
# a library's notice on the terminal: Python warnings (BetaWarning, DeprecationWarning, ...), logging levels
LIBRARY_NOISE = re.compile(r"Warning\b|WARNING|warnings\.warn|Traceback|DEBUG|INFO")


@dataclass(frozen=True)
class CliRun:
    code: int
    out: str
    err: str
    db: Path
    home: Path

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines() + self.err.splitlines()


def _indexpipe(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [INDEXPIPE, *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=900,
        check=False,
    )


def _cli_build(market: Path, root: Path, env: dict[str, str] | None = None) -> CliRun:
    db, home = root / "w.duckdb", root / "dagster_home"
    proc = _indexpipe("build", "--data-dir", market, "--db", db, "--dagster-home", home, env=env)
    return CliRun(proc.returncode, proc.stdout, proc.stderr, db, home)


@pytest.fixture(scope="module")
def cli_build(small_market_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    run = _cli_build(small_market_dir, tmp_path_factory.mktemp("cli_build"))
    assert run.code == 0, run.out + run.err
    return run


def _members_on(con: duckdb.DuckDBPyConnection, day: date) -> dict[str, int]:
    return dict(
        con.execute(
            "select i.index_code, count(m.security_id) from main.dim_index as i "
            "left join main.fct_index_membership as m on m.index_code = i.index_code "
            "and m.valid_from <= ? and (m.valid_to is null or m.valid_to > ?) group by i.index_code",
            [day, day],
        ).fetchall()
    )


# --- one Dagster instance ------------------------------------------------------------------------------------


def test_a_cli_build_is_a_run_of_the_project_instance_with_its_materializations_and_checks(
    cli_build: CliRun,
) -> None:
    from indexpipe.definitions import BUILD_JOB, defs

    with project_instance(cli_build.home) as instance:
        runs = instance.get_runs()
        assert len(runs) == 1
        run = runs[0]
        assert run.job_name == BUILD_JOB.name and run.status == dg.DagsterRunStatus.SUCCESS
        assert run.tags[WAREHOUSE_TAG_KEY] == "duckdb" and run.tags["indexpipe/source"] == "cli"
        assert f"run {run.run_id[:8]} in {cli_build.home}" in cli_build.out

        # every asset of the graph materialized by this run (what `make dev` shows as its latest materialization)
        graph = defs.resolve_asset_graph()
        for key in graph.get_all_asset_keys():
            if graph.get(key).is_materializable:
                latest = instance.get_latest_materialization_event(key)
                assert latest is not None and latest.run_id == run.run_id, key.to_user_string()

        # every check of the graph (Great Expectations suites and dbt tests) evaluated once, and passed
        evaluations = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        evaluated = [e.dagster_event.event_specific_data for e in evaluations]
        assert {(e.asset_key, e.check_name) for e in evaluated} == {
            (k.asset_key, k.name) for k in graph.asset_check_keys
        }
        assert len(evaluated) == len(graph.asset_check_keys) and all(e.passed for e in evaluated)

        # the logs are there too, the steps' messages included
        messages = [e.user_message for e in instance.all_logs(run.run_id)]
        assert any(m.startswith("dbt writes ") for m in messages)
        assert any(m.startswith(f"warehouse {cli_build.db}: run lock held") for m in messages)


def test_the_instance_queues_warehouse_runs_one_at_a_time_and_sends_no_telemetry(cli_build: CliRun) -> None:
    with project_instance(cli_build.home) as instance:
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
        assert {"key": WAREHOUSE_TAG_KEY, "value": "duckdb", "limit": 1} in limits
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.get_settings("telemetry") == {"enabled": False}


@pytest.fixture(scope="module")
def ui_build(small_ui_build: Path) -> tuple[Path, dg.DagsterRun]:
    """build_all as the UI's launchpad runs it (tests/ui_launch.py: the job loaded from the code location, no
    partition, no tags, no run config), shared with tests/test_pipeline_dagster.py; the warehouse and the run."""
    with project_instance(small_ui_build.parent / "dagster_home") as instance:
        (run,) = instance.get_runs()
    assert run.job_name == "build_all" and run.status == dg.DagsterRunStatus.SUCCESS
    return small_ui_build, run


def test_build_all_launched_without_partition_or_tags_builds_the_whole_price_range(
    ui_build: tuple[Path, dg.DagsterRun], small_market_dir: Path
) -> None:
    db, run = ui_build
    assert run.tags == {WAREHOUSE_TAG_KEY: "duckdb"}  # the job's own tag, nothing else
    validated = validate_input_dir(small_market_dir)
    with duckdb.connect(str(db), read_only=True) as con:
        first, last, rows = con.execute("select min(date), max(date), count(*) from raw.prices").fetchone()
        assert (first, last, rows) == (
            validated.prices_min_date,
            validated.prices_max_date,
            validated.row_counts["prices"],
        )
        # the dbt step found the market's scaled breakpoints without the CLI (market.json in the input folder)
        assert con.execute(
            "select value from _indexpipe.rule_overrides where name = 'rank_r1000'"
        ).fetchone() == ("67",)
    validated.close()


def test_the_command_line_and_the_ui_build_identical_marts(
    cli_build: CliRun, ui_build: tuple[Path, dg.DagsterRun]
) -> None:
    # two builds of the same market from scratch: every row of every mart and intermediate table is the same
    # (a rerun into the same warehouse: tests/test_pipeline_dagster.py)
    first = _mart_digests(cli_build.db)
    assert "main.fct_index_membership" in first and first["main.fct_index_membership"][0] > 0
    assert _mart_digests(ui_build[0]) == first


# --- what the command prints ---------------------------------------------------------------------------------


def test_a_build_prints_stages_and_a_summary_without_library_noise(
    cli_build: CliRun, small_market_dir: Path
) -> None:
    assert cli_build.err == ""
    noisy = [line for line in cli_build.lines if LIBRARY_NOISE.search(line)]
    assert noisy == []
    # the only warnings are the summary's own: here the delivery's absent optional table
    notes = {f"warning: {note}" for note in validate_input_dir(small_market_dir).notes}
    assert {line for line in cli_build.lines if line.startswith("warning:")} == notes
    assert cli_build.lines[0] == f"building {cli_build.db} from {small_market_dir}"
    stages = [line.split()[0] for line in cli_build.lines[1 : 1 + len(STAGES)]]
    assert tuple(stages) == STAGES
    assert all(re.search(r"\d+\.\d s$", line) for line in cli_build.lines[1 : 1 + len(STAGES)])


def test_the_summary_counts_equal_the_marts(cli_build: CliRun) -> None:
    header = next(line for line in cli_build.lines if line.startswith("members on "))
    day = date.fromisoformat(header.split()[2])
    start = cli_build.lines.index(header) + 1
    printed: dict[str, int] = {}
    for line in cli_build.lines[start:]:
        pairs = re.findall(r"([A-Z0-9]+)\s+([\d,]+)", line)
        if not line.startswith("  ") or not pairs:
            break
        printed.update({code: int(n.replace(",", "")) for code, n in pairs})
    with duckdb.connect(str(cli_build.db), read_only=True) as con:
        assert day == con.execute("select max(date) from main.fct_index_levels").fetchone()[0]
        assert printed == _members_on(con, day)
        levels = dict(
            con.execute(
                "select index_code, price_level from main.fct_index_levels where date = ? "
                "and index_code in ('R1000', 'R2000', 'R3000')",
                [day],
            ).fetchall()
        )
    assert len(printed) == 42 and min(printed.values()) > 0  # every index has members on the last day
    expected = ", ".join(f"{code} {levels[code]:,.2f}" for code in ("R1000", "R2000", "R3000"))
    assert f"price levels on {day}: {expected}" in cli_build.lines
    # the published snapshot is named after the warehouse file, and the summary says where it is
    assert (
        f"published:   {published_link(cli_build.db)} (Parquet snapshot of the checked marts)"
        in cli_build.lines
    )
    assert (cli_build.db.parent / "w.published" / "fct_index_levels.parquet").exists()
    assert not (cli_build.db.parent / "published").exists()


def test_a_build_failing_in_dbt_ends_with_its_reason(small_market_dir: Path, tmp_path: Path) -> None:
    # a memory limit DuckDB cannot read: dbt fails on its first connection, after the ingestion succeeded
    run = _cli_build(small_market_dir, tmp_path, env={"INDEXPIPE_DUCKDB_MEMORY_LIMIT": "plenty"})
    assert run.code == 1
    stages = [line.split()[:2] for line in run.out.splitlines()[1:]]
    assert [s[0] for s in stages] == ["input", "ingest", "dbt"] and stages[-1] == ["dbt", "failed"]
    assert [line for line in run.lines if LIBRARY_NOISE.search(line)] == []
    assert len(run.err.splitlines()) == 1
    # dbt's own reason, without dagster-dbt's framing or a traceback, and where dbt's log is
    assert run.err.startswith("indexpipe build: step indexpipe_dbt_models failed: dbt: Parser Error: Memory ")
    assert "Traceback" not in run.err and re.search(r"\(dbt log: \S+dbt\.log\)$", run.err.strip())
    assert not run.db.exists()  # the run's copy was discarded: no warehouse appeared


def test_a_build_waiting_for_a_busy_warehouse_ends_with_one_line_naming_the_holder(
    small_market_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    with warehouse_lock(db, command="a test holding the warehouse"):
        run = _cli_build(small_market_dir, tmp_path, env={"INDEXPIPE_LOCK_WAIT_SECONDS": "0.5"})
    assert run.code == 1
    assert run.out.splitlines() == [
        f"building {db} from {small_market_dir}",
        *[line for line in run.out.splitlines() if line.startswith("  input ")],
    ]
    assert len(run.err.splitlines()) == 1
    assert run.err.startswith(f"indexpipe build: warehouse {db} is being written by pid {os.getpid()}")
    assert "(a test holding the warehouse)" in run.err


def test_a_build_of_invalid_input_prints_its_reason_and_nothing_else(
    small_market_dir: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(small_market_dir, bad)
    (bad / "shares.csv").unlink()
    run = _cli_build(bad, tmp_path)
    assert run.code == 1
    assert run.out.splitlines() == [f"building {tmp_path / 'w.duckdb'} from {bad}"]
    assert len(run.err.splitlines()) == 1 and run.err.startswith("indexpipe build: invalid input: ")
    assert "shares" in run.err


# --- indexpipe day on a day without a session ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        # a Saturday: the next session is the Monday after
        ("2024-06-29", "2024-06-29 is a Saturday, not an XNYS session: no index calculation; "
         "the next session is Monday 2024-07-01"),
        # Independence Day, a Thursday: the next session is the Friday
        ("2024-07-04", "2024-07-04 is an XNYS holiday (July 4th): no index calculation; "
         "the next session is Friday 2024-07-05"),
    ],
)  # fmt: skip
def test_day_on_a_non_session_fails_with_one_line_naming_the_next_session(
    cli_build: CliRun, small_market_dir: Path, day: str, reason: str
) -> None:
    before = cli_build.db.read_bytes()
    proc = _indexpipe(
        "day",
        "--data-dir",
        small_market_dir,
        "--db",
        cli_build.db,
        "--date",
        day,
        "--dagster-home",
        cli_build.home,
    )
    assert proc.returncode == 1
    assert proc.stderr == f"indexpipe day: {reason}\n"
    assert proc.stdout == f"calculating {day} into {cli_build.db}\n"
    # the command refuses before it starts the pipeline; the pipeline's own entry point refuses the same way
    with pytest.raises(BuildError, match=f"^{re.escape(reason)}$"):
        calculate_day(Settings(input_dir=small_market_dir, duckdb_path=cli_build.db), date.fromisoformat(day))
    assert cli_build.db.read_bytes() == before


# --- a small market ------------------------------------------------------------------------------------------


def test_demo_small_builds_every_index_and_passes_every_check(tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    proc = _indexpipe("demo", "--small", "--dir", tmp_path, "--dagster-home", home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    db = tmp_path / "demo-small.duckdb"
    with duckdb.connect(str(db), read_only=True) as con:
        day = con.execute("select max(date) from main.fct_index_levels").fetchone()[0]
        members = _members_on(con, day)
        # every one of the 42 indexes has members on the last day, the capped twins (built from 2025-03-24) too
        assert len(members) == 42 and min(members.values()) > 0, members
        # the breakpoints it was built with, scaled to 500 companies (test_market_scale.py: R1000 = ranks 1-83)
        assert con.execute(
            "select value from _indexpipe.rule_overrides where name = 'rank_r1000'"
        ).fetchone() == ("83",)
    with project_instance(home) as instance:
        (run,) = instance.get_runs()
        evaluations = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        assert evaluations and all(e.dagster_event.event_specific_data.passed for e in evaluations)
    assert not [
        line for line in proc.stdout.splitlines() if "has no members" in line or "indexes have no" in line
    ]
    assert (tmp_path / "reports" / "R2000_2026Q4.html").exists()
    # later, without the build's context, the checks still read the ranks the warehouse was built with
    validate = _indexpipe("validate", "--db", db)
    assert validate.returncode == 0, validate.stdout + validate.stderr


# --- dbt docs ------------------------------------------------------------------------------------------------


def test_dbt_docs_build_with_no_variable_set(cli_build: CliRun) -> None:
    from indexpipe.dbt_docs import DOCS_TARGET_PATH

    env = {k: v for k, v in os.environ.items() if k not in ("DUCKDB_PATH", "INDEXPIPE_DATA_DIR")}
    proc = subprocess.run(
        [INDEXPIPE, "docs", "--db", str(cli_build.db), "--no-serve"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"catalog from {cli_build.db}" in proc.stdout
    catalog = json.loads((DOCS_TARGET_PATH / "catalog.json").read_text())
    levels = catalog["nodes"]["model.indexpipe.fct_index_levels"]
    assert levels["metadata"]["schema"] == "main" and "price_level" in levels["columns"]
    assert (DOCS_TARGET_PATH / "index.html").exists()


def test_the_command_s_fast_exit_keeps_its_output_and_status(tmp_path: Path) -> None:
    """``indexpipe`` ends with os._exit after its atexit handlers (indexpipe.cli.run): the printed result, written to
    a pipe (block-buffered), still arrives, and a failure still exits 1."""
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create table t as select 6 * 7 as answer")
    command = str(Path(sys.executable).parent / "indexpipe")
    ok = subprocess.run(
        [command, "sql", "--db", str(db), "select answer from t"], capture_output=True, text=True
    )
    assert ok.returncode == 0 and "42" in ok.stdout, ok.stdout + ok.stderr
    failed = subprocess.run(
        [command, "sql", "--db", str(db), "select * from nowhere"], capture_output=True, text=True
    )
    assert failed.returncode == 1 and "nowhere" in failed.stderr, failed.stderr
