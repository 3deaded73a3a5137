{#- Current company weights of a capping pass (int_style_capping, project decision 13): a capped company weighs
    its capped weight; the uncapped ones share the rest pro rata to their uncapped weights:
    uncapped_weight x (1 - capped total) / (uncapped companies' uncapped total). When every company is capped
    (too few names for the limits), the capped weights are rescaled to sum to 1. `relation` holds recon_id,
    index_code, company_id, uncapped_weight, is_capped and capped_weight (null while uncapped); the result adds
    capped_total, free_uncapped_total, uncapped_scale (what an uncapped company's weight is per unit of uncapped
    weight) and weight. Sums are exact (DECIMAL), so the passes are the same on every run. -#}
{% macro capping_weights(relation) -%}
select
    *,
    case
        when is_capped and free_uncapped_total > 0 then capped_weight
        when is_capped then capped_weight / capped_total
        else uncapped_weight * uncapped_scale
    end as weight
from (
    select
        *,
        case
            when free_uncapped_total > 0 then (1 - capped_total) / free_uncapped_total
            else max(capped_weight / uncapped_weight) over by_index / capped_total
        end as uncapped_scale
    from (
        select
            *,
            coalesce(({{ exact_sum('capped_weight', 18) }} over by_index)::double, 0.0) as capped_total,
            coalesce(
                ({{ exact_sum('uncapped_weight', 18) }} filter (where not is_capped) over by_index)::double, 0.0
            ) as free_uncapped_total
        from {{ relation }}
        window by_index as (partition by recon_id, index_code)
    )
    window by_index as (partition by recon_id, index_code)
)
{%- endmacro %}
