"""Find the input file(s) of each contract table, fingerprint them, and expose them to DuckDB.

This is the lowest layer of ingestion: it knows file names and formats, not the contract's rules.
``InputValidationError`` lives here so that a missing file and a bad value are the same kind of
error for the caller (the CLI and the Dagster assets catch one type).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from indexpipe.contract import FILE_SUFFIXES, TABLES, TABLES_BY_NAME

FileFormat = Literal["csv", "parquet"]

# Tables that may also be delivered as a sub-directory of increments (one file per new trading day).
INCREMENT_DIR_TABLES = ("prices",)

_HASH_CHUNK = 1 << 20


class InputValidationError(Exception):
    """An input file breaks the contract; nothing has been written anywhere.

    ``row`` is 1-based: the data row for CSV (header excluded; ``line`` is the physical line, header = line 1)
    or the row index for Parquet. ``row`` and ``column`` are None for file-level problems.
    """

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        table: str | None = None,
        row: int | None = None,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
        failing_rows: int | None = None,
    ) -> None:
        self.reason = reason
        self.file = file
        self.table = table
        self.row = row
        self.line = line
        self.column = column
        self.value = value
        self.failing_rows = failing_rows
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.file or (f"table '{self.table}'" if self.table else "input")
        if self.row is not None:
            where += f" row {self.row}"
            if self.line is not None:
                where += f" (line {self.line})"
        if self.column is not None:
            where += f", column '{self.column}'"
        text = f"{where}: {self.reason}"
        if self.failing_rows is not None:
            text += f" ({_plural(self.failing_rows, 'row fails', 'rows fail')} this check)"
        return text


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@dataclass(frozen=True)
class InputFile:
    """One file of one table; ``name`` is relative to the input directory (used in every message)."""

    table: str
    path: Path
    name: str
    format: FileFormat

    @property
    def is_csv(self) -> bool:
        return self.format == "csv"


@dataclass(frozen=True)
class StagedFile:
    """An input file exposed in DuckDB as a view with a 1-based ``_row`` and the contract columns present."""

    file: InputFile
    view: str
    source_types: dict[str, str]  # contract column -> DuckDB type as read (VARCHAR for every CSV column)
    header: tuple[str, ...]  # every column name in the file, for messages
    row_count: int


def _format_of(name: str) -> FileFormat | None:
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".csv") or name.endswith(".csv.gz"):
        return "csv"
    return None


def locate_table_files(input_dir: Path, table: str) -> tuple[InputFile, ...]:
    """The file(s) of ``table``: ``<table>.parquet|.csv|.csv.gz``, then for prices ``prices/*`` (sorted).

    An optional table without a file has none (an empty tuple); a required one raises."""
    main = [input_dir / f"{table}{suffix}" for suffix in FILE_SUFFIXES]
    main = [p for p in main if p.is_file()]
    if len(main) > 1:
        names = ", ".join(p.name for p in main)
        raise InputValidationError(
            f"more than one file for table '{table}' in {input_dir} ({names}); keep exactly one", table=table
        )
    paths = list(main)
    increments = input_dir / table
    if table in INCREMENT_DIR_TABLES and increments.is_dir():
        # Hidden files and anything that is not a contract format (README, .DS_Store) are not data.
        paths += sorted(
            p
            for p in increments.iterdir()
            if p.is_file() and not p.name.startswith(".") and _format_of(p.name)
        )
    if not paths and TABLES_BY_NAME[table].optional:
        return ()
    if not paths:
        expected = ", ".join(f"{table}{s}" for s in FILE_SUFFIXES)
        if table in INCREMENT_DIR_TABLES:
            expected += f", or files in {table}/"
        raise InputValidationError(
            f"no file for table '{table}' in {input_dir} (expected {expected})", table=table
        )
    return tuple(
        InputFile(
            table=table, path=p, name=p.relative_to(input_dir).as_posix(), format=_format_of(p.name) or "csv"
        )
        for p in paths
    )


def locate_input_files(input_dir: Path) -> dict[str, tuple[InputFile, ...]]:
    """Every contract table's files, in contract order; the first missing or ambiguous table raises."""
    if not input_dir.is_dir():
        raise InputValidationError(f"input directory {input_dir} does not exist")
    return {t.name: locate_table_files(input_dir, t.name) for t in TABLES}


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint(files: tuple[InputFile, ...]) -> str:
    """sha256 of the bytes of one file (as ``sha256sum``); for several files, of their names and hashes; for an
    absent optional table, of nothing."""
    if len(files) == 1:
        return sha256_of_file(files[0].path)
    digest = hashlib.sha256()
    for f in files:
        digest.update(f"{f.name}\0{sha256_of_file(f.path)}\n".encode())
    return digest.hexdigest()


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_csv_header(f: InputFile) -> tuple[str, ...]:
    """Column names of a CSV file; an empty tuple for a file without a header line."""
    opener = gzip.open if f.name.endswith(".gz") else open
    try:
        with opener(f.path, "rt", encoding="utf-8-sig", newline="") as fh:
            first = next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError, EOFError, csv.Error) as exc:
        raise InputValidationError(f"cannot read the header: {exc}", file=f.name, table=f.table) from exc
    # Surrounding blanks in a header are a typing slip, not a different column.
    header = tuple(name.strip() for name in first)
    return () if header in ((), ("",)) else header


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _csv_error(f: InputFile, exc: duckdb.Error) -> InputValidationError:
    text = str(exc)
    line_match = _CSV_LINE.search(text)
    line = int(line_match.group(1)) if line_match else None
    columns = _CSV_COLUMNS.search(text)
    if columns:
        reason = f"expected {columns.group(1)} fields, found {columns.group(2)}"
    else:
        reason = "cannot parse CSV: " + text.splitlines()[0]
    row = line - 1 if line is not None and line > 1 else None
    return InputValidationError(reason, file=f.name, table=f.table, row=row, line=line if row else None)


def _stage_csv(
    con: duckdb.DuckDBPyConnection, f: InputFile, view: str, wanted: tuple[str, ...]
) -> StagedFile:
    header = read_csv_header(f)
    if not header:
        raise InputValidationError("empty file", file=f.name, table=f.table)
    # Positional names make the header immune to odd spellings and keep DuckDB's rowid un-shadowed;
    # sniffing is off because it guesses delimiters and comment characters from the data.
    positional = {f"c{i}": "VARCHAR" for i in range(len(header))}
    columns = "{" + ", ".join(f"{sql_string(k)}: 'VARCHAR'" for k in positional) + "}"
    index = {name: i for i, name in reversed(list(enumerate(header)))}  # first occurrence wins
    present = [c for c in wanted if c in index]
    select = ", ".join(f"c{index[c]}" for c in present) or "NULL AS _none"
    table = f"{view}__data"
    try:
        # Materialised once: every check then scans memory, and insertion order makes rowid the data row.
        con.execute(
            f"CREATE TABLE {table} AS SELECT {select} FROM read_csv({sql_string(str(f.path))}, "
            f"header = true, auto_detect = false, columns = {columns}, delim = ',', quote = '\"', "
            "escape = '\"', strict_mode = true, null_padding = false)"
        )
    except duckdb.Error as exc:
        raise _csv_error(f, exc) from exc
    projected = ", ".join(f"c{index[c]} AS {sql_ident(c)}" for c in present)
    con.execute(
        f"CREATE VIEW {view} AS SELECT rowid + 1 AS _row{', ' if projected else ''}{projected} FROM {table}"
    )
    row_count = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return StagedFile(f, view, {c: "VARCHAR" for c in present}, header, row_count)


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, f: InputFile, view: str, wanted: tuple[str, ...]
) -> StagedFile:
    source = f"read_parquet({sql_string(str(f.path))}, file_row_number = true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        row_count = con.execute(f"SELECT count(*) FROM {source}").fetchone()[0]
    except duckdb.Error as exc:
        reason = "cannot read Parquet: " + str(exc).splitlines()[0]
        raise InputValidationError(reason, file=f.name, table=f.table) from exc
    types = {name: type_ for name, type_, *_ in described if name != "file_row_number"}
    present = [c for c in wanted if c in types]
    projected = "".join(f", {sql_ident(c)}" for c in present)
    # A view, not a copy: Parquet is already columnar and typed, so re-reading it is cheaper than holding it.
    con.execute(f"CREATE VIEW {view} AS SELECT file_row_number + 1 AS _row{projected} FROM {source}")
    return StagedFile(f, view, {c: types[c] for c in present}, tuple(types), row_count)


def stage_file(
    con: duckdb.DuckDBPyConnection, f: InputFile, view: str, wanted: tuple[str, ...]
) -> StagedFile:
    """Expose ``f`` as view ``view``: ``_row`` and the ``wanted`` columns the file has (extras dropped)."""
    if f.path.stat().st_size == 0:
        raise InputValidationError("empty file", file=f.name, table=f.table)
    staged = _stage_csv(con, f, view, wanted) if f.is_csv else _stage_parquet(con, f, view, wanted)
    if staged.row_count == 0 and not TABLES_BY_NAME[f.table].optional:
        raise InputValidationError("empty file: no data rows", file=f.name, table=f.table)
    return staged


__all__ = [
    "INCREMENT_DIR_TABLES",
    "InputFile",
    "InputValidationError",
    "StagedFile",
    "fingerprint",
    "locate_input_files",
    "locate_table_files",
    "read_csv_header",
    "sha256_of_file",
    "sql_ident",
    "sql_string",
    "stage_file",
]
