"""The daily run validates only the new day's prices, against the lines the warehouse holds (issue 15).

tests/ingest_fixtures.py: prices.csv holds, day by day, 2024-01-02 rows 1-4 (S1, S2, S3, S5), 2024-01-03 rows 5-8,
2024-01-04 rows 9-12, 2024-01-05 rows 13-16 (S1, S2, S3, S4) and 2024-01-08 rows 17-20 (S1, S2, S3, S4).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from indexpipe.ingest import InputValidationError
from indexpipe.ingest.validate import validate_price_window
from ingest_fixtures import Rows, csv_to_parquet, edit_csv, write_input_dir

DAY = date(2024, 1, 8)
KNOWN = ["S1", "S2", "S3", "S4", "S5"]


def _set(input_dir: Path, row: int, column: str, value: str) -> None:
    def change(rows: Rows) -> None:
        rows[row - 1][column] = value

    edit_csv(input_dir / "prices.csv", change)


def _error(input_dir: Path, day: date, known: list[str] | None = KNOWN) -> InputValidationError:
    with pytest.raises(InputValidationError) as info:
        validate_price_window(input_dir, day, day, known)
    return info.value


def test_the_day_is_checked_and_other_days_are_not(tmp_path: Path) -> None:
    input_dir = write_input_dir(tmp_path / "input")
    _set(input_dir, 1, "close", "-1")  # S1 on 2024-01-02
    _set(input_dir, 2, "date", "2024/01/02")  # an unparseable date belongs to no window
    with validate_price_window(input_dir, DAY, DAY, KNOWN) as validated:
        assert validated.row_counts == {"prices": 4}
        assert (validated.prices_min_date, validated.prices_max_date) == (DAY, DAY)
    error = _error(input_dir, date(2024, 1, 2))
    assert (error.file, error.row, error.column) == ("prices.csv", 1, "close")
    assert "must be > 0" in str(error)


def test_a_line_the_warehouse_does_not_hold_fails(tmp_path: Path) -> None:
    input_dir = write_input_dir(tmp_path / "input")
    # S4 is row 20 on 2024-01-08; the input's securities know it, the warehouse does not
    error = _error(input_dir, DAY, ["S1", "S2", "S3", "S5"])
    assert (error.row, error.column, error.value) == (20, "security_id", "S4")
    assert "has no match in the warehouse's raw.securities" in str(error)
    # without a warehouse the input's securities decide
    validate_price_window(input_dir, DAY, DAY, None).close()


def test_a_duplicate_key_counts_only_inside_the_window(tmp_path: Path) -> None:
    input_dir = write_input_dir(tmp_path / "input")
    edit_csv(input_dir / "prices.csv", lambda rows: [*rows, dict(rows[0])])  # S1 on 2024-01-02 again, row 21
    validate_price_window(input_dir, DAY, DAY, KNOWN).close()
    error = _error(input_dir, date(2024, 1, 2))
    assert (error.row, error.column) == (21, "security_id, date")
    assert "first seen at row 1" in str(error)


def test_the_split_on_the_day_is_checked(tmp_path: Path) -> None:
    input_dir = write_input_dir(tmp_path / "input")
    # S1's 2-for-1 split goes ex on 2024-01-08 (row 17): an unadjusted close that did not halve fails
    _set(input_dir, 17, "close", "14.25")
    assert "a split of 2 new shares per old share of S1" in str(_error(input_dir, DAY))
    validate_price_window(input_dir, date(2024, 1, 5), date(2024, 1, 5), KNOWN).close()


def _as_parquet(input_dir: Path) -> None:
    csv_to_parquet(input_dir / "prices.csv", "prices")
    (input_dir / "prices.csv").unlink()


def test_a_parquet_file_is_checked_on_its_window_rows_only(tmp_path: Path) -> None:
    # the checks read a temporary table of the window's rows (plus the lines that split in it), not the whole file:
    # the same verdicts, the same file row numbers as the CSV above
    input_dir = write_input_dir(tmp_path / "input")
    _set(input_dir, 1, "close", "-1")  # S1 on 2024-01-02, outside the day's window
    _set(input_dir, 19, "volume", "-5")  # S3 on 2024-01-08 (rows 17-20: S1, S2, S3, S4)
    _as_parquet(input_dir)
    error = _error(input_dir, DAY)
    assert (error.file, error.row, error.column) == ("prices.parquet", 19, "volume")
    assert error.line is None  # a Parquet row has no text line
    with validate_price_window(input_dir, date(2024, 1, 5), date(2024, 1, 5), KNOWN) as validated:
        assert validated.row_counts == {"prices": 4}  # rows 13-16
        with validated.typed_connection() as con:
            # the window's rows only (no split in it): 4 rows, not the file's 20
            assert con.execute("SELECT count(*), min(_row), max(_row) FROM typed_prices").fetchone() == (
                4,
                13,
                16,
            )
    error = _error(input_dir, date(2024, 1, 2))
    assert (error.row, error.column) == (1, "close")


def test_a_split_in_a_parquet_window_still_sees_the_close_before_it(tmp_path: Path) -> None:
    # the close before the ex-date lies outside the window: the window's table keeps the splitting line's rows
    input_dir = write_input_dir(tmp_path / "input")
    _set(
        input_dir, 17, "close", "14.25"
    )  # S1 on the ex-date 2024-01-08 not halved: 14.25 / 14.25 = x1, not x0.5
    _as_parquet(input_dir)
    assert "a split of 2 new shares per old share of S1" in str(_error(input_dir, DAY))
