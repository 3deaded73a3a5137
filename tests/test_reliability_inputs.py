"""Every kind of bad input in tests/bad_inputs.py, through the command line: exit code 1, one line naming the file,
row and column, and a warehouse left byte for byte as it was (no copy, lock holder or log left beside it)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from bad_inputs import CORPUS, BadInput
from indexpipe.cli import main
from indexpipe.ingest import ingest_input_dir, validate_input_dir
from ingest_fixtures import write_input_dir


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
