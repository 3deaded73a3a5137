"""The dbt unit tests of the rule steps (dbt_project/models/intermediate/_rule_unit_tests.yml).

They need no market: dbt reads the column types of each mocked input from the warehouse, so the models are built
empty (`dbt build --empty` on raw tables with the contract's columns and no rows), and the same command runs every
unit test before the model it tests. The cases and their arithmetic are in the YAML file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
from indexpipe.contract import TABLES
from indexpipe.ingest.files import sql_ident
from indexpipe.ingest.validate import SQL_TYPES
from indexpipe.settings import DBT_PROJECT_DIR

UNIT_TESTS = DBT_PROJECT_DIR / "models" / "intermediate" / "_rule_unit_tests.yml"


def _empty_raw_tables(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        for table in TABLES:
            ddl = ", ".join(f"{sql_ident(c.name)} {SQL_TYPES[c.type]}" for c in table.columns)
            con.execute(f"create table raw.{sql_ident(table.name)} ({ddl})")
        # written by the calendar asset (indexpipe.assets.calendar), not an input file
        con.execute("create table raw.xnys_sessions (session_date date)")


def test_rule_steps_pass_their_dbt_unit_tests(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    _empty_raw_tables(db)
    dbt = Path(sys.executable).with_name("dbt")
    run = subprocess.run(
        [str(dbt), "build", "--empty", "--exclude", "resource_type:test",
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "DUCKDB_PATH": str(db)},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    log = run.stdout + run.stderr
    assert run.returncode == 0, log[-4000:]
    # every unit test of the file ran and passed (a renamed model would otherwise drop its cases silently)
    declared = re.findall(r"^  - name: (\w+)$", UNIT_TESTS.read_text(), flags=re.MULTILINE)
    passed = re.findall(r"PASS \w+::(\w+) ", log)
    assert declared and sorted(passed) == sorted(declared), log[-4000:]


def test_builds_leave_the_unit_tests_out() -> None:
    from indexpipe.assets.transform import dbt_build_args

    for args in (dbt_build_args(), dbt_build_args("2024-06-03", {"rank_r1000": 10})):
        assert args[:3] == ["build", "--exclude-resource-type", "unit_test"], args
