"""Ingestion: find the input files, validate the whole directory, then load it into schema ``raw``.

Pure Python + DuckDB, no Dagster: the assets call these functions.

    validated = validate_input_dir(input_dir)  # InputValidationError; never opens the warehouse
    load_reference_tables(validated, duckdb_path)  # every non-price table, one transaction
    load_prices_window(validated, duckdb_path, start, end)  # delete+insert of one date window
"""

from indexpipe.ingest.files import InputFile, InputValidationError, locate_input_files, locate_table_files
from indexpipe.ingest.load import (
    LOAD_LOG_TABLE,
    RAW_SCHEMA,
    REFERENCE_TABLES,
    LoadResult,
    ingest_input_dir,
    load_all_tables,
    load_prices_window,
    load_reference_tables,
)
from indexpipe.ingest.validate import ValidatedInput, validate_input_dir

__all__ = [
    "LOAD_LOG_TABLE",
    "RAW_SCHEMA",
    "REFERENCE_TABLES",
    "InputFile",
    "InputValidationError",
    "LoadResult",
    "ValidatedInput",
    "ingest_input_dir",
    "load_all_tables",
    "load_prices_window",
    "load_reference_tables",
    "locate_input_files",
    "locate_table_files",
    "validate_input_dir",
]
