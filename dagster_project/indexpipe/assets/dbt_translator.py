"""How dbt nodes appear in Dagster: one key rule and one group per layer.

Keys are ``<layer>/<name>`` everywhere: ``raw/prices`` (the dbt sources are the ingestion assets),
``staging/stg_prices``, ``intermediate/int_reconstitution_chain``, ``marts/fct_index_levels``. Groups follow the
layers, the intermediate layer split by what its models decide (reconstitution, style, levels), so the asset graph
reads ingestion -> staging -> intermediate_recon / intermediate_style / intermediate_levels -> marts ->
publication, with every check (dbt tests, Great Expectations suites) shown on the asset it guards. The views the
marts' Great Expectations suites read (models/checks, schema checks) are ``checks/chk_<suite>`` in group checks,
beside the marts and never upstream of the publication.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from indexpipe.dagster_dbt_import import DagsterDbtTranslator

MARTS_LAYER = "marts"
# intermediate models by what they compute; any other int_ model (and the seeds) belongs to the reconstitution
STYLE_MODELS = frozenset(
    {
        "int_value_scores",
        "int_stability_scores",
        "int_company_fiscal_periods",
        "int_capped_style_line_segments",
    }
)
LEVELS_MODELS = frozenset({"int_security_daily_returns", "int_index_daily_industry_returns"})


def layer_of(props: Mapping[str, Any]) -> str:
    """staging, intermediate and checks are the models' schemas; models without one are the marts (schema main)."""
    return props.get("config", {}).get("schema") or MARTS_LAYER


def group_of(props: Mapping[str, Any]) -> str:
    layer = layer_of(props)
    if layer != "intermediate":
        return layer
    name = props["name"]
    if name in STYLE_MODELS or name.startswith("int_style_"):
        return "intermediate_style"
    if name in LEVELS_MODELS:
        return "intermediate_levels"
    return "intermediate_recon"


def model_key(name: str, layer: str = MARTS_LAYER) -> dg.AssetKey:
    return dg.AssetKey([layer, name])


class IndexpipeTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)  # raw/<table>: the ingestion assets
        return model_key(dbt_resource_props["name"], layer_of(dbt_resource_props))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return group_of(dbt_resource_props)
