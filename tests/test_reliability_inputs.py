"""Every kind of bad input in tests/bad_inputs.py, through the command line: exit code 1, one line naming the file,
row and column, and a warehouse left byte for byte as it was (no copy, lock holder or log left beside it)."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest
from bad_inputs import CORPUS, BadInput
from indexpipe.cli import main
from indexpipe.ingest import InputValidationError, ingest_input_dir, validate_input_dir
from indexpipe.ingest.semantic import DateWindow
from indexpipe.ingest.validate import check_input_semantics
from ingest_fixtures import Rows, edit_csv, write_input_dir


def set_value(input_dir: Path, table: str, row: int, column: str, value: str) -> None:
    def change(rows: Rows) -> None:
        rows[row - 1][column] = value

    edit_csv(input_dir / f"{table}.csv", change)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("good")
    db = root / "warehouse.duckdb"
    ingest_input_dir(write_input_dir(root / "input"), db)
    return db


def test_the_corpus_has_forty_kinds_with_distinct_names() -> None:
    assert len(CORPUS) >= 40
    assert len({case.name for case in CORPUS}) == len(CORPUS)


def test_the_unbroken_directory_passes(tmp_path: Path) -> None:
    # so each case below fails for its own change, not for something the good directory already breaks
    with validate_input_dir(write_input_dir(tmp_path / "input")) as validated:
        assert validated.row_counts["prices"] == 20


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_bad_input_is_refused_with_file_row_column_and_the_warehouse_kept(
    case: BadInput, tmp_path: Path, built_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    input_dir = write_input_dir(tmp_path / "input")
    case.breaks(input_dir)
    db = tmp_path / "warehouse" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copy2(built_warehouse, db)
    before = _sha(db)

    code = main(["build", "--data-dir", str(input_dir), "--db", str(db)])

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1, err
    assert err[0].startswith(f"indexpipe build: invalid input: {case.where}: "), err[0]
    assert case.says in err[0], err[0]
    assert _sha(db) == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["warehouse.duckdb"]


# --- the semantic checks' bounds, by hand --------------------------------------------------------------------


def _verdict(input_dir: Path) -> str:
    try:
        validate_input_dir(input_dir).close()
    except InputValidationError as exc:
        return str(exc)
    return "ok"


@pytest.mark.parametrize(
    ("close", "accepted"),
    [
        # S1 closes 13.25 on 2024-01-05 and splits 2-for-1 on 2024-01-08; the close times the ratio over 13.25 must
        # lie within a factor 1.5 (tolerance 0.5): 9.9 x 2 / 13.25 = 1.4943 passes, 10.0 x 2 / 13.25 = 1.5094 does
        # not; on the low side 4.45 x 2 / 13.25 = 0.6717 >= 1 / 1.5 = 0.6667 passes, 4.4 x 2 / 13.25 = 0.6642 not
        ("9.9", True),
        ("10.0", False),
        ("4.45", True),
        ("4.4", False),
    ],
)
def test_split_price_tolerance(tmp_path: Path, close: str, accepted: bool) -> None:
    input_dir = write_input_dir(tmp_path / "input")
    set_value(input_dir, "prices", 17, "close", close)
    verdict = _verdict(input_dir)
    assert (verdict == "ok") == accepted, verdict
    if not accepted:
        assert verdict.startswith("corporate_actions.csv row 4 (line 5), column 'ratio': a split of 2")


def test_split_price_tolerance_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    input_dir = write_input_dir(tmp_path / "input")
    set_value(input_dir, "prices", 17, "close", "10.0")  # x1.5094 after the ratio, as above
    monkeypatch.setenv("INDEXPIPE_SPLIT_PRICE_TOLERANCE", "0.6")  # allows up to x1.6
    assert _verdict(input_dir) == "ok"


@pytest.mark.parametrize(
    ("post_split_shares", "accepted"),
    [
        # 1,000,000 shares before the split; on the ex-date 2,400,000 / 1,000,000 / 2 = 1.2 <= 1.25 passes,
        # 2,600,000 gives 1.3 > 1.25 (tolerance 0.25) and does not
        ("2400000", True),
        ("2600000", False),
    ],
)
def test_split_shares_tolerance(tmp_path: Path, post_split_shares: str, accepted: bool) -> None:
    input_dir = write_input_dir(tmp_path / "input")
    set_value(input_dir, "shares", 6, "shares_outstanding", post_split_shares)
    set_value(input_dir, "shares", 6, "available_shares", "1800000")
    verdict = _verdict(input_dir)
    assert (verdict == "ok") == accepted, verdict
    if not accepted:
        assert "to 2,600,000 (2024-01-08), x2.6" in verdict and "about 2,000,000" in verdict


@pytest.mark.parametrize(
    ("column", "value", "accepted"),
    [
        ("close", "10000000", True),  # exactly the maximum close, $1e7
        ("close", "10000000.5", False),
        ("close", "0.0001", True),  # exactly the minimum, $1e-4
        ("close", "0.00009", False),
        ("volume", "100000000000", True),  # exactly 1e11 shares
        ("volume", "100000000001", False),
    ],
)
def test_plausible_price_bounds_are_inclusive(
    tmp_path: Path, column: str, value: str, accepted: bool
) -> None:
    input_dir = write_input_dir(tmp_path / "input")
    set_value(input_dir, "prices", 2, column, value)  # S2 on 2024-01-02: no split nearby
    verdict = _verdict(input_dir)
    assert (verdict == "ok") == accepted, verdict


def test_bounds_come_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    input_dir = write_input_dir(tmp_path / "input")
    set_value(input_dir, "prices", 2, "close", "101")
    monkeypatch.setenv("INDEXPIPE_MAX_CLOSE", "100")
    assert "value '101' is above 100 dollars a share" in _verdict(input_dir)
    monkeypatch.setenv("INDEXPIPE_MAX_CLOSE", "lots")
    assert main(["build", "--data-dir", str(input_dir), "--db", str(tmp_path / "w.duckdb")]) == 1
    assert capsys.readouterr().err.strip() == (
        "indexpipe build: INDEXPIPE_MAX_CLOSE='lots' is not a finite non-negative number"
    )


def test_semantic_checks_run_on_a_window_of_days(tmp_path: Path) -> None:
    """A delivery of one new day can be checked on that day alone."""
    input_dir = write_input_dir(tmp_path / "input")
    set_value(input_dir, "prices", 1, "close", "1e30")  # S1 on 2024-01-02
    check_input_semantics(input_dir, DateWindow(date(2024, 1, 8), date(2024, 1, 8)))  # another day: passes
    with pytest.raises(InputValidationError) as info:
        check_input_semantics(input_dir, DateWindow(date(2024, 1, 2), date(2024, 1, 2)))
    assert (info.value.file, info.value.row, info.value.column) == ("prices.csv", 1, "close")
    # the split of 2024-01-08 is checked in a window holding its ex-date
    set_value(input_dir, "prices", 1, "close", "10.25")
    set_value(input_dir, "prices", 17, "close", "14.25")
    check_input_semantics(input_dir, DateWindow(date(2024, 1, 2), date(2024, 1, 5)))
    with pytest.raises(InputValidationError, match="a split of 2 new shares per old share of S1"):
        check_input_semantics(input_dir, DateWindow(date(2024, 1, 8), None))
