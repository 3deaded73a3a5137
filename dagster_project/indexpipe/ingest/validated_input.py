"""The validated input of a process, cached per directory and state of its files.

``indexpipe build`` validates the input directory before its run starts (fail fast) and both ingestion assets read
the same result; ``indexpipe day`` validates its day's prices before the run and the run's price asset reuses them.
A change to any input file (path, size or mtime) validates again.
"""

from __future__ import annotations

import atexit
from datetime import date
from pathlib import Path

import duckdb

from indexpipe.ingest.files import locate_input_files
from indexpipe.ingest.validate import ValidatedInput, validate_input_dir, validate_price_window

_cache: dict[tuple[str, date | None, date | None], tuple[tuple, ValidatedInput]] = {}


@atexit.register
def _close_cached() -> None:
    # a cached input holds a DuckDB connection; left to interpreter shutdown (a command ending early, say on a busy
    # warehouse), DuckDB's bindings print dozens of "leaked instance" lines after the command's one-line error
    for _, validated in _cache.values():
        validated.close()
    _cache.clear()


def _directory_state(input_dir: Path) -> tuple:
    files = sorted(f.path for files in locate_input_files(input_dir).values() for f in files)
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


def validated_input(input_dir: Path) -> ValidatedInput:
    """Validate the whole directory once per process and state of its files (the build's fail-fast check and both
    ingestion assets share it)."""
    return _validated(input_dir, None, None, None)


def validated_window(input_dir: Path, first: date, last: date, warehouse: Path) -> ValidatedInput:
    """The prices dated ``first`` to ``last`` validated against the lines ``warehouse`` holds, once per process and
    state of the files (``indexpipe day`` checks before the run starts; the run's price asset reuses it)."""
    return _validated(input_dir, first, last, warehouse)


def _validated(
    input_dir: Path, first: date | None, last: date | None, warehouse: Path | None
) -> ValidatedInput:
    input_dir = Path(input_dir).expanduser().resolve()
    state = _directory_state(input_dir)
    key = (str(input_dir), first, last)
    cached = _cache.get(key)
    if cached and cached[0] == state:
        return cached[1]
    if cached:
        cached[1].close()
    if first is None or last is None or warehouse is None:
        validated = validate_input_dir(input_dir)
    else:
        validated = validate_price_window(input_dir, first, last, _known_securities(warehouse))
    _cache[key] = (state, validated)
    return validated


def _known_securities(warehouse: Path) -> list[str] | None:
    """The warehouse's lines (None when it has none yet: the input's securities decide)."""
    if not Path(warehouse).exists():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        known = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'securities'"
        ).fetchone()[0]
        if not known:
            return None
        return [security for (security,) in con.execute("select security_id from raw.securities").fetchall()]
