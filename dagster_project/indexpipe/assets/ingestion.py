"""Ingestion assets: each input table lands in schema ``raw`` of the warehouse, validated first.

Every asset validates its input before writing anything (a bad file leaves the warehouse as it was): the whole
input directory, or for a run of one price partition (the daily calculation) that day's prices against the lines
the warehouse holds (``validate_price_window``). Reference tables are replaced together in one transaction; daily
prices are partitioned by weekday, so one new trading day is a one-partition run that rewrites only that day.
"""

from datetime import date, timedelta

import dagster as dg

from indexpipe.contract import TABLES_BY_NAME
from indexpipe.ingest.load import REFERENCE_TABLES, LoadResult, load_prices_window, load_reference_tables
from indexpipe.ingest.validate import ValidatedInput
from indexpipe.ingest.validated_input import validated_input, validated_window
from indexpipe.resources import WarehouseResource
from indexpipe.tags import PRICES_THROUGH_TAG, one_partition

# Weekday windows keyed by date; XNYS holidays simply load no rows. The definition reaches ~2 years past today
# because synthetic markets (and the default one) may run beyond the current date.
PRICE_PARTITIONS = dg.TimeWindowPartitionsDefinition(
    start="1990-01-01", cron_schedule="0 0 * * 1-5", fmt="%Y-%m-%d", end_offset=520
)
INGESTION_GROUP = "ingestion"


def is_one_partition_run(run: dg.DagsterRun) -> bool:
    """A run of a single price partition (the daily calculation), not a range or an unpartitioned run."""
    return one_partition(run.tags) is not None


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
            description=f"Input file `{table}` (docs/contract.md §1) validated and typed into raw.{table}.",
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
    description="Daily closes and volumes (docs/contract.md §1) in raw.prices; each run rewrites only its dates (a run "
    "without a partition: every date of the input; a run of one partition validates only that day's prices).",
)
def raw_prices(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    if context.has_partition_key or context.has_partition_key_range:
        window = context.partition_time_window
        start, end = window.start.date(), (window.end - timedelta(days=1)).date()
        if is_one_partition_run(context.run):
            validated = validated_window(warehouse.input_path, start, end, warehouse.db_path)
        else:
            validated = validated_input(warehouse.input_path)
        result = load_prices_window(validated, warehouse.db_path, start, end)
    else:
        # a build (indexpipe build, or a run launched from the UI without a partition): the input's whole price
        # range, or up to the run's --through date
        validated = validated_input(warehouse.input_path)
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
