"""The asset graph as the UI shows it: keys <layer>/<name>, groups by layer, contracts and types on the marts."""

from __future__ import annotations

import json

from dagster import AssetKey
from indexpipe.assets.dbt_translator import group_of
from indexpipe.assets.quality import published_marts
from indexpipe.dbt_manifest import MANIFEST, mart_models, prepare_manifest
from indexpipe.definitions import defs
from indexpipe.quality.frames import discover_frames
from indexpipe.warehouse.published import published_link, snapshots_dir, swap_published

LAYERS = {"raw", "staging", "intermediate", "marts", "checks", "publication"}
GROUPS = {
    "ingestion",
    "staging",
    "intermediate_recon",
    "intermediate_style",
    "intermediate_levels",
    "marts",
    "checks",
    "publication",
}


def _manifest() -> dict:
    prepare_manifest()
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def test_every_asset_key_is_layer_and_name_and_every_group_is_a_layer() -> None:
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    assert all(len(k.path) == 2 and k.path[0] in LAYERS for k in keys), sorted(
        k.to_user_string() for k in keys
    )
    groups = {graph.get(k).group_name for k in keys}
    assert groups == GROUPS
    by_key = {k.to_user_string(): graph.get(k).group_name for k in keys}
    assert by_key["raw/prices"] == "ingestion"
    assert by_key["staging/stg_prices"] == "staging"
    assert by_key["intermediate/int_reconstitution_chain"] == "intermediate_recon"
    assert by_key["intermediate/int_style_probabilities"] == "intermediate_style"
    assert by_key["intermediate/int_index_daily_industry_returns"] == "intermediate_levels"
    assert by_key["marts/fct_index_levels"] == "marts"
    assert by_key["checks/chk_fct_index_levels"] == "checks"
    assert by_key["publication/published_marts"] == "publication"
    # every check sits on an asset of the graph (Great Expectations suites on raw tables and marts, dbt tests)
    assert {c.asset_key for c in graph.asset_check_keys} <= set(keys)


def test_a_new_intermediate_model_falls_in_the_reconstitution_group() -> None:
    assert (
        group_of({"name": "int_event_whatever", "config": {"schema": "intermediate"}}) == "intermediate_recon"
    )
    assert group_of({"name": "int_style_new", "config": {"schema": "intermediate"}}) == "intermediate_style"
    assert group_of({"name": "fct_new", "config": {}}) == "marts"
    assert group_of({"name": "chk_fct_new", "config": {"schema": "checks"}}) == "checks"


def test_a_marts_great_expectations_check_reads_its_dbt_view_after_the_dbt_step() -> None:
    graph = defs.resolve_asset_graph()
    frames = {f.name: f for f in discover_frames()}
    checks = {key.name: key for key in graph.asset_check_keys if key.name in frames}
    assert set(checks) == set(frames)
    for name, frame in frames.items():
        deps = {dep.asset_key for dep in graph.get_check_spec(checks[name]).additional_deps}
        if name.startswith("raw_"):  # run in the ingest stage, before dbt builds anything
            assert frame.model_key is None and not deps, name
        else:
            assert frame.model_key == AssetKey(["checks", f"chk_{name}"]) and deps == {frame.model_key}, name
            assert frame.asset_key[0] == "marts" and frame.model_key in graph.get_all_asset_keys()
    # the views are read by the checks, never published
    assert not [m for m in mart_models() if m.startswith("chk_")]
    assert not [k for k in graph.get(published_marts.key).parent_keys if k.path[0] == "checks"]


def test_every_check_view_column_is_described() -> None:
    nodes = [
        n
        for n in _manifest()["nodes"].values()
        if n["resource_type"] == "model" and n["original_file_path"].startswith("models/checks/")
    ]
    assert {n["name"] for n in nodes} == {f"chk_{f.name}" for f in discover_frames() if f.model_key}
    for node in nodes:
        assert node["config"]["materialized"] == "view" and node["schema"] == "checks", node["name"]
        assert node["description"] and node["columns"], node["name"]
        undescribed = [c for c, spec in node["columns"].items() if not spec.get("description")]
        assert undescribed == [], (node["name"], undescribed)


def test_every_mart_has_an_enforced_contract_and_a_type_on_every_column() -> None:
    nodes = [
        n
        for n in _manifest()["nodes"].values()
        if n["resource_type"] == "model" and n["original_file_path"].startswith("models/marts/")
    ]
    assert {n["name"] for n in nodes} >= set(mart_models()) | {"fct_index_constituents_daily"}
    for node in nodes:
        assert node["config"]["contract"]["enforced"], node["name"]
        assert node["columns"], node["name"]
        untyped = [c for c, spec in node["columns"].items() if not spec.get("data_type")]
        assert untyped == [], (node["name"], untyped)


def test_two_warehouses_in_one_folder_publish_side_by_side(tmp_path) -> None:
    for name in ("a.duckdb", "b.duckdb"):
        db = tmp_path / name
        snapshot = snapshots_dir(db) / "s1"
        snapshot.mkdir(parents=True)
        (snapshot / "manifest.json").write_text(name)
        swap_published(snapshot, published_link(db))
    assert published_link(tmp_path / "a.duckdb") == tmp_path / "a.published"
    assert (tmp_path / "a.published" / "manifest.json").read_text() == "a.duckdb"
    assert (tmp_path / "b.published" / "manifest.json").read_text() == "b.duckdb"
    # publishing a again replaces only a's snapshot
    again = snapshots_dir(tmp_path / "a.duckdb") / "s2"
    again.mkdir()
    (again / "manifest.json").write_text("a again")
    swap_published(again, published_link(tmp_path / "a.duckdb"))
    assert [p.name for p in (tmp_path / "a.snapshots").iterdir()] == ["s2"]
    assert (tmp_path / "b.published" / "manifest.json").read_text() == "b.duckdb"
