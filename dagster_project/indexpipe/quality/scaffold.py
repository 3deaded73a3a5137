"""Give every check frame its Great Expectations plumbing: a dataframe asset, a batch definition, a suite (empty
when new; an existing suite is never touched) and a validation definition. Run after adding a frame:

    python -m indexpipe.quality.scaffold
"""

from __future__ import annotations

from indexpipe.quality.frames import discover_frames
from indexpipe.quality.runner import gx_context

DATASOURCE = "warehouse"
BATCH = "frame"


def scaffold() -> list[str]:
    import great_expectations as gx

    context = gx_context()
    try:
        source = context.data_sources.get(DATASOURCE)
    except (KeyError, ValueError):
        source = context.data_sources.add_pandas(DATASOURCE)
    created = []
    for frame in discover_frames():
        asset_names = {a.name for a in source.assets}
        asset = (
            source.get_asset(frame.name)
            if frame.name in asset_names
            else source.add_dataframe_asset(frame.name)
        )
        batch_names = {b.name for b in asset.batch_definitions}
        batch = (
            asset.get_batch_definition(BATCH)
            if BATCH in batch_names
            else asset.add_batch_definition_whole_dataframe(BATCH)
        )
        suite_names = {s.name for s in context.suites.all()}
        suite = (
            context.suites.get(frame.name)
            if frame.name in suite_names
            else context.suites.add(gx.ExpectationSuite(name=frame.name, meta={"frame": frame.source}))
        )
        definition_names = {d.name for d in context.validation_definitions.all()}
        if frame.name not in definition_names:
            context.validation_definitions.add(
                gx.ValidationDefinition(name=frame.name, data=batch, suite=suite)
            )
            created.append(frame.name)
    return created


if __name__ == "__main__":
    print("created:", ", ".join(scaffold()) or "nothing (every frame already has its suite)")
