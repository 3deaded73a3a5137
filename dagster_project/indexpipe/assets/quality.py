"""Great Expectations suites as blocking Dagster asset checks, and the publication they guard.

Every check frame (indexpipe.quality.frames: a dbt view of schema checks, or a raw table's SQL file in
expectations/frames/) becomes one asset check on its asset, `blocking=True`: a failed
invariant fails the run, so nothing downstream (the dbt models after a raw table, the published snapshot after
a mart) materializes. The check's metadata and description say which expectation failed, on how many rows, with
example rows.
"""

import json
import os
import uuid

import dagster as dg

from indexpipe.assets.dbt_translator import model_key
from indexpipe.dbt_manifest import mart_models
from indexpipe.ingest.files import sql_string
from indexpipe.quality.frames import CheckFrame, discover_frames
from indexpipe.quality.runner import check_frame
from indexpipe.resources import WarehouseResource
from indexpipe.warehouse.published import previous_manifest, published_link, snapshots_dir, swap_published
from indexpipe.warehouse.state import MARTS_SCHEMA, table_fingerprint

MARTS = mart_models()


def _check_for(frame: CheckFrame) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(frame.asset_key)),
        name=frame.name,
        blocking=True,
        description=f"Great Expectations suite `{frame.name}` over {frame.source}: {frame.description}",
        # a mart's frame is a dbt view built after the mart: the check reads it once the dbt step made it
        additional_deps=[frame.model_key] if frame.model_key is not None else None,
    )
    def _ge_check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        with warehouse.reading() as con:
            outcome = check_frame(frame, con)
        for failure in outcome.failures:
            context.log.error(f"{frame.name}: {failure.line()}")
        metadata: dict[str, dg.MetadataValue] = {
            "rows_checked": dg.MetadataValue.int(outcome.rows),
            "expectations": dg.MetadataValue.int(outcome.expectations),
            "failed_expectations": dg.MetadataValue.int(len(outcome.failures)),
        }
        for n, failure in enumerate(outcome.failures, start=1):
            metadata[f"failure_{n}"] = dg.MetadataValue.text(failure.line())
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=outcome.summary(),
            metadata=metadata,
        )

    return _ge_check


GE_CHECKS = [_check_for(frame) for frame in discover_frames()]


@dg.asset(
    key=["publication", "published_marts"],
    group_name="publication",
    kinds={"parquet"},
    deps=[model_key(m) for m in MARTS],
    description="Parquet snapshot of every mart (data/published -> data/snapshots/<id>), swapped in atomically only "
    "after every blocking check passed, so readers never see a half-built or invalid warehouse and never hold "
    "the DuckDB file's lock.",
)
def published_marts(warehouse: WarehouseResource) -> dg.MaterializeResult:
    link = published_link(warehouse.live_path)
    snapshot = snapshots_dir(warehouse.live_path) / uuid.uuid4().hex
    snapshot.mkdir(parents=True)
    previous = previous_manifest(link)
    rows, fingerprints, reused = {}, {}, []
    with warehouse.reading() as con:
        for mart in MARTS:
            target = snapshot / (mart + ".parquet")
            rows[mart], fingerprint = table_fingerprint(con, MARTS_SCHEMA, mart)
            fingerprints[mart] = fingerprint
            old = link / (mart + ".parquet")
            if previous.get("fingerprints", {}).get(mart) == fingerprint and old.exists():
                # unchanged since the last snapshot (a one-day run touches a few marts): link, don't rewrite
                os.link(old.resolve(), target)
                reused.append(mart)
                continue
            # rows in a fixed order, so the same warehouse always gives the same bytes (an incremental day and
            # a full rebuild publish identical files)
            con.execute(
                f"copy (select * from main.{mart} order by all) to {sql_string(str(target))} (format parquet)"
            )
    (snapshot / "manifest.json").write_text(
        json.dumps({"tables": rows, "fingerprints": fingerprints}, indent=2, sort_keys=True)
    )
    # inside a run the link moves when the run's warehouse copy is swapped in, so the snapshot never runs ahead
    marts = {f"{MARTS_SCHEMA}.{m}": f"{rows[m]}:{fingerprints[m]}" for m in MARTS}
    if not warehouse.stage_publication(snapshot, marts):
        swap_published(snapshot, link)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(link)),
            "snapshot": dg.MetadataValue.text(snapshot.name),
            "reused_unchanged": dg.MetadataValue.text(", ".join(reused) or "none"),
            **{m: dg.MetadataValue.int(n) for m, n in rows.items()},
        }
    )
