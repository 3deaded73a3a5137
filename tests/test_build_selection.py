"""A build of some models (``build(models=...)``, the crafted-market rule tests' builds): the models, what they are
built from and every check on all of it, nothing downstream. The blocking of a failed check is tested on whole
builds (tests/test_quality_checks.py); here the selection is checked to carry those checks."""

from __future__ import annotations

import dagster as dg
from indexpipe.definitions import defs
from indexpipe.jobs import BUILD_JOB, models_with_their_inputs
from indexpipe.quality.frames import discover_frames
from recon_fixtures import RECON_MARTS


def _keys(selection: list[dg.AssetKey]) -> set[str]:
    return {key.to_user_string() for key in selection}


def test_a_selection_is_its_models_and_everything_upstream_and_nothing_downstream() -> None:
    selection = models_with_their_inputs(defs, RECON_MARTS)
    keys = _keys(selection)
    assert {f"marts/{m}" for m in RECON_MARTS} <= keys
    graph = defs.resolve_asset_graph()
    upstream = dg.AssetSelection.assets(*selection).upstream().resolve(graph)
    assert set(upstream) == set(selection)  # closed: every input of a selected asset is selected
    # the levels, the preview and the publication are not needed by the reconstitution marts
    assert (
        not {"marts/fct_index_levels", "marts/fct_reconstitution_preview", "publication/published_marts"}
        & keys
    )
    # the reference tables load as one step: a selection takes all of them
    assert {"raw/securities", "raw/shares", "raw/classifications", "raw/corporate_actions"} <= keys


def test_a_selection_runs_every_check_of_the_assets_it_builds() -> None:
    selection = models_with_their_inputs(defs, RECON_MARTS)
    selected = set(selection)
    # the Great Expectations checks of a selected asset read a dbt view: the view is built too
    frames = [f for f in discover_frames() if dg.AssetKey(list(f.asset_key)) in selected]
    assert {"fct_index_membership_partitions", "fct_index_membership_capping", "dim_index"} <= {
        f.name for f in frames
    }
    assert all(f.model_key in selected for f in frames if f.model_key is not None)
    # the run's job carries every check (dbt tests and suites) on every selected asset
    every_check = {k for k in defs.resolve_asset_graph().asset_check_keys if k.asset_key in selected}
    job = defs.resolve_job_def(BUILD_JOB.name).get_subset(asset_selection=selected)
    carried = set(job.asset_layer.asset_graph.asset_check_keys)
    assert every_check <= carried
    assert not [k for k in carried if k.asset_key not in selected]  # and none of what it does not build
    # what a check also reads is built (dbt runs a test only when all its models are: the other side of a
    # relationships test, e.g. the memberships' index codes in dim_index)
    specs = [spec for assets in defs.resolve_asset_graph().assets_defs for spec in assets.check_specs]
    assert all(
        dep.asset_key in selected
        for spec in specs
        if spec.asset_key in selected
        for dep in spec.additional_deps
    )
    membership = models_with_their_inputs(defs, ("fct_index_membership",))
    assert dg.AssetKey(["marts", "dim_index"]) in membership
    assert {f.name for f in frames} <= {k.name for k in carried}
    assert any(k.name.startswith("unique_combination_fct_index_membership") for k in carried)  # a dbt test
