"""Ingestion assets: each input table lands in schema ``raw`` of the warehouse, validated first.

Every asset validates the whole input directory before writing anything (a bad file leaves the warehouse as
it was). Reference tables are replaced together in one transaction; daily prices are partitioned by weekday,
so one new trading day is a one-partition run that rewrites only that day.
"""

from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from indexpipe.contract import TABLES_BY_NAME
from indexpipe.ingest.files import locate_input_files
from indexpipe.ingest.load import REFERENCE_TABLES, LoadResult, load_prices_window, load_reference_tables
from indexpipe.ingest.validate import ValidatedInput, validate_input_dir
from indexpipe.resources import WarehouseResource

# Weekday windows keyed by date; XNYS holidays simply load no rows. The definition reaches ~2 years past today
# because synthetic markets (and the default one) may run beyond the current date.
PRICE_PARTITIONS = dg.TimeWindowPartitionsDefinition(
    start="1990-01-01", cron_schedule="0 0 * * 1-5", fmt="%Y-%m-%d", end_offset=520
)
INGESTION_GROUP = "ingestion"
# a run without a partition loads every price up to this date (indexpipe build --through), else all of them
PRICES_THROUGH_TAG = "indexpipe/prices_through"

_cache: dict[str, tuple[tuple, ValidatedInput]] = {}


def _directory_state(input_dir: Path) -> tuple:
    files = sorted(f.path for files in locate_input_files(input_dir).values() for f in files)
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


def validated_input(input_dir: Path) -> ValidatedInput:
    """Validate the whole directory once per process and state of its files (the build's fail-fast check and both
    ingestion assets share it)."""
    input_dir = Path(input_dir).expanduser().resolve()
    state = _directory_state(input_dir)
    cached = _cache.get(str(input_dir))
    if cached and cached[0] == state:
        return cached[1]
    if cached:
        cached[1].close()
    validated = validate_input_dir(input_dir)
    _cache[str(input_dir)] = (state, validated)
    return validated


def _metadata(validated: ValidatedInput, table: str, result: LoadResult) -> dict[str, dg.MetadataValue]:
    seconds = result.table_seconds.get(table, result.seconds)
    rows = result.row_counts[table]
    return {
        "source_file": dg.MetadataValue.text(validated.source_names(table)),
        "rows": dg.MetadataValue.int(rows),
        "seconds": dg.MetadataValue.float(round(seconds, 3)),
        "rows_per_second": dg.MetadataValue.float(round(rows / seconds, 1) if seconds > 0 else 0.0),
        "content_sha256": dg.MetadataValue.text(validated.fingerprints[table]),
    }


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", table],
            group_name=INGESTION_GROUP,
            kinds={"duckdb"},
            description=f"Input file `{table}` (CONTRACT.md §1) validated and typed into raw.{table}.",
            metadata={"columns": ", ".join(TABLES_BY_NAME[table].column_names)},
        )
        for table in REFERENCE_TABLES
    ],
    can_subset=False,
)
def raw_reference_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Every non-price table, replaced together so the reference data never mixes two deliveries."""
    validated = validated_input(warehouse.input_path)
    result = load_reference_tables(validated, warehouse.db_path)
    for table in REFERENCE_TABLES:
        context.log.info(
            f"raw.{table}: {result.row_counts[table]:,} rows from {validated.source_names(table)}"
        )
        yield dg.MaterializeResult(asset_key=["raw", table], metadata=_metadata(validated, table, result))


@dg.asset(
    key=["raw", "prices"],
    group_name=INGESTION_GROUP,
    kinds={"duckdb"},
    partitions_def=PRICE_PARTITIONS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Daily closes and volumes (CONTRACT.md §1) in raw.prices; each run rewrites only its dates (a run "
    "without a partition: every date of the input).",
)
def raw_prices(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    validated = validated_input(warehouse.input_path)
    if context.has_partition_key or context.has_partition_key_range:
        window = context.partition_time_window
        start, end = window.start.date(), (window.end - timedelta(days=1)).date()
        result = load_prices_window(validated, warehouse.db_path, start, end)
    else:
        # a build (indexpipe build, or a run launched from the UI without a partition): the input's whole price
        # range, or up to the run's --through date
        through = context.run.tags.get(PRICES_THROUGH_TAG)
        start, end = validated.prices_min_date, validated.prices_max_date
        if through:
            end = min(end, date.fromisoformat(through))
            result = load_prices_window(validated, warehouse.db_path, None, end)
        else:
            result = load_prices_window(validated, warehouse.db_path)
    context.log.info(f"raw.prices {start}..{end}: {result.row_counts['prices']:,} rows")
    metadata = _metadata(validated, "prices", result)
    metadata["window"] = dg.MetadataValue.text(f"{start}..{end}")
    return dg.MaterializeResult(metadata=metadata)
