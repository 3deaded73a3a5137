"""Validation of the input directory: real files, a real warehouse file, no mocks.

Every rejection test also proves the warehouse built earlier from good data is byte-for-byte unchanged.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import duckdb
import pytest
from indexpipe.ingest import InputValidationError, ingest_input_dir, load_all_tables, validate_input_dir
from ingest_fixtures import (
    GOOD,
    Rows,
    csv_to_parquet,
    edit_csv,
    read_csv,
    sha256_file,
    write_csv,
    write_input_dir,
)


@pytest.fixture
def good_dir(tmp_path: Path) -> Path:
    return write_input_dir(tmp_path / "input")


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("good")
    db = root / "warehouse.duckdb"
    ingest_input_dir(write_input_dir(root / "input"), db)
    return db


@pytest.fixture
def warehouse(tmp_path: Path, built_warehouse: Path) -> Path:
    """A warehouse built from good data (built once, copied per test so no test sees another's attempt)."""
    return Path(shutil.copy2(built_warehouse, tmp_path / "warehouse.duckdb"))


def rejected(input_dir: Path, warehouse: Path) -> InputValidationError:
    """Validate-then-load ``input_dir``: it must fail in validation and leave ``warehouse`` as it was."""
    before = sha256_file(warehouse)
    with pytest.raises(InputValidationError) as info:
        validated = validate_input_dir(input_dir)
        load_all_tables(validated, warehouse)  # never reached: validation raises first
    assert sha256_file(warehouse) == before
    assert not warehouse.with_name(warehouse.name + ".wal").exists()
    return info.value


def set_value(row: int, column: str, value: str):
    """An ``edit_csv`` change that sets data row ``row`` (1-based, as in error messages)."""

    def change(rows: Rows) -> None:
        rows[row - 1][column] = value

    return change


def test_good_directory_validates(good_dir: Path) -> None:
    with validate_input_dir(good_dir) as validated:
        assert validated.row_counts == {name: len(rows) for name, rows in GOOD.items()}
        assert validated.notes == ()
        assert str(validated.prices_min_date) == "2024-01-02"
        assert str(validated.prices_max_date) == "2024-01-08"
        assert validated.fingerprints["prices"] == sha256_file(good_dir / "prices.csv")
        assert validated.files["shares"] == (good_dir / "shares.csv",)


def test_missing_column(good_dir: Path, warehouse: Path) -> None:
    write_csv(good_dir / "prices.csv", GOOD["prices"], header=["date", "security_id", "volume"])
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.column) == ("prices.csv", None, "close")
    assert "required column is missing" in str(error)


def test_unknown_enumeration_value(good_dir: Path, warehouse: Path) -> None:
    edit_csv(good_dir / "securities.csv", set_value(2, "security_type", "bond"))
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.column, error.value) == (
        "securities.csv",
        2,
        "security_type",
        "bond",
    )
    assert str(error).startswith(
        "securities.csv row 2 (line 3), column 'security_type': value 'bond' is not one of"
    )


def test_negative_close(good_dir: Path, warehouse: Path) -> None:
    def change(rows: Rows) -> None:
        for i in (4, 9, 12):
            rows[i - 1]["close"] = "-1.5"

    edit_csv(good_dir / "prices.csv", change)
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.column, error.value) == ("prices.csv", 4, "close", "-1.5")
    assert (
        str(error)
        == "prices.csv row 4 (line 5), column 'close': value '-1.5' must be > 0 (3 rows fail this check)"
    )


def test_duplicate_key(good_dir: Path, warehouse: Path) -> None:
    edit_csv(good_dir / "shares.csv", lambda rows: rows[:3] + [dict(rows[1])] + rows[3:])
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.column) == ("shares.csv", 4, "security_id, effective_date")
    assert error.value == "S2, 2023-12-29"
    assert "duplicate key (security_id, effective_date) = ('S2', '2023-12-29'), first seen at row 2" in str(
        error
    )


def test_orphan_security_id(good_dir: Path, warehouse: Path) -> None:
    edit_csv(good_dir / "prices.csv", set_value(7, "security_id", "S999"))
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.column, error.value) == ("prices.csv", 7, "security_id", "S999")
    assert "has no match in securities.security_id" in str(error)


def test_orphan_related_security_id(good_dir: Path, warehouse: Path) -> None:
    edit_csv(good_dir / "corporate_actions.csv", set_value(2, "related_security_id", "S9"))
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.column, error.value) == (
        "corporate_actions.csv",
        2,
        "related_security_id",
        "S9",
    )


def test_orphan_company_id(good_dir: Path, warehouse: Path) -> None:
    edit_csv(good_dir / "estimates.csv", set_value(3, "company_id", "C77"))
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.column) == ("estimates.csv", 3, "company_id")


@pytest.mark.parametrize(
    "bad_date", ["2024-13-01", "2024/01/05", "2024-1-5", "05/01/2024", "2024-02-30", "soon"]
)
def test_unparseable_date(good_dir: Path, warehouse: Path, bad_date: str) -> None:
    edit_csv(good_dir / "corporate_actions.csv", set_value(3, "ex_date", bad_date))
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.column, error.value) == (
        "corporate_actions.csv",
        3,
        "ex_date",
        bad_date,
    )
    assert "is not an ISO date (YYYY-MM-DD)" in str(error)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("estimates.csv", b""),  # optional tables may be header-only, never without a header
        ("shares.csv", b""),
        ("shares.csv", b"security_id,effective_date,shares_outstanding,available_shares\n"),
    ],
)
def test_empty_file(good_dir: Path, warehouse: Path, name: str, content: bytes) -> None:
    (good_dir / name).write_bytes(content)
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.column) == (name, None, None)
    assert "empty file" in str(error)


def test_missing_table(good_dir: Path, warehouse: Path) -> None:
    (good_dir / "shares.csv").unlink()
    error = rejected(good_dir, warehouse)
    assert error.table == "shares" and error.file is None
    assert "no file for table 'shares'" in str(error) and str(good_dir) in str(error)


def test_optional_tables_may_be_absent_or_header_only(good_dir: Path, warehouse: Path) -> None:
    (good_dir / "classifications.csv").unlink()
    (good_dir / "fundamentals.csv").unlink()
    (good_dir / "corporate_actions.csv").unlink()
    (good_dir / "initial_membership.csv").unlink()
    (good_dir / "estimates.csv").write_text("company_id,as_of_date,eps_growth_2y,ltg,eps_fy1,analyst_count\n")
    with validate_input_dir(good_dir) as validated:
        assert [n.split(":")[0] + ":" + n.split(":")[1].split("(")[0] for n in validated.notes] == [
            "corporate_actions: absent ",
            "fundamentals: absent ",
            "estimates: header only ",
            "classifications: absent ",
            "initial_membership: absent ",
        ]
        load_all_tables(validated, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in (
            "classifications",
            "fundamentals",
            "corporate_actions",
            "estimates",
            "initial_membership",
        ):
            assert con.execute(f"select count(*) from raw.{table}").fetchone() == (0,)
        # typed like a delivered file, so staging reads them unchanged
        types = dict(
            con.execute("select column_name, column_type from (describe raw.fundamentals)").fetchall()
        )
        assert types["period_end"] == "DATE" and types["book_value"] == "DOUBLE"


def test_home_country_override_is_a_country_code(good_dir: Path, warehouse: Path) -> None:
    path = good_dir / "securities.csv"
    rows = [{**row, "home_country": ""} for row in read_csv(path)]
    rows[1]["home_country"] = "usa"
    write_csv(path, rows)
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.column, error.value) == ("securities.csv", 2, "home_country", "usa")


def _initial_membership(rows: list[tuple[str, str, str, str]]) -> Rows:
    return [
        dict(zip(("index_code", "as_of_date", "company_id", "security_id"), r, strict=True)) for r in rows
    ]


def test_initial_membership_is_loaded_and_unmatched_names_are_reported(
    good_dir: Path, warehouse: Path
) -> None:
    write_csv(
        good_dir / "initial_membership.csv",
        _initial_membership(
            [
                ("R1000", "2023-12-29", "C1", ""),
                ("R2000", "2023-12-29", "", "S2"),
                ("R2000", "2023-12-29", "C_GONE", ""),  # delisted before the data starts: reported only
            ]
        ),
        header=["index_code", "as_of_date", "company_id", "security_id"],
    )
    with validate_input_dir(good_dir) as validated:
        assert validated.row_counts["initial_membership"] == 3
        assert validated.notes == (
            "initial_membership: 1 of 3 rows name no company or security in securities (left out)",
        )
        load_all_tables(validated, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.initial_membership").fetchone() == (3,)


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (("R1000", "2023-12-29", "", ""), "company_id", "needs one of company_id, security_id"),
        (("R1000G", "2023-12-29", "C1", ""), "index_code", "is not one of"),
        (("R1000", "2023-12-32", "C1", ""), "as_of_date", "is not an ISO date"),
    ],
)
def test_initial_membership_rows_are_checked(
    good_dir: Path, warehouse: Path, row: tuple[str, str, str, str], column: str, reason: str
) -> None:
    good = ("R2000", "2023-12-29", "C2", "")
    write_csv(
        good_dir / "initial_membership.csv",
        _initial_membership([good, row]),
        header=["index_code", "as_of_date", "company_id", "security_id"],
    )
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.column) == ("initial_membership.csv", 2, column)
    assert reason in str(error)


def test_initial_membership_needs_an_id_column(good_dir: Path, warehouse: Path) -> None:
    (good_dir / "initial_membership.csv").write_text("index_code,as_of_date\nR1000,2023-12-29\n")
    error = rejected(good_dir, warehouse)
    assert error.file == "initial_membership.csv"
    assert "needs at least one of the columns company_id, security_id" in str(error)


def test_two_files_for_one_table(good_dir: Path, warehouse: Path) -> None:
    csv_to_parquet(good_dir / "shares.csv", "shares")
    error = rejected(good_dir, warehouse)
    assert error.table == "shares" and "shares.parquet, shares.csv" in str(error)


def test_missing_input_directory(tmp_path: Path, warehouse: Path) -> None:
    error = rejected(tmp_path / "nowhere", warehouse)
    assert "does not exist" in str(error)


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "reason"),
    [
        ("prices", 5, "volume", "1.5", "is not an integer"),
        ("prices", 5, "volume", "-3", "must be >= 0"),
        ("prices", 2, "close", "abc", "is not a finite number"),
        ("prices", 2, "close", "nan", "is not a finite number"),
        ("prices", 2, "close", "1_000", "is not a finite number"),
        ("prices", 3, "close", "", "value is empty but the column is required"),
        ("securities", 4, "country_headquarters", "us", "ISO 3166 alpha-2"),
        ("securities", 1, "country_assets", "USA", "ISO 3166 alpha-2"),
        ("securities", 1, "delisting_date", "2019-12-31", "must be on or after listing_date ('2020-01-02')"),
        ("securities", 3, "conversion_ratio", "0", "must be > 0"),
        ("shares", 2, "available_shares", "600000", "must be <= shares_outstanding ('500000')"),
        ("fundamentals", 1, "available_date", "2023-09-29", "must be on or after period_end"),
        ("corporate_actions", 1, "action_type", "Cash_Dividend", "is not one of"),
        ("classifications", 2, "icb_industry", "Realty", "is not one of"),
        ("estimates", 2, "analyst_count", "2.0", "is not an integer"),
    ],
)
def test_row_rules(
    good_dir: Path, warehouse: Path, table: str, row: int, column: str, value: str, reason: str
) -> None:
    edit_csv(good_dir / f"{table}.csv", set_value(row, column, value))
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.line, error.column) == (f"{table}.csv", row, row + 1, column)
    assert error.value == (value or None)
    assert reason in str(error)


def test_checks_report_first_failing_check_in_order(good_dir: Path, warehouse: Path) -> None:
    """A parse error outranks a later bound violation on an earlier row: checks run in a fixed order."""

    def change(rows: Rows) -> None:
        rows[0]["close"] = "-2"  # bound check, row 1
        rows[5]["volume"] = "x"  # parse check, row 6

    edit_csv(good_dir / "prices.csv", change)
    error = rejected(good_dir, warehouse)
    assert (error.row, error.column) == (6, "volume")


def test_ragged_csv_row(good_dir: Path, warehouse: Path) -> None:
    lines = (good_dir / "prices.csv").read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0]  # data row 3 loses its last field
    (good_dir / "prices.csv").write_text("\n".join(lines) + "\n")
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.line) == ("prices.csv", 3, 4)
    assert "expected 4 fields, found 3" in str(error)


def test_extra_columns_are_ignored(good_dir: Path) -> None:
    write_csv(good_dir / "securities.csv", [{**r, "vendor_note": "free, text"} for r in GOOD["securities"]])
    with validate_input_dir(good_dir) as validated:
        assert validated.row_counts["securities"] == len(GOOD["securities"])


def test_parquet_errors_name_the_row_index(good_dir: Path, warehouse: Path) -> None:
    edit_csv(good_dir / "prices.csv", set_value(11, "close", "-4"))
    csv_to_parquet(good_dir / "prices.csv", "prices")
    (good_dir / "prices.csv").unlink()
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.line, error.column, error.value) == (
        "prices.parquet",
        11,
        None,
        "close",
        "-4.0",
    )
    assert str(error).startswith("prices.parquet row 11, column 'close'")


def test_parquet_nan_is_rejected(good_dir: Path, warehouse: Path) -> None:
    target = good_dir / "prices.parquet"
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT CAST(date AS DATE) AS date, security_id, CASE WHEN security_id = 'S2' "
            f"AND date = '2024-01-03' THEN 'NaN'::DOUBLE ELSE close::DOUBLE END AS close, "
            f"volume::BIGINT AS volume FROM read_csv('{good_dir / 'prices.csv'}', all_varchar = true)) "
            f"TO '{target}' (FORMAT parquet)"
        )
    (good_dir / "prices.csv").unlink()
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.column) == ("prices.parquet", 6, "close")
    assert "is not a finite number" in str(error)


def test_duplicate_across_daily_files_names_the_daily_file(good_dir: Path, warehouse: Path) -> None:
    daily = [r for r in GOOD["prices"] if r["date"] == "2024-01-08"]
    write_csv(good_dir / "prices" / "2024-01-08.csv", daily)
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.column) == ("prices/2024-01-08.csv", 1, "security_id, date")
    assert "first seen at prices.csv row 17 (line 18)" in str(error)


def test_gzip_csv_is_read(good_dir: Path) -> None:
    source = good_dir / "fundamentals.csv"
    with gzip.open(good_dir / "fundamentals.csv.gz", "wb") as fh:
        fh.write(source.read_bytes())
    source.unlink()
    with validate_input_dir(good_dir) as validated:
        assert validated.row_counts["fundamentals"] == len(GOOD["fundamentals"])
        assert validated.files["fundamentals"] == (good_dir / "fundamentals.csv.gz",)


def test_validation_never_creates_a_warehouse(tmp_path: Path, good_dir: Path) -> None:
    shutil.copytree(good_dir, tmp_path / "copy")
    with validate_input_dir(tmp_path / "copy"):
        pass
    assert not list(tmp_path.rglob("*.duckdb"))


def test_bom_and_crlf_are_accepted(good_dir: Path) -> None:
    for path in good_dir.glob("*.csv"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    with validate_input_dir(good_dir) as validated:
        assert validated.row_counts == {name: len(rows) for name, rows in GOOD.items()}
        assert validated.notes == ()


def test_prices_may_come_only_as_daily_files(good_dir: Path) -> None:
    (good_dir / "prices.csv").unlink()
    for day in ("2024-01-02", "2024-01-03"):
        write_csv(good_dir / "prices" / f"{day}.csv", [r for r in GOOD["prices"] if r["date"] == day])
    with validate_input_dir(good_dir) as validated:
        assert validated.row_counts["prices"] == 8
        assert (str(validated.prices_min_date), str(validated.prices_max_date)) == (
            "2024-01-02",
            "2024-01-03",
        )


def test_header_only_daily_file_is_empty(good_dir: Path, warehouse: Path) -> None:
    (good_dir / "prices").mkdir()
    (good_dir / "prices" / "2024-01-09.csv").write_text("date,security_id,close,volume\n")
    error = rejected(good_dir, warehouse)
    assert (error.file, error.row, error.column) == ("prices/2024-01-09.csv", None, None)
    assert "empty file" in str(error)
