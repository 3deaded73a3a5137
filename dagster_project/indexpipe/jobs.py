"""The jobs of the code location: the full build, the daily index calculation and the rebuild for an event.

``build_all``: every asset and check. Launched without a partition (``indexpipe build``, the UI's launchpad) it
loads the input's whole price range.
``daily_index_calculation``: one price partition (a weekday) through the daily index path: raw.prices, the
security and industry returns, the index levels and returns marts, the published snapshot, and every check on
them. Its runs carry ``dagster/partition``, so the incremental dbt models compute that day only.
``reconstitution_and_review``: the whole graph (as ``build_all``). The event schedules (indexpipe.schedules)
launch it for a one-day partition range (the effective date): the reference tables (shares, classifications) and
that day's prices are reloaded, and every dbt model is rebuilt with ``--full-refresh`` (a range is not "one day").

One writer at a time: every run takes the warehouse's run lock through its ``warehouse`` resource (a second one
waits, then fails naming the holder), and writes a copy of the warehouse that replaces it only when the run
succeeds (docs/reliability.md). Every run of these jobs also carries the tag ``indexpipe/warehouse=duckdb``; a
``tag_concurrency_limits`` entry on it (limit 1) in the project instance's dagster.yaml (indexpipe.instance) queues
runs instead of letting them wait on the lock. Schedules: indexpipe.schedules; the sensor: indexpipe.sensors.
"""

from __future__ import annotations

import dagster as dg

from indexpipe.assets.ingestion import raw_prices
from indexpipe.assets.quality import published_marts
from indexpipe.assets.transform import indexpipe_dbt_models
from indexpipe.dagster_dbt_import import get_asset_key_for_model
from indexpipe.quality.frames import discover_frames
from indexpipe.tags import WAREHOUSE_TAG

BUILD_JOB = dg.define_asset_job(
    "build_all",
    selection=dg.AssetSelection.all(),
    description="Ingest the input directory and build every model and check. Launched without a partition (the "
    "UI's launchpad), it loads the input's whole price range.",
    tags=WAREHOUSE_TAG,
)

# dbt models of the daily index path, in dependency order. The staging view of prices is in the selection so the
# run orders the dbt step after the day's prices load (an unselected view would hide that dependency).
DAILY_INDEX_MODELS = (
    "stg_prices",
    "int_security_daily_returns",
    "int_index_daily_industry_returns",
    "fct_index_levels",
    "fct_index_period_returns",
    "fct_style_box_returns",
    "fct_industry_contribution",
)
DAILY_INDEX_MODEL_KEYS = tuple(get_asset_key_for_model([indexpipe_dbt_models], m) for m in DAILY_INDEX_MODELS)

# the views the Great Expectations checks of those marts read (models/checks): made by the day's dbt step too, so
# its checks read what this run built, also on a warehouse built before a view existed
DAILY_CHECK_VIEW_KEYS = tuple(
    frame.model_key
    for frame in discover_frames()
    if frame.model_key is not None and dg.AssetKey(list(frame.asset_key)) in DAILY_INDEX_MODEL_KEYS
)

_DAILY_ASSET_KEYS = (raw_prices.key, *DAILY_INDEX_MODEL_KEYS, *DAILY_CHECK_VIEW_KEYS, published_marts.key)

# the staging view's dbt tests re-read all 15.7M prices: the build runs them, a one-day run does not need to
_DAILY_CHECKED_KEYS = tuple(k for k in _DAILY_ASSET_KEYS if k != DAILY_INDEX_MODEL_KEYS[0])

DAILY_JOB = dg.define_asset_job(
    "daily_index_calculation",
    selection=dg.AssetSelection.assets(*_DAILY_ASSET_KEYS)
    | dg.AssetSelection.checks_for_assets(*_DAILY_CHECKED_KEYS),
    description="One trading day (a price partition): load its prices, then the security and industry returns, "
    "index levels, period, style-box and industry-contribution returns, every check on them, and the published "
    "snapshot.",
    tags=WAREHOUSE_TAG,
)

RECON_JOB = dg.define_asset_job(
    "reconstitution_and_review",
    selection=dg.AssetSelection.all(),
    description="Every asset and check (as build_all), for a review's or reconstitution's effective date: reloads "
    "the reference tables and the date's prices and rebuilds every model, so the new composition takes effect "
    "from the next session.",
    tags=WAREHOUSE_TAG,
)

JOBS = [BUILD_JOB, DAILY_JOB, RECON_JOB]


def models_with_their_inputs(defs: dg.Definitions, models: tuple[str, ...]) -> list[dg.AssetKey]:
    """The assets a run needs to build the dbt ``models`` (by name) and check them: the models, everything upstream
    of them, and whatever a check of those assets also reads (the view of a Great Expectations suite, the other
    side of a dbt relationships test) with its own inputs. A run of this selection runs every check on the assets
    it builds (dbt tests and the blocking suites); nothing downstream."""
    graph = defs.resolve_asset_graph()
    checks = [spec for assets in graph.assets_defs for spec in assets.check_specs]
    targets = {get_asset_key_for_model([indexpipe_dbt_models], name) for name in models}
    while True:
        selected = set(dg.AssetSelection.assets(*targets).upstream().resolve(graph))
        # a multi-asset that cannot subset (the reference tables' load) runs whole
        whole = {key for a in graph.assets_defs if not a.can_subset and a.keys & selected for key in a.keys}
        read = {
            dep.asset_key
            for spec in checks
            if spec.asset_key in selected | whole
            for dep in spec.additional_deps
        }
        if whole | read <= selected:
            return sorted(selected, key=lambda key: key.to_user_string())
        targets |= whole | read
