"""Loading validated input into schema ``raw``: real files, a real DuckDB file, no mocks."""

from __future__ import annotations

import gzip
import pickle
from datetime import date
from pathlib import Path

import duckdb
import pytest
from indexpipe.contract import TABLES
from indexpipe.ingest import (
    REFERENCE_TABLES,
    InputValidationError,
    ingest_input_dir,
    load_all_tables,
    load_prices_window,
    load_reference_tables,
    validate_input_dir,
)
from indexpipe.ingest.validate import SQL_TYPES, validate_price_window
from ingest_fixtures import GOOD, Rows, csv_to_parquet, edit_csv, write_csv, write_input_dir


@pytest.fixture
def good_dir(tmp_path: Path) -> Path:
    return write_input_dir(tmp_path / "input")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


def query(db: Path, sql: str) -> list[tuple]:
    # Opening read-write also proves the loader released its lock on the file.
    with duckdb.connect(str(db)) as con:
        return con.execute(sql).fetchall()


def table_rows(db: Path, table: str) -> list[tuple]:
    return query(db, f"SELECT * FROM raw.{table} ORDER BY ALL")


def prices_by_date(db: Path) -> dict[str, int]:
    return {
        str(d): n for d, n in query(db, "SELECT date, count(*) FROM raw.prices GROUP BY date ORDER BY date")
    }


def test_good_directory_loads_every_table(good_dir: Path, db: Path) -> None:
    result = ingest_input_dir(good_dir, db)
    expected = {name: len(rows) for name, rows in GOOD.items()}
    assert result.row_counts == expected
    assert result.seconds > 0 and result.rows_per_second > 0
    for table in TABLES:
        assert query(db, f"SELECT count(*) FROM raw.{table.name}") == [(expected[table.name],)]
        described = query(db, f"SELECT column_name, column_type FROM (DESCRIBE raw.{table.name})")
        assert described == [(c.name, SQL_TYPES[c.type]) for c in table.columns]


def test_optional_columns_get_their_defaults(good_dir: Path, db: Path) -> None:
    ingest_input_dir(good_dir, db)
    # shares.csv has no votes_per_share column; conversion_ratio is empty for S2, S4, S5.
    assert query(db, "SELECT DISTINCT votes_per_share FROM raw.shares") == [(1.0,)]
    ratios = dict(query(db, "SELECT security_id, conversion_ratio FROM raw.securities"))
    assert ratios == {"S1": 1.0, "S2": 1.0, "S3": 0.5, "S4": 1.0, "S5": 1.0}
    # No default: empty stays NULL.
    assert query(db, "SELECT eps FROM raw.fundamentals WHERE company_id = 'C4'") == [(None,)]


def test_prices_are_written_in_date_then_security_order(good_dir: Path, db: Path) -> None:
    # Reversed, so the order seen is the loader's (date first: a one-day query skips the other row groups).
    edit_csv(good_dir / "prices.csv", lambda rows: rows[::-1])
    ingest_input_dir(good_dir, db)
    rows = query(db, "SELECT date, security_id FROM raw.prices")
    assert len(rows) == 20 and rows == sorted(rows)


def test_load_log(good_dir: Path, db: Path) -> None:
    with validate_input_dir(good_dir) as validated:
        load_reference_tables(validated, db)
        load_prices_window(validated, db, date(2024, 1, 5), date(2024, 1, 8))
        log = query(
            db,
            "SELECT table_name, source_file, window_start, window_end, row_count, content_sha256, loaded_at"
            " FROM raw._load_log ORDER BY loaded_at, table_name",
        )
        assert [r[0] for r in log] == sorted(REFERENCE_TABLES) + ["prices"]
        assert log[-1][1:6] == (
            "prices.csv",
            date(2024, 1, 5),
            date(2024, 1, 8),
            8,
            validated.fingerprints["prices"],
        )
        assert all(r[6] is not None for r in log)


def test_reference_tables_replace_all_or_nothing(good_dir: Path, db: Path) -> None:
    ingest_input_dir(good_dir, db)
    before = {t: table_rows(db, t) for t in REFERENCE_TABLES}
    log_before = query(db, "SELECT count(*) FROM raw._load_log")
    # A view where the loader must replace a table makes the third write fail for real.
    with duckdb.connect(str(db)) as con:
        con.execute("DROP TABLE raw.corporate_actions")
        con.execute("CREATE VIEW raw.corporate_actions AS SELECT 1 AS x")
    edit_csv(good_dir / "securities.csv", lambda rows: [{**r, "name": r["name"].upper()} for r in rows])
    with validate_input_dir(good_dir) as validated, pytest.raises(duckdb.Error):
        load_reference_tables(validated, db)
    assert table_rows(db, "securities") == before["securities"]  # the first write was rolled back
    assert table_rows(db, "shares") == before["shares"]
    assert query(db, "SELECT count(*) FROM raw._load_log") == log_before


def test_reference_tables_subset_and_no_prices(good_dir: Path, db: Path) -> None:
    with validate_input_dir(good_dir) as validated:
        result = load_reference_tables(validated, db, tables=["securities"])
        assert result.row_counts == {"securities": len(GOOD["securities"])}
        with pytest.raises(ValueError, match="not reference tables: prices"):
            load_reference_tables(validated, db, tables=["prices"])


def test_prices_window_replaces_only_the_window_and_is_idempotent(good_dir: Path, db: Path) -> None:
    ingest_input_dir(good_dir, db)
    untouched = query(db, "SELECT * FROM raw.prices WHERE date <> DATE '2024-01-04' ORDER BY ALL")

    def restate_day(rows: Rows) -> Rows:
        kept = [r for r in rows if not (r["date"] == "2024-01-04" and r["security_id"] == "S5")]
        for r in kept:
            # Inside the window the new close must land; outside it, nothing may reach the warehouse.
            r["close"] = "99.5" if r["date"] == "2024-01-04" else "1.0"
            if r["security_id"] == "S1" and r["date"] == "2024-01-08":
                r["close"] = "0.5"  # S1's 2-for-1 split that day halves the close
        return kept

    edit_csv(good_dir / "prices.csv", restate_day)
    with validate_input_dir(good_dir) as validated:
        first = load_prices_window(validated, db, date(2024, 1, 4), date(2024, 1, 4))
        content = table_rows(db, "prices")
        second = load_prices_window(validated, db, date(2024, 1, 4), date(2024, 1, 4))
    assert first.row_counts == second.row_counts == {"prices": 3}
    assert (first.window_start, first.window_end) == (date(2024, 1, 4), date(2024, 1, 4))
    assert table_rows(db, "prices") == content
    assert query(db, "SELECT * FROM raw.prices WHERE date <> DATE '2024-01-04' ORDER BY ALL") == untouched
    assert query(db, "SELECT DISTINCT close FROM raw.prices WHERE date = DATE '2024-01-04'") == [(99.5,)]
    assert prices_by_date(db)["2024-01-04"] == 3


def test_open_ended_windows(good_dir: Path, db: Path) -> None:
    with validate_input_dir(good_dir) as validated:
        load_prices_window(validated, db, None, date(2024, 1, 3))
        assert prices_by_date(db) == {"2024-01-02": 4, "2024-01-03": 4}
        load_prices_window(validated, db, date(2024, 1, 5), None)
        assert prices_by_date(db) == {"2024-01-02": 4, "2024-01-03": 4, "2024-01-05": 4, "2024-01-08": 4}
        whole = load_prices_window(validated, db)
        assert whole.row_counts == {"prices": 20}
        assert sum(prices_by_date(db).values()) == 20
        with pytest.raises(ValueError, match="after its end"):
            load_prices_window(validated, db, date(2024, 1, 5), date(2024, 1, 4))


def test_new_trading_day_in_prices_directory_is_incremental(good_dir: Path, db: Path) -> None:
    ingest_input_dir(good_dir, db)
    before = table_rows(db, "prices")
    new_day = [
        {"date": "2024-01-09", "security_id": s, "close": "50.5", "volume": "10"}
        for s in ("S1", "S2", "S3", "S4")
    ]
    write_csv(good_dir / "prices" / "2024-01-09.csv", new_day)
    with validate_input_dir(good_dir) as validated:
        assert validated.prices_max_date == date(2024, 1, 9)
        assert validated.row_counts["prices"] == 24
        result = load_prices_window(validated, db, date(2024, 1, 9), date(2024, 1, 9))
    assert result.row_counts == {"prices": 4}
    assert query(db, "SELECT * FROM raw.prices WHERE date < DATE '2024-01-09' ORDER BY ALL") == before
    assert prices_by_date(db)["2024-01-09"] == 4
    # the new day is appended after the others: the table stays in (date, security_id) order
    stored = query(db, "SELECT date, security_id FROM raw.prices")
    assert len(stored) == 24 and stored == sorted(stored)
    assert query(db, "SELECT source_file FROM raw._load_log WHERE window_start IS NOT NULL") == [
        ("prices.csv;prices/2024-01-09.csv",)
    ]


def test_prices_directory_is_unioned(good_dir: Path, db: Path) -> None:
    """prices.csv holds the first three days; one day comes as Parquet, one as gzip CSV, in prices/."""
    by_day = {d: [r for r in GOOD["prices"] if r["date"] == d] for d in ("2024-01-05", "2024-01-08")}
    write_csv(good_dir / "prices.csv", [r for r in GOOD["prices"] if r["date"] < "2024-01-05"])
    daily = good_dir / "prices"
    csv_to_parquet(write_csv(daily / "tmp.csv", by_day["2024-01-05"]), "prices", daily / "2024-01-05.parquet")
    (daily / "tmp.csv").unlink()
    with gzip.open(daily / "2024-01-08.csv.gz", "wt", newline="") as fh:
        fh.write(write_csv(good_dir / "day.csv", by_day["2024-01-08"]).read_text())
    (good_dir / "day.csv").unlink()
    (daily / "README.txt").write_text("not data")  # ignored
    with validate_input_dir(good_dir) as validated:
        assert [p.name for p in validated.files["prices"]] == [
            "prices.csv",
            "2024-01-05.parquet",
            "2024-01-08.csv.gz",
        ]
        load_all_tables(validated, db)
    assert prices_by_date(db) == {
        d: 4 for d in ("2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08")
    }


def test_parquet_input_loads_the_same_content_as_csv(tmp_path: Path, good_dir: Path, db: Path) -> None:
    ingest_input_dir(good_dir, db)
    from_csv = {t.name: table_rows(db, t.name) for t in TABLES}
    parquet_dir = tmp_path / "parquet_input"
    parquet_dir.mkdir()
    for name in GOOD:
        csv_to_parquet(good_dir / f"{name}.csv", name, parquet_dir / f"{name}.parquet")
    parquet_db = tmp_path / "from_parquet.duckdb"
    with validate_input_dir(parquet_dir) as validated:
        assert validated.files["prices"] == (parquet_dir / "prices.parquet",)
        load_all_tables(validated, parquet_db)
    assert {t.name: table_rows(parquet_db, t.name) for t in TABLES} == from_csv


def test_rerun_gives_identical_content(good_dir: Path, db: Path) -> None:
    ingest_input_dir(good_dir, db)
    first = {t.name: query(db, f"SELECT * FROM raw.{t.name}") for t in TABLES}  # physical order included
    ingest_input_dir(good_dir, db)
    assert {t.name: query(db, f"SELECT * FROM raw.{t.name}") for t in TABLES} == first


def test_pickled_validated_input_reloads_from_the_files(good_dir: Path, db: Path) -> None:
    """Dagster may hand the validated input to another process: it rebuilds its views from the files."""
    with validate_input_dir(good_dir) as validated:
        clone = pickle.loads(pickle.dumps(validated))
    with clone:
        result = load_all_tables(clone, db)
    assert result.row_counts["prices"] == len(GOOD["prices"])


def test_a_file_changed_after_validation_is_not_loaded(good_dir: Path, db: Path) -> None:
    with validate_input_dir(good_dir) as validated:
        edit_csv(good_dir / "prices.csv", lambda rows: rows[:-1])
        with pytest.raises(InputValidationError, match="changed after it was validated"):
            load_prices_window(validated, db)
    assert not db.exists()


def _window_close(db: Path, day: date) -> list[tuple]:
    return query(db, f"SELECT security_id, close FROM raw.prices WHERE date = DATE '{day}' ORDER BY 1")


def test_a_day_loads_the_rows_it_checked_even_if_the_file_changes_after_they_were_read(
    good_dir: Path, db: Path
) -> None:
    """A day's validation keeps its window's rows in memory and hashes the file again after reading them
    (in a thread): the load writes those checked rows, so a later edit of the file cannot reach the warehouse."""
    day = date(2024, 1, 4)
    with validate_price_window(good_dir, day, day) as validated:
        expected = validated._rehashes["prices"].result()  # the file unchanged between the two hashes
        assert expected == validated.fingerprints["prices"]
        edit_csv(good_dir / "prices.csv", lambda rows: [{**r, "close": "999"} for r in rows])
        load_prices_window(validated, db, day, day)
    closes = {c for _, c in _window_close(db, day)}
    assert closes and 999 not in closes  # the validated closes, not the edited ones


def test_a_pickled_day_validation_rereads_the_file_and_refuses_a_changed_one(
    good_dir: Path, db: Path
) -> None:
    # the clone holds no rows: its load reads the file, so the file must be the one that was hashed
    day = date(2024, 1, 4)
    with validate_price_window(good_dir, day, day) as validated:
        clone = pickle.loads(pickle.dumps(validated))
    edit_csv(good_dir / "prices.csv", lambda rows: rows[:-1])
    with clone, pytest.raises(InputValidationError, match="changed after it was validated"):
        load_prices_window(clone, db, day, day)
    assert not db.exists()
