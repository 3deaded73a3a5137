"""Names of the run tags the pipeline sets or reads, Dagster's own partition tags among them, in one place.

Jobs carry ``WAREHOUSE_TAG`` (the instance queues those runs one at a time, indexpipe.instance); ``indexpipe build``
tags its runs ``SOURCE_TAG`` and, with ``--through``, ``PRICES_THROUGH_TAG``; the event schedules launch one-day
partition ranges (``RANGE_START_TAG`` / ``RANGE_END_TAG``) tagged with the event; a daily run is one partition
(``PARTITION_TAG``).
"""

from __future__ import annotations

# Dagster's: the partition of a one-partition run, the bounds of a partition range
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

WAREHOUSE_TAG_KEY = "indexpipe/warehouse"
WAREHOUSE_TAG = {WAREHOUSE_TAG_KEY: "duckdb"}
SOURCE_TAG = {"indexpipe/source": "cli"}
# the last price date a build loads (indexpipe build --through)
PRICES_THROUGH_TAG = "indexpipe/prices_through"
# what an event schedule's run rebuilds for, and the price file a sensor's run loads
EVENT_TAG = "indexpipe/event"
EVENT_TYPE_TAG = "indexpipe/event_type"
EFFECTIVE_DATE_TAG = "indexpipe/effective_date"
PRICE_FILE_TAG = "indexpipe/price_file"


def one_partition(tags: dict[str, str]) -> str | None:
    """The single price partition a run computes (the daily calculation), or None for a range or no partition."""
    if tags.get(RANGE_START_TAG):
        return None
    return tags.get(PARTITION_TAG) or None
