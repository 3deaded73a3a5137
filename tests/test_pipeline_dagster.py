"""Real Dagster runs over a real DuckDB file: definitions, ingestion assets, incremental prices, the CLI."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from indexpipe.assets.ingestion import raw_prices, raw_reference_tables
from indexpipe.build import build
from indexpipe.cli import main
from indexpipe.contract import TABLES
from indexpipe.resources import WarehouseResource
from indexpipe.settings import Settings
from indexpipe.tags import RANGE_END_TAG, RANGE_START_TAG

LAST_DAY = "2024-12-31"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _file_rows(directory: Path, table: str) -> int:
    path = directory / (f"{table}.parquet" if table == "prices" else f"{table}.csv")
    if not path.exists():  # an optional table the synthetic market has no use for (initial_membership)
        return 0
    reader = "read_parquet" if table == "prices" else "read_csv"
    return duckdb.sql(f"select count(*) from {reader}('{path}')").fetchall()[0][0]


def _ingest(input_dir: Path, db: Path, start: str, end: str) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_reference_tables, raw_prices],
        resources={"warehouse": WarehouseResource(input_dir=str(input_dir), duckdb_path=str(db))},
        tags={RANGE_START_TAG: start, RANGE_END_TAG: end},
        raise_on_error=False,
    )


@pytest.fixture(scope="module")
def built(small_ui_build: Path) -> Path:
    """The small market built by build_all (conftest.py ``small_ui_build``, shared: a test building again copies it)."""
    return small_ui_build


def test_definitions_load_with_ingestion_and_dbt_assets() -> None:
    from indexpipe.definitions import BUILD_JOB, defs

    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {f"raw/{t.name}" for t in TABLES} <= keys
    assert {f"staging/stg_{t.name}" for t in TABLES} <= keys
    assert defs.resolve_job_def(BUILD_JOB.name) is not None
    checks = defs.resolve_asset_graph().asset_check_keys
    # dbt tests on models surface as asset checks (the staging views of inputs have none: the validator owns those)
    assert any(c.name == "unique_dim_index_index_code" for c in checks)
    assert not any(c.name.endswith("stg_securities_security_id") for c in checks)


def test_build_lands_every_table_with_the_file_row_counts(built: Path, small_market_dir: Path) -> None:
    with duckdb.connect(str(built), read_only=True) as con:
        for table in TABLES:
            expected = _file_rows(small_market_dir, table.name)
            assert con.execute(f"select count(*) from raw.{table.name}").fetchone()[0] == expected
            assert con.execute(f"select count(*) from staging.stg_{table.name}").fetchone()[0] == expected


def test_every_load_is_logged_with_source_rows_and_time(built: Path, small_market_dir: Path) -> None:
    with duckdb.connect(str(built), read_only=True) as con:
        rows = con.execute(
            "select table_name, source_file, row_count, loaded_at from raw._load_log order by table_name"
        ).fetchall()
    logged = {r[0]: r for r in rows}
    assert set(logged) == {t.name for t in TABLES}
    for table in TABLES:
        _, source, count, loaded_at = logged[table.name]
        expected = _file_rows(small_market_dir, table.name)
        assert count == expected and (source.startswith(table.name) or (source == "" and expected == 0))
        assert loaded_at is not None


def test_ingestion_assets_materialize_in_process(small_market_dir: Path, tmp_path: Path) -> None:
    result = _ingest(small_market_dir, tmp_path / "w.duckdb", "2023-01-03", LAST_DAY)
    assert result.success
    materialized = {
        m.asset_key.to_user_string()
        for m in result.get_asset_materialization_events()
        and [e.event_specific_data.materialization for e in result.get_asset_materialization_events()]
    }
    assert {f"raw/{t.name}" for t in TABLES} <= materialized
    securities = next(
        e.event_specific_data.materialization
        for e in result.get_asset_materialization_events()
        if e.event_specific_data.materialization.asset_key == dg.AssetKey(["raw", "securities"])
    )
    assert securities.metadata["rows"].value == _file_rows(small_market_dir, "securities")
    assert securities.metadata["source_file"].value == "securities.csv"


def test_one_new_trading_day_is_an_incremental_partition_run(small_market_dir: Path, tmp_path: Path) -> None:
    input_dir = tmp_path / "input"
    shutil.copytree(small_market_dir, input_dir)
    prices = pq.read_table(small_market_dir / "prices.parquet")
    last_day = pc.equal(prices["date"], pc.cast(pc.strptime(LAST_DAY, "%Y-%m-%d", "s"), prices["date"].type))
    pq.write_table(prices.filter(pc.invert(last_day)), input_dir / "prices.parquet")
    db = tmp_path / "w.duckdb"
    assert _ingest(input_dir, db, "2023-01-03", "2024-12-30").success
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute(
            "select count(*), sum(hash(security_id, date, close, volume)) from raw.prices"
        ).fetchone()

    # the new day lands as a dated file; only its partition runs
    (input_dir / "prices").mkdir()
    new_rows = prices.filter(last_day)
    pacsv.write_csv(new_rows, input_dir / "prices" / f"{LAST_DAY}.csv")
    result = dg.materialize(
        [raw_prices],
        partition_key=LAST_DAY,
        resources={"warehouse": WarehouseResource(input_dir=str(input_dir), duckdb_path=str(db))},
    )
    assert result.success
    with duckdb.connect(str(db), read_only=True) as con:
        after = con.execute("select count(*) from raw.prices").fetchone()[0]
        old_part = con.execute(
            f"select count(*), sum(hash(security_id, date, close, volume)) from raw.prices where date < date '{LAST_DAY}'"
        ).fetchone()
        last_log = con.execute(
            "select window_start, window_end, row_count from raw._load_log where table_name = 'prices' "
            "order by loaded_at desc limit 1"
        ).fetchone()
    assert after == before[0] + new_rows.num_rows
    assert old_part == before  # history untouched
    assert last_log == (date(2024, 12, 31), date(2024, 12, 31), new_rows.num_rows)

    # rerunning the same partition is idempotent
    assert dg.materialize(
        [raw_prices],
        partition_key=LAST_DAY,
        resources={"warehouse": WarehouseResource(input_dir=str(input_dir), duckdb_path=str(db))},
    ).success
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from raw.prices").fetchone()[0] == after


def test_bad_input_fails_the_dagster_run_and_keeps_the_warehouse(
    small_market_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    assert _ingest(small_market_dir, db, "2023-01-03", LAST_DAY).success
    digest = _sha(db)
    bad = tmp_path / "bad"
    shutil.copytree(small_market_dir, bad)
    text = (bad / "securities.csv").read_text().splitlines()
    fields = text[3].split(",")
    fields[4] = "hedge_fund"  # security_type of data row 3 (line 4)
    text[3] = ",".join(fields)
    (bad / "securities.csv").write_text("\n".join(text) + "\n")

    result = _ingest(bad, db, "2023-01-03", LAST_DAY)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = str(failure.step_failure_data.error)
    assert "securities.csv" in message and "row 3" in message and "security_type" in message
    assert _sha(db) == digest


def test_cli_build_rejects_bad_input_with_one_line(small_market_dir: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(small_market_dir, bad)
    lines = (bad / "shares.csv").read_text().splitlines()
    (bad / "shares.csv").write_text("\n".join(lines + [lines[1]]) + "\n")  # a duplicate key at the end
    code = main(["build", "--data-dir", str(bad), "--db", str(tmp_path / "w.duckdb")])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert len(err.splitlines()) == 1
    assert "shares.csv" in err and f"row {len(lines)}" in err and "security_id" in err
    assert not (tmp_path / "w.duckdb").exists()


def test_cli_generate_writes_the_contract_files(tmp_path: Path, capsys) -> None:
    out = tmp_path / "market"
    code = main(
        ["generate", "--out", str(out), "--companies", "150", "--start", "2023-01-01", "--end", "2024-06-30"]
    )
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["prices.parquet", "market.json"]
        + [f"{t.name}.csv" for t in TABLES if t.name not in ("prices", "initial_membership")]
    )
    printed = capsys.readouterr().out
    assert "securities.csv" in printed
    # 150 / 6,000 = 1/40: R1000 at 1,000/40 = 25, R3000 at 3,000/40 = 75 (market.json, indexpipe.market_scale)
    assert "r1000 #25, micro_top #50, r3000 #75" in printed


def test_cli_generate_rejects_an_inverted_span(tmp_path: Path, capsys) -> None:
    code = main(["generate", "--out", str(tmp_path / "m"), "--start", "2024-01-01", "--end", "2023-01-01"])
    assert code == 1
    assert "--end" in capsys.readouterr().err


def _mart_digests(db: Path) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent hash of every row of every mart and intermediate table."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('main', 'intermediate') and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
        digests = {}
        for (table,) in tables:
            columns = ", ".join(r[0] for r in con.execute(f"describe {table}").fetchall())
            digests[table] = con.execute(f"select count(*), bit_xor(hash({columns})) from {table}").fetchone()
        return digests


def test_reruns_give_identical_marts(built: Path, small_market_dir: Path, tmp_path: Path) -> None:
    before = _mart_digests(built)
    assert "main.fct_index_membership" in before and before["main.fct_index_membership"][0] > 0
    # again into the same warehouse (a copy of the shared one; two builds from scratch, by the command line and as
    # the UI launches the job, are compared in tests/test_cli_and_ui.py)
    again = shutil.copytree(
        built.parent, tmp_path / "wh", symlinks=True, ignore=shutil.ignore_patterns("dagster_home")
    )
    build(Settings(input_dir=small_market_dir, duckdb_path=again / built.name))
    assert _mart_digests(again / built.name) == before
