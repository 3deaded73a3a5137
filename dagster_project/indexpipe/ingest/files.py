"""Find the input file(s) of each contract table, fingerprint them, and expose them to DuckDB.

This is the lowest layer of ingestion: it knows file names and formats, not the contract's rules.
``InputValidationError`` lives here so that a missing file and a bad value are the same kind of
error for the caller (the CLI and the Dagster assets catch one type).
"""

from __future__ import annotations

import csv
import errno
import gzip
import hashlib
import os
import re
import zlib
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


def _is_present(path: Path) -> bool:
    """A file, or a symlink of any kind (a broken or looping one is reported, not ignored)."""
    return path.is_symlink() or path.is_file()


def check_inside(input_dir: Path, path: Path, table: str) -> None:
    """Refuse a symlink that loops, dangles or leaves the input directory (``input_dir`` is resolved)."""
    if not path.is_symlink():
        return
    name = path.relative_to(input_dir).as_posix()
    try:
        target = path.resolve(strict=True)
    except RuntimeError as exc:  # Python 3.11 reports a loop this way
        raise InputValidationError(
            "is a symlink loop: it never reaches a file", file=name, table=table
        ) from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputValidationError(
                "is a symlink loop: it never reaches a file", file=name, table=table
            ) from exc
        raise InputValidationError(
            f"is a symlink to {os.readlink(path)}, which does not exist", file=name, table=table
        ) from exc
    if not target.is_relative_to(input_dir):
        raise InputValidationError(
            f"is a symlink to {target}, outside the input directory {input_dir}: refused (copy the file in, "
            "or link to a file inside the directory)",
            file=name,
            table=table,
        )


def locate_table_files(input_dir: Path, table: str) -> tuple[InputFile, ...]:
    """The file(s) of ``table``: ``<table>.parquet|.csv|.csv.gz``, then for prices ``prices/*`` (sorted).

    An optional table without a file has none (an empty tuple); a required one raises. A symlink is followed
    only to a file inside ``input_dir`` (which must be resolved)."""
    main = [input_dir / f"{table}{suffix}" for suffix in FILE_SUFFIXES]
    main = [p for p in main if _is_present(p)]
    if len(main) > 1:
        names = ", ".join(p.name for p in main)
        raise InputValidationError(
            f"more than one file for table '{table}' in {input_dir} ({names}); keep exactly one", table=table
        )
    for p in main:
        check_inside(input_dir, p, table)
    paths = list(main)
    increments = input_dir / table
    if table in INCREMENT_DIR_TABLES and (increments.is_symlink() or increments.is_dir()):
        check_inside(input_dir, increments, table)
        # Hidden files and anything that is not a contract format (README, .DS_Store) are not data.
        found = sorted(
            p
            for p in increments.iterdir()
            if not p.name.startswith(".") and _format_of(p.name) and _is_present(p)
        )
        for p in found:
            check_inside(input_dir, p, table)
        paths += [p for p in found if p.is_file()]
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
        # the first line only, as bytes: a bad byte further down is the data's problem, reported with its line
        with opener(f.path, "rb") as fh:
            first_line = fh.readline(1 << 20)
    except (OSError, EOFError) as exc:
        raise InputValidationError(f"cannot read the header: {exc}", file=f.name, table=f.table) from exc
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputValidationError(
            f"the header line is not valid UTF-8 text (byte {exc.start + 1})", file=f.name, table=f.table
        ) from exc
    try:
        first = next(csv.reader([text]), [])
    except csv.Error as exc:
        raise InputValidationError(f"cannot read the header: {exc}", file=f.name, table=f.table) from exc
    # Surrounding blanks in a header are a typing slip, not a different column.
    header = tuple(name.strip() for name in first)
    return () if header in ((), ("",)) else header


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_CSV_LINE_SIZE = re.compile(r"Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+) bytes")
_CSV_NOISE = ("CSV Error on Line", "Original Line", "Possible fix", "Possible Solution", "* ")


def _csv_reason(text: str) -> str:
    """DuckDB's CSV error as one sentence saying which rule or limit the line broke."""
    # DuckDB's own words only: not the offending line's data, not its list of possible fixes
    text = re.sub(r"Original Line:[^\n]*", "", text)
    text = re.split(r"Possible (?:fix|Solution)", text)[0]
    if columns := _CSV_COLUMNS.search(text):
        return f"expected {columns.group(1)} fields, found {columns.group(2)}"
    if size := _CSV_LINE_SIZE.search(text):
        return (
            f"the line is {int(size.group(2)):,} bytes long, above the limit of {int(size.group(1)):,} bytes for "
            "one CSV line (setting INDEXPIPE_MAX_CSV_LINE_BYTES): a field this long is a missing quote or line "
            "break, not data"
        )
    if "unterminated quote" in text:
        return (
            'a quoted field on this line is not closed properly: a double quote (") opens it and none closes it '
            "(the rest of the file would be one value), or text follows the closing quote"
        )
    if "Invalid unicode" in text:
        return "the line is not valid UTF-8 text"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    useful = [line for line in lines[1:] if not line.startswith(_CSV_NOISE) and "=" not in line]
    detail = useful[0] if useful else lines[0] if lines else "unknown error"
    return "cannot parse CSV: " + detail.removeprefix("Invalid Input Error: ")


def _csv_error(f: InputFile, exc: duckdb.Error) -> InputValidationError:
    text = str(exc)
    line_match = _CSV_LINE.search(text)
    line = int(line_match.group(1)) if line_match else None
    row = line - 1 if line is not None and line > 1 else None
    return InputValidationError(
        _csv_reason(text), file=f.name, table=f.table, row=row, line=line if row else None
    )


def _scan(f: InputFile, count_breaks: bool) -> tuple[bytes, int]:
    """The last byte of the (decompressed) file and, when asked, how many line breaks it holds."""
    gz = f.name.endswith(".gz")
    last, breaks = b"", 0
    try:
        with f.path.open("rb") as raw:
            if not gz and not count_breaks:
                size = raw.seek(0, os.SEEK_END)
                raw.seek(max(size - 1, 0))
                return raw.read(1), 0
            inflate = zlib.decompressobj(zlib.MAX_WBITS | 16) if gz else None
            while chunk := raw.read(_HASH_CHUNK):
                if inflate is not None:
                    chunk = inflate.decompress(chunk)
                if chunk:
                    last = chunk[-1:]
                    breaks += chunk.count(b"\n") if count_breaks else 0
            if inflate is not None and not inflate.eof:
                raise InputValidationError(
                    "the gzip stream ends early: the file was cut off in transfer", file=f.name, table=f.table
                )
    except (OSError, zlib.error) as exc:
        raise InputValidationError(f"cannot read the file: {exc}", file=f.name, table=f.table) from exc
    return last, breaks


def check_complete_last_line(f: InputFile) -> None:
    """A CSV file whose last line has no line break may have been cut mid-row, even when the cut left as many
    fields as the header (a number cut short): refuse it rather than guess."""
    last, _ = _scan(f, count_breaks=False)
    if last in (b"\n", b""):
        return
    line = _scan(f, count_breaks=True)[1] + 1
    raise InputValidationError(
        "the file does not end with a line break, so its last line may have been cut off in transfer; if the "
        "file is complete, end it with a line break",
        file=f.name,
        table=f.table,
        row=line - 1 if line > 1 else None,
        line=line if line > 1 else None,
    )


def _stage_csv(
    con: duckdb.DuckDBPyConnection, f: InputFile, view: str, wanted: tuple[str, ...], max_line_bytes: int
) -> StagedFile:
    header = read_csv_header(f)
    if not header:
        raise InputValidationError("empty file", file=f.name, table=f.table)
    check_complete_last_line(f)
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
            "escape = '\"', strict_mode = true, null_padding = false, "
            f"max_line_size = {int(max_line_bytes)})"
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
    con: duckdb.DuckDBPyConnection,
    f: InputFile,
    view: str,
    wanted: tuple[str, ...],
    max_line_bytes: int = 2_000_000,
) -> StagedFile:
    """Expose ``f`` as view ``view``: ``_row`` and the ``wanted`` columns the file has (extras dropped)."""
    if f.path.stat().st_size == 0:
        raise InputValidationError("empty file", file=f.name, table=f.table)
    if f.is_csv:
        staged = _stage_csv(con, f, view, wanted, max_line_bytes)
    else:
        staged = _stage_parquet(con, f, view, wanted)
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
    "check_complete_last_line",
    "check_inside",
    "read_csv_header",
    "sha256_of_file",
    "sql_ident",
    "sql_string",
    "stage_file",
]
