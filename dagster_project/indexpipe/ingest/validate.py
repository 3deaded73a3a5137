"""Validate a whole input directory against the contract before anything is written anywhere.

Every check is DuckDB SQL on an in-memory connection: the default market's prices are ~15 million rows,
so row-wise checks of a file run as one aggregate pass (a count and the first failing row per check),
and the key and reference checks as one hash aggregate / anti-join each.

Checks run in a fixed order and the first failing one raises ``InputValidationError`` naming its first
failing row:

1. per table (contract order), per file: the file exists and is unambiguous, is not empty, parses (CSV),
   and has every required column;
2. per table, per file: types parse (dates strictly ``YYYY-MM-DD``, numbers, integers), required values are
   non-empty, enumerations, country codes, bounds, ``at_most`` pairs and ``date_order`` pairs; then the key
   is unique across all files of the table;
3. per table: every reference (``security_id``, ``company_id``, ``related_security_id``) exists;
4. the semantic checks of ``indexpipe.ingest.semantic`` (plausible values, the XNYS calendar, corporate actions
   and splits that agree with prices and shares).

A file DuckDB cannot read at any point (a corrupt Parquet page) is reported as that file's error, never as a
traceback.

``date_order`` uses the contract's rule, "later >= earlier": a fundamentals row may become available on its
``period_end`` (unusual but not impossible), while an ``available_date`` before ``period_end`` is rejected.

The connection that validated the files is kept in the returned ``ValidatedInput`` with one typed view per
table (``typed_<table>``), so loading reuses the parsed CSVs instead of reading them again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from indexpipe.contract import (
    CORPORATE_ACTIONS,
    PRICES,
    SECURITIES,
    SHARES,
    TABLES,
    Column,
    Reference,
    Table,
)
from indexpipe.duckdb_memory import limit_pipeline_memory
from indexpipe.ingest.files import (
    InputFile,
    InputValidationError,
    StagedFile,
    fingerprint,
    locate_input_files,
    sql_ident,
    sql_string,
    stage_file,
)
from indexpipe.ingest.semantic import DateWindow, check_semantics
from indexpipe.settings import InputLimits, input_limits

SQL_TYPES = {"varchar": "VARCHAR", "date": "DATE", "double": "DOUBLE", "bigint": "BIGINT"}

# Anchored by regexp_full_match. DuckDB's own casts are too lenient for a contract: they accept
# '2024/1/5' as a date, '1_000' as a number, and round '1.5' to the integer 2.
_DATE_RE = r"\d{4}-\d{2}-\d{2}"
_NUMBER_RE = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
_INTEGER_RE = r"[+-]?\d+"
_COUNTRY_RE = r"[A-Z]{2}"

_EXACT_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}
_WIDE_INTEGER_TYPES = {"HUGEINT", "UBIGINT", "UHUGEINT"}
_FLOAT_TYPES = {"FLOAT", "DOUBLE"}
_TIMESTAMP_TYPES = {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"}
_MAX_HEADER_NAMES = 20
_COUNTRY_REASON = "is not an ISO 3166 alpha-2 code (two upper-case letters)"


def _connect() -> duckdb.DuckDBPyConnection:
    """The in-memory validation connection; quiet, so a command's output stays its summary or its one line."""
    con = limit_pipeline_memory(duckdb.connect(), in_memory=True)
    con.execute("SET enable_progress_bar = false")
    return con


def typed_view_name(table: str) -> str:
    """The view (on the validation connection) with the typed, defaulted contract columns of ``table``."""
    return f"typed_{table}"


# ----------------------------------------------------------------------------------------------------
# The validated directory


@dataclass(eq=False)
class ValidatedInput:
    """A directory that passed every check, with what the loader and the asset metadata need.

    Holds an in-memory DuckDB connection (never the warehouse); ``close()`` or a ``with`` block frees it.
    Pickling drops the connection; ``typed_connection()`` then rebuilds the views from the same files.
    """

    input_dir: Path
    files: dict[str, tuple[Path, ...]]
    row_counts: dict[str, int]
    # table -> sha256 of the file bytes (of names + per-file hashes when a table has several files)
    fingerprints: dict[str, str]
    prices_min_date: date
    prices_max_date: date
    sources: dict[str, tuple[InputFile, ...]] = field(repr=False)
    # what the build should tell the user about the delivery: absent optional tables, unmatched list entries
    notes: tuple[str, ...] = ()
    _con: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # table -> its files hashed again after ``_con`` read the rows it loads (validate_price_window), so the load
    # need not wait for that hash; valid only while ``_con`` is the connection that read them
    _rehashes: dict[str, Future[str]] = field(default_factory=dict, repr=False)

    def source_names(self, table: str) -> str:
        """File names of ``table`` relative to the input directory, ';'-separated (for logs and metadata)."""
        return ";".join(f.name for f in self.sources[table])

    @contextmanager
    def typed_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The in-memory connection with a ``typed_<table>`` view per table, used by one caller at a time."""
        with self._lock:
            if self._con is None:
                self._con = _connect()
                try:
                    for table in TABLES:
                        _create_typed_view(self._con, table, _stage_table(self._con, table, self.sources))
                except BaseException:
                    self._close_unlocked()
                    raise
            yield self._con

    def verify_unchanged(self, tables: Sequence[str]) -> None:
        """Raise if a file of ``tables`` changed since validation (views re-read Parquet at load time; rows held in
        the connection were read between the two hashes)."""
        for table in tables:
            rehash = self._rehashes.pop(table, None)
            now = rehash.result() if rehash is not None and self._con is not None else None
            if (now or fingerprint(self.sources[table])) != self.fingerprints[table]:
                raise InputValidationError(
                    f"changed after it was validated ({self.source_names(table)}); validate again",
                    table=table,
                )

    def _close_unlocked(self) -> None:
        # a rebuilt connection reads the files again: their hash after this read no longer covers it
        self._rehashes.clear()
        if self._con is not None:
            self._con.close()
            self._con = None

    def close(self) -> None:
        with self._lock:
            self._close_unlocked()

    def __enter__(self) -> ValidatedInput:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_con"] = None
        state["_rehashes"] = {}
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()


def _fingerprints(sources: dict, names: list[str]) -> dict:
    """The files of ``names`` hashed before they are read: if a file changes while it is validated, the load's
    re-hash no longer matches and refuses, instead of loading bytes nobody checked."""
    try:
        return {name: fingerprint(sources[name]) for name in names}
    except OSError as exc:
        raise InputValidationError(f"cannot read {exc.filename}: {exc.strerror}") from exc


def validate_input_dir(input_dir: Path, limits: InputLimits | None = None) -> ValidatedInput:
    """Check every file of ``input_dir`` against the contract, without touching any warehouse.

    Raises ``InputValidationError`` at the first problem, in the order described in the module docstring.
    ``limits`` are the semantic checks' bounds (default: ``indexpipe.settings.input_limits()``).
    """
    input_dir = Path(input_dir).expanduser().resolve()
    limits = limits or input_limits()
    sources = locate_input_files(input_dir)
    fingerprints = _fingerprints(sources, [t.name for t in TABLES])
    con = _connect()
    try:
        staged = {t.name: _stage_table(con, t, sources, limits) for t in TABLES}
        try:
            for table in TABLES:
                for s in staged[table.name]:
                    _check_rows(con, table, s)
                _create_typed_view(con, table, staged[table.name])
                _check_unique(con, table, staged[table.name])
            for table in TABLES:
                for reference in table.references:
                    _check_reference(con, table, reference, staged[table.name])
            check_semantics(con, staged, limits)
            first, last = con.execute(
                f"SELECT min(date), max(date) FROM {typed_view_name('prices')}"
            ).fetchone()
        except duckdb.Error as exc:
            raise _unreadable(exc, [s.file for files in staged.values() for s in files]) from exc
        row_counts = {name: sum(s.row_count for s in files) for name, files in staged.items()}
        notes = _delivery_notes(con, sources, row_counts)
    except BaseException:
        con.close()
        raise
    return ValidatedInput(
        input_dir=input_dir,
        files={name: tuple(f.path for f in files) for name, files in sources.items()},
        row_counts=row_counts,
        fingerprints=fingerprints,
        prices_min_date=first,
        prices_max_date=last,
        sources=sources,
        notes=notes,
        _con=con,
    )


def check_input_semantics(
    input_dir: Path, window: DateWindow | None = None, limits: InputLimits | None = None
) -> None:
    """Only the semantic checks, on rows dated in ``window`` (a delivery of one new day checks that day alone);
    the files are staged and typed as in ``validate_input_dir`` but their contract rules are not re-checked."""
    input_dir = Path(input_dir).expanduser().resolve()
    limits = limits or input_limits()
    sources = locate_input_files(input_dir)
    with _connect() as con:
        staged = {t.name: _stage_table(con, t, sources, limits) for t in TABLES}
        try:
            for table in TABLES:
                _create_typed_view(con, table, staged[table.name])
            check_semantics(con, staged, limits, window)
        except duckdb.Error as exc:
            raise _unreadable(exc, [s.file for files in staged.values() for s in files]) from exc


# the tables the semantic checks of a price window read (prices, and the actions, lines and shares around them)
_WINDOW_TABLES = (SECURITIES, PRICES, SHARES, CORPORATE_ACTIONS)


def validate_price_window(
    input_dir: Path,
    first: date,
    last: date,
    known_securities: Sequence[str] | None = None,
    limits: InputLimits | None = None,
) -> ValidatedInput:
    """What a delivery of new trading days needs before its prices load: the checks of ``validate_input_dir`` on
    the price rows dated ``first`` to ``last`` only (types, required values, bounds, the key within the window),
    every ``security_id`` of them known (in ``known_securities``, the lines the warehouse already holds, else in
    the input's securities), and the semantic checks on that window (``check_semantics``). The other tables are
    neither checked nor loaded: the full build checked them. A row whose date does not parse belongs to no window
    and is left to the next full validation.

    The result loads with ``load_prices_window`` over the same window; its row counts are the window's."""
    input_dir = Path(input_dir).expanduser().resolve()
    limits = limits or input_limits()
    window = DateWindow(first, last)
    sources = locate_input_files(input_dir)
    fingerprints = _fingerprints(sources, [PRICES.name])
    con = _connect()
    try:
        staged = {t.name: _stage_table(con, t, sources, limits) for t in _WINDOW_TABLES}
        try:
            for table in _WINDOW_TABLES:
                if table is not PRICES:
                    _create_typed_view(con, table, staged[table.name])
            staged[PRICES.name] = [_window_rows(con, s, window) for s in staged[PRICES.name]]
            rehash = _hash_in_background(sources[PRICES.name])
            for s in staged[PRICES.name]:
                _check_rows(con, PRICES, s, window)
            _create_typed_view(con, PRICES, staged[PRICES.name])
            _check_unique(con, PRICES, staged[PRICES.name], window.sql("date"))
            reference = next(r for r in PRICES.references if r.column == "security_id")
            if known_securities is None:
                _check_reference(con, PRICES, reference, staged[PRICES.name], window.sql("t.date"))
            else:
                con.execute(
                    "CREATE TEMP TABLE _known_securities AS SELECT unnest(?::VARCHAR[]) AS security_id",
                    [list(known_securities)],
                )
                _check_reference(
                    con, PRICES, reference, staged[PRICES.name], window.sql("t.date"),
                    target=("_known_securities", "the warehouse's raw.securities"),
                )  # fmt: skip
            check_semantics(con, staged, limits, window)
            rows, first_date, last_date = con.execute(
                f"SELECT count(*), min(date), max(date) FROM {typed_view_name(PRICES.name)} WHERE {window.sql('date')}"
            ).fetchone()
        except duckdb.Error as exc:
            raise _unreadable(exc, [s.file for files in staged.values() for s in files]) from exc
    except BaseException:
        con.close()
        raise
    return ValidatedInput(
        input_dir=input_dir,
        files={name: tuple(f.path for f in files) for name, files in sources.items()},
        row_counts={PRICES.name: int(rows)},
        fingerprints=fingerprints,
        prices_min_date=first_date or first,
        prices_max_date=last_date or last,
        sources=sources,
        _con=con,
        _rehashes={PRICES.name: rehash},
    )


def _hash_in_background(files: tuple[InputFile, ...]) -> Future[str]:
    """The load's re-hash of files whose checked rows the connection now holds, started at once: the second core
    hashes (0.4 s for the demo's 113 MB Parquet file) while the run starts, instead of the price load waiting."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="input-rehash")
    try:
        return pool.submit(fingerprint, files)
    finally:
        pool.shutdown(wait=False)


def _window_rows(con: duckdb.DuckDBPyConnection, staged: StagedFile, window: DateWindow) -> StagedFile:
    """The price rows the window's checks read, once, into a temporary table: the rows whose date parses into
    ``window``, and every row of a line with a split in it (the split check compares the closes before and after
    the ex-date, wherever they are). The checks scanned the whole file each before (the demo's single Parquet file
    holds 12 years, 15.7M rows, for a day of 5,000): 1.8 s of a daily run. Rows keep their ``_row``, so messages
    name the same rows. Needs ``typed_corporate_actions``."""
    exprs = {c.name: e for c in PRICES.columns if (e := _column_expr(c, staged))}
    if "date" not in exprs or "security_id" not in exprs:
        return staged  # the required-column check named it already
    splitting = [
        security
        for (security,) in con.execute(
            "SELECT DISTINCT security_id FROM typed_corporate_actions "
            f"WHERE action_type = 'split' AND ratio IS NOT NULL AND {window.sql('ex_date')}"
        ).fetchall()
    ]
    # the window alone lets DuckDB skip the date column's non-matching rows without reading the others
    where = window.sql(f"({exprs['date'].typed})")
    if splitting:
        where = f"({where}) OR ({exprs['security_id'].typed}) IN (SELECT unnest(?::VARCHAR[]))"
    view = f"{staged.view}_window"
    con.execute(
        f"CREATE TEMP TABLE {view} AS SELECT * FROM {staged.view} WHERE {where}",
        [splitting] if splitting else [],
    )
    return replace(staged, view=view)


def _unreadable(exc: duckdb.Error, files: list[InputFile]) -> InputValidationError:
    """A read error in the middle of a check (a corrupt Parquet page): name the file DuckDB names."""
    text = " ".join(str(exc).split())
    named = [f for f in files if str(f.path) in text]
    first = text.split(" Possible fixes", 1)[0][:300]
    if named:
        f = named[0]
        kind = "Parquet" if not f.is_csv else "CSV"
        return InputValidationError(f"cannot read {kind}: {first}", file=f.name, table=f.table)
    return InputValidationError(f"cannot read the input: {first}")


_ABSENT_EFFECT = {
    "corporate_actions": "no dividends, splits or deals: price and total return are equal",
    "fundamentals": "style and stability use their missing-data rules",
    "estimates": "style growth scores use their missing-data rules",
    "classifications": "industries show as Unclassified; style peer groups fall back to the whole base index",
    "initial_membership": "the first reconstitution ranks without bands",
}


def _delivery_notes(
    con: duckdb.DuckDBPyConnection, sources: dict[str, tuple[InputFile, ...]], row_counts: dict[str, int]
) -> tuple[str, ...]:
    """One line per optional table that is absent or header-only, and one for list entries naming nothing."""
    notes = []
    for table in TABLES:
        if table.optional and row_counts[table.name] == 0:
            state = "header only" if sources[table.name] else "absent"
            notes.append(f"{table.name}: {state} ({_ABSENT_EFFECT[table.name]})")
    unmatched, total = con.execute(
        f"SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM {typed_view_name('securities')} s"
        "   WHERE s.security_id = m.security_id OR s.company_id = m.company_id)), count(*)"
        f" FROM {typed_view_name('initial_membership')} m"
    ).fetchone()
    if unmatched:
        notes.append(
            f"initial_membership: {unmatched:,} of {total:,} rows name no company or security in securities "
            "(left out)"
        )
    return tuple(notes)


# ----------------------------------------------------------------------------------------------------
# Staging and typing


def _stage_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    sources: dict[str, tuple[InputFile, ...]],
    limits: InputLimits | None = None,
) -> list[StagedFile]:
    staged = []
    line_limit = (limits or input_limits()).max_csv_line_bytes
    for i, f in enumerate(sources[table.name]):
        s = stage_file(con, f, f"src_{table.name}_{i}", table.column_names, max_line_bytes=line_limit)
        missing = [c.name for c in table.columns if c.required and c.name not in s.source_types]
        if missing:
            found = ", ".join(s.header[:_MAX_HEADER_NAMES]) + (
                ", ..." if len(s.header) > _MAX_HEADER_NAMES else ""
            )
            raise InputValidationError(
                f"required column is missing (the file has: {found})",
                file=f.name,
                table=table.name,
                column=missing[0],
            )
        for group in table.one_of:
            if not any(name in s.source_types for name in group):
                raise InputValidationError(
                    f"needs at least one of the columns {', '.join(group)}", file=f.name, table=table.name
                )
        staged.append(s)
    return staged


@dataclass(frozen=True)
class _Expr:
    """SQL for one contract column of one staged file."""

    raw: str  # the value as text, for messages
    empty: str  # TRUE when the value is missing
    typed: str  # the contract type; NULL when empty or unparseable
    parse_reason: str | None  # set when a non-empty value can fail to parse


def _parse_text(column: Column, raw: str) -> tuple[str, str | None]:
    if column.type == "date":
        return f"CASE WHEN regexp_full_match({raw}, '{_DATE_RE}') THEN try_cast({raw} AS DATE) END", (
            "is not an ISO date (YYYY-MM-DD)"
        )
    if column.type == "double":
        number = f"try_cast({raw} AS DOUBLE)"
        return (
            f"CASE WHEN regexp_full_match({raw}, '{_NUMBER_RE}') AND isfinite({number}) THEN {number} END",
            ("is not a finite number"),
        )
    if column.type == "bigint":
        return f"CASE WHEN regexp_full_match({raw}, '{_INTEGER_RE}') THEN try_cast({raw} AS BIGINT) END", (
            "is not an integer"
        )
    return raw, None


def _typed_source(column: Column, src: str, source_type: str) -> tuple[str, str | None] | None:
    """Typed SQL for a Parquet column that already has a usable type; None when it must be parsed as text."""
    t = source_type.upper()
    numeric = (
        t in _EXACT_INTEGER_TYPES or t in _WIDE_INTEGER_TYPES or t in _FLOAT_TYPES or t.startswith("DECIMAL")
    )
    if column.type == "date" and t == "DATE":
        return src, None
    if column.type == "date" and t in _TIMESTAMP_TYPES:
        return (
            f"CASE WHEN CAST({src} AS DATE) = {src} THEN CAST({src} AS DATE) END",
            "has a time of day, not a date",
        )
    if column.type == "double" and t in _FLOAT_TYPES:
        # NaN and infinity are valid DOUBLEs but never valid prices or share counts.
        return f"CASE WHEN isfinite({src}) THEN CAST({src} AS DOUBLE) END", "is not a finite number"
    if column.type == "double" and numeric:
        return f"CAST({src} AS DOUBLE)", None
    if column.type == "bigint" and t in _EXACT_INTEGER_TYPES:
        return f"CAST({src} AS BIGINT)", None
    if column.type == "bigint" and numeric:
        return f"CASE WHEN {src} = trunc({src}) THEN try_cast({src} AS BIGINT) END", "is not an integer"
    return None


def _column_expr(column: Column, staged: StagedFile) -> _Expr | None:
    if column.name not in staged.source_types:
        return None
    src = sql_ident(column.name)
    source_type = staged.source_types[column.name].upper()
    if source_type == "VARCHAR":
        # An empty Parquet string is as missing as an empty CSV field.
        raw = f"nullif({src}, '')"
        typed, reason = _parse_text(column, raw)
        return _Expr(raw, f"({raw}) IS NULL", typed, reason)
    raw = f"CAST({src} AS VARCHAR)"
    if column.type == "varchar":
        return _Expr(raw, f"{src} IS NULL", raw, None)
    typed_source = _typed_source(column, src, source_type)
    typed, reason = typed_source if typed_source else _parse_text(column, raw)
    return _Expr(raw, f"{src} IS NULL", typed, reason)


def _create_typed_view(con: duckdb.DuckDBPyConnection, table: Table, staged: list[StagedFile]) -> None:
    """``typed_<table>``: the contract columns, typed, defaults filled, plus ``_file`` (index), ``_row``."""
    selects = []
    if not staged:
        # an absent optional table: its typed columns and no rows
        nulls = ", ".join(f"CAST(NULL AS {SQL_TYPES[c.type]}) AS {sql_ident(c.name)}" for c in table.columns)
        selects.append(f"SELECT {nulls}, 0 AS _file, 0 AS _row WHERE false")
    for i, s in enumerate(staged):
        columns = []
        for column in table.columns:
            expr = _column_expr(column, s)
            value = expr.typed if expr else "NULL"
            if column.default is not None:
                value = f"coalesce({value}, {column.default})"
            columns.append(f"CAST({value} AS {SQL_TYPES[column.type]}) AS {sql_ident(column.name)}")
        selects.append(f"SELECT {', '.join(columns)}, {i} AS _file, _row FROM {s.view}")
    con.execute(f"CREATE OR REPLACE VIEW {typed_view_name(table.name)} AS {' UNION ALL '.join(selects)}")


# ----------------------------------------------------------------------------------------------------
# Row checks: one aggregate pass per file


@dataclass(frozen=True)
class _RowCheck:
    column: str
    fails: str  # SQL over the checked relation; TRUE when the row breaks the rule
    # SQL fetched from the failing row: the reported value, then the other column of a pair rule
    shown: tuple[str, ...]
    reason: str  # "{value}" and "{other}" are replaced by the quoted values of ``shown``

    def message(self, shown: tuple[Any, ...]) -> str:
        quoted = [_quoted(v) for v in shown] + ["", ""]
        return self.reason.format(value=quoted[0], other=quoted[1])


def _t(name: str) -> str:
    return sql_ident(f"t:{name}")


def _r(name: str) -> str:
    return sql_ident(f"r:{name}")


def _e(name: str) -> str:
    return sql_ident(f"e:{name}")


def _quoted(value: object) -> str:
    return f"'{value}'"


def _number(value: float) -> str:
    return f"{value:g}"


def _row_checks(table: Table, exprs: dict[str, _Expr]) -> list[_RowCheck]:
    """Every row-wise rule of ``table`` for the columns present, in the documented order."""
    present = [c for c in table.columns if c.name in exprs]
    checks: list[_RowCheck] = []

    def add(column: str, fails: str, reason: str, other: str | None = None) -> None:
        shown = (_r(column),) if other is None else (_r(column), _r(other))
        checks.append(_RowCheck(column, fails, shown, reason))

    for c in present:
        if reason := exprs[c.name].parse_reason:
            add(c.name, f"NOT {_e(c.name)} AND {_t(c.name)} IS NULL", "value {value} " + reason)
    for c in present:
        if not c.nullable:
            checks.append(_RowCheck(c.name, _e(c.name), (), "value is empty but the column is required"))
    for c in present:
        if c.enum:
            allowed = ", ".join(sql_string(v) for v in c.enum)
            add(
                c.name,
                f"{_t(c.name)} NOT IN ({allowed})",
                "value {value} is not one of: " + ", ".join(c.enum),
            )
    for c in present:
        if c.country_code:
            add(
                c.name,
                f"NOT regexp_full_match({_t(c.name)}, '{_COUNTRY_RE}')",
                "value {value} " + _COUNTRY_REASON,
            )
    for c in present:
        if c.positive:
            add(c.name, f"{_t(c.name)} <= 0", "value {value} must be > 0")
        if c.min_value is not None:
            add(c.name, f"{_t(c.name)} < {c.min_value!r}", "value {value} must be >= " + _number(c.min_value))
    for small, large in table.at_most:
        if small in exprs and large in exprs:
            add(small, f"{_t(small)} > {_t(large)}", f"value {{value}} must be <= {large} ({{other}})", large)
    for group in table.one_of:
        if all(name not in exprs for name in group):
            continue  # no column of the group in the file: the required-columns check names it
        empty = " AND ".join(_e(name) if name in exprs else "TRUE" for name in group)
        reason = f"every row needs one of {', '.join(group)}; this row has none"
        checks.append(_RowCheck(group[0], empty, (), reason))
    for earlier, later in table.date_order:
        if earlier in exprs and later in exprs:
            reason = f"value {{value}} must be on or after {earlier} ({{other}})"
            add(later, f"{_t(later)} < {_t(earlier)}", reason, earlier)
    return checks


def _checked_relation(staged: StagedFile, exprs: dict[str, _Expr], window: DateWindow | None = None) -> str:
    columns = ", ".join(
        f"{e.typed} AS {_t(name)}, {e.raw} AS {_r(name)}, {e.empty} AS {_e(name)}"
        for name, e in exprs.items()
    )
    where = ""
    if window is not None:
        # the rows whose date parses into the window (prices: the contract's `date` column)
        where = " WHERE " + window.sql(f"({exprs['date'].typed})")
    return f"(SELECT _row, {columns} FROM {staged.view}{where})"


def _check_rows(
    con: duckdb.DuckDBPyConnection, table: Table, staged: StagedFile, window: DateWindow | None = None
) -> None:
    exprs = {c.name: e for c in table.columns if (e := _column_expr(c, staged))}
    checks = _row_checks(table, exprs)
    if not checks:
        return
    relation = _checked_relation(staged, exprs, window)
    aggregates = ", ".join(
        f"count(*) FILTER (WHERE {c.fails}), min(_row) FILTER (WHERE {c.fails})" for c in checks
    )
    result = con.execute(f"SELECT {aggregates} FROM {relation}").fetchone()
    for i, check in enumerate(checks):
        failing, row = result[2 * i], result[2 * i + 1]
        if failing:
            shown = (
                con.execute(
                    f"SELECT {', '.join(check.shown)} FROM {relation} WHERE _row = ?", [row]
                ).fetchone()
                if check.shown
                else ()
            )
            raise _row_error(
                staged.file, row, check.column, shown[0] if shown else None, check.message(shown), failing
            )


def _row_error(
    f: InputFile, row: int, column: str, value: object, reason: str, failing: int | None
) -> InputValidationError:
    return InputValidationError(
        reason,
        file=f.name,
        table=f.table,
        row=row,
        line=row + 1 if f.is_csv else None,
        column=column,
        value=None if value is None else str(value),
        failing_rows=failing,
    )


def _location(f: InputFile, row: int) -> str:
    return f"row {row} (line {row + 1})" if f.is_csv else f"row {row}"


# ----------------------------------------------------------------------------------------------------
# Checks across all files of a table and between tables


def _check_unique(
    con: duckdb.DuckDBPyConnection, table: Table, staged: list[StagedFile], where: str = "TRUE"
) -> None:
    view = f"(SELECT * FROM {typed_view_name(table.name)} WHERE {where})"
    key = ", ".join(sql_ident(k) for k in table.key)
    # Grouping 15M prices by one 64-bit hash is ~2x faster than by (varchar, date); a hash collision only
    # costs the exact query below, which decides.
    hashed = f"SELECT hash({key}) AS h, count(*) AS n FROM {view} GROUP BY h HAVING count(*) > 1"
    if not con.execute(f"SELECT count(*) FROM ({hashed})").fetchone()[0]:
        return
    dups = f"SELECT {key}, count(*) AS n FROM {view} GROUP BY {key} HAVING count(*) > 1"
    failing = con.execute(f"SELECT coalesce(sum(n - 1), 0) FROM ({dups})").fetchone()[0]
    if not failing:
        return
    on = " AND ".join(f"t.{sql_ident(k)} = d.{sql_ident(k)}" for k in table.key)
    match = " AND ".join(f"s.{sql_ident(k)} = f.{sql_ident(k)}" for k in table.key)
    values = ", ".join(f"CAST(s.{sql_ident(k)} AS VARCHAR)" for k in table.key)
    # The reported row is the earliest second occurrence: the first row at which the key is already taken.
    second, second_row, first, first_row, *key_values = con.execute(
        f"WITH d AS ({dups}), occ AS ("
        f"  SELECT t.*, row_number() OVER (PARTITION BY {', '.join(f't.{sql_ident(k)}' for k in table.key)}"
        f"  ORDER BY t._file, t._row) AS rn FROM {view} t SEMI JOIN d ON {on})"
        f" SELECT s._file, s._row, f._file, f._row, {values} FROM occ s JOIN occ f ON {match}"
        f" WHERE s.rn = 2 AND f.rn = 1 ORDER BY s._file, s._row LIMIT 1"
    ).fetchone()
    first_file = staged[first].file
    where = _location(first_file, first_row)
    if first != second:
        where = f"{first_file.name} {where}"
    shown = ", ".join(_quoted(v) for v in key_values)
    raise _row_error(
        staged[second].file,
        second_row,
        ", ".join(table.key),
        ", ".join(key_values),
        f"duplicate key ({', '.join(table.key)}) = ({shown}), first seen at {where}",
        int(failing),
    )


def _check_reference(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    reference: Reference,
    staged: list[StagedFile],
    where: str = "TRUE",
    target: tuple[str, str] | None = None,
) -> None:
    """``target``: (relation, name for the message) in place of the referenced table's typed view."""
    column = sql_ident(reference.column)
    relation, named = target or (
        typed_view_name(reference.table),
        f"{reference.table}.{reference.target_column}",
    )
    orphan = con.execute(
        f"SELECT count(*) OVER (), t._file, t._row, CAST(t.{column} AS VARCHAR)"
        f" FROM {typed_view_name(table.name)} t"
        f" WHERE {where} AND t.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {relation} r"
        f" WHERE r.{sql_ident(reference.target_column)} = t.{column}) ORDER BY t._file, t._row LIMIT 1"
    ).fetchone()
    if orphan is None:
        return
    failing, file_index, row, value = orphan
    raise _row_error(
        staged[file_index].file,
        row,
        reference.column,
        value,
        f"value {_quoted(value)} has no match in {named}",
        failing,
    )


__all__ = [
    "SQL_TYPES",
    "InputValidationError",
    "ValidatedInput",
    "check_input_semantics",
    "typed_view_name",
    "validate_input_dir",
    "validate_price_window",
]
