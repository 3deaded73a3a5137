"""A run's settings travel in its run config, never through this process's environment.

Two crafted markets are built into two warehouses in one process, in alternating order (A, B, A), with different
rule overrides, while the process's own environment names a third warehouse, a third input directory and overrides
of its own: each build reads its own input, writes its own warehouse, runs dbt with its own overrides, and leaves
the environment as it found it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest
from indexpipe.assets.transform import INCREMENTAL_FROM_VARIABLE
from indexpipe.build import build
from indexpipe.dbt_child import PARENT_VARIABLE, child_environment
from indexpipe.rules import DBT_VARS_ENV, OVERRIDES_TABLE
from indexpipe.settings import DATA_DIR_VARIABLE, DUCKDB_PATH_VARIABLE, Settings
from recon_fixtures import SCALED_VARS, banding_market, ipo_market

RUN_VARIABLES = (
    DATA_DIR_VARIABLE,
    DUCKDB_PATH_VARIABLE,
    DBT_VARS_ENV,
    INCREMENTAL_FROM_VARIABLE,
    PARENT_VARIABLE,
)
# the reconstitutions' membership decisions (ranks, breakpoints, in_r1000 ...): half the assets of the build of
# fct_index_membership, which is made from them (measured: 6.5 against 11-14 CPU-s a build)
CHAIN = ("int_reconstitution_chain",)
# B differs from A in a rule that changes nothing in these markets' outputs but is recorded with the warehouse
VARS_A = dict(SCALED_VARS)
VARS_B = {**SCALED_VARS, "max_unexplained_daily_index_move": 1e8}


def _state(db: Path) -> tuple[dict, list[str], list[tuple]]:
    """The overrides the warehouse's models were built with, its securities, and its reconstitutions' decisions."""
    with duckdb.connect(str(db), read_only=True) as con:
        recorded = {
            name: json.loads(value)
            for name, value in con.execute(f"select * from {OVERRIDES_TABLE}").fetchall()
        }
        securities = [
            s for (s,) in con.execute("select security_id from raw.securities order by 1").fetchall()
        ]
        members = con.execute("select * from intermediate.int_reconstitution_chain order by all").fetchall()
    return recorded, securities, members


def test_alternating_builds_in_one_process_keep_their_own_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the process's environment names another warehouse, input and rule overrides: a build that read them would
    # write the wrong file, load nothing, or rank with #3 as the R1000 breakpoint
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv(DUCKDB_PATH_VARIABLE, str(elsewhere / "other.duckdb"))
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(elsewhere / "input"))
    monkeypatch.setenv(DBT_VARS_ENV, json.dumps({"rank_r1000": 3}))
    monkeypatch.delenv(INCREMENTAL_FROM_VARIABLE, raising=False)
    monkeypatch.delenv(PARENT_VARIABLE, raising=False)
    before = {name: os.environ.get(name) for name in RUN_VARIABLES}

    a = Settings(
        input_dir=banding_market().write(tmp_path / "a" / "input"), duckdb_path=tmp_path / "a" / "w.duckdb"
    )
    b = Settings(
        input_dir=ipo_market().write(tmp_path / "b" / "input"), duckdb_path=tmp_path / "b" / "w.duckdb"
    )

    # the reconstitutions the test compares, what they are built from and their checks: each run still loads its
    # own input and runs dbt with its own overrides
    build(a, dbt_vars=VARS_A, models=CHAIN)
    first_a = _state(a.duckdb_path)
    build(b, dbt_vars=VARS_B, models=CHAIN)
    state_b = _state(b.duckdb_path)
    build(a, dbt_vars=VARS_A, models=CHAIN)
    second_a = _state(a.duckdb_path)

    assert {name: os.environ.get(name) for name in RUN_VARIABLES} == before
    assert not elsewhere.exists()
    # each warehouse's dbt run had its own overrides (the process's rank_r1000 = 3 reached neither)
    assert first_a[0] == second_a[0] == VARS_A
    assert state_b[0] == VARS_B
    # each loaded its own market
    assert first_a[1] == second_a[1] and first_a[1] != state_b[1]
    assert first_a[1] and state_b[1]
    # rebuilding A after B gives A's reconstitutions again, row for row
    assert first_a[2] == second_a[2] and first_a[2] != state_b[2]


def test_the_dbt_child_environment_lasts_only_while_dbt_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DUCKDB_PATH_VARIABLE, "/process/default.duckdb")
    monkeypatch.delenv(INCREMENTAL_FROM_VARIABLE, raising=False)
    monkeypatch.delenv(PARENT_VARIABLE, raising=False)
    values = {DUCKDB_PATH_VARIABLE: "/run/copy.duckdb", INCREMENTAL_FROM_VARIABLE: "2024-07-02"}
    with child_environment(values):
        seen = {name: os.environ.get(name) for name in (*values, PARENT_VARIABLE)}
    assert seen == {**values, PARENT_VARIABLE: str(os.getpid())}
    # afterwards: the process's own value again, and nothing where there was nothing
    assert os.environ[DUCKDB_PATH_VARIABLE] == "/process/default.duckdb"
    assert INCREMENTAL_FROM_VARIABLE not in os.environ and PARENT_VARIABLE not in os.environ
