{#- The rank-day rules of a reconstitution (METHODOLOGY §1-§2) in pieces, shared by int_reconstitution_chain (one
    reconstitution per block of SQL) and int_preview_universe (every preview at once): eligibility with one reason,
    ranks, cumulative cap percentages, breakpoints, banded sides and the size index flags. `partition` names the
    columns that separate independent rankings ('' in the chain, 'preview_id' in the preview); the SQL is otherwise
    the same, so a preview dated on a rank day gives that reconstitution's result. -#}

{%- macro _over(partition, order='') -%}
over ({% if partition %}partition by {{ partition }}{% if order %} {% endif %}{% endif %}{{ order }})
{%- endmacro %}

{#- The first failing screen of a company row `c` of int_event_company_vehicles; `is_member` says whether it is an
    existing Russell 3000E member (the $1 rescue by the 30-day average, int_minimum_price_rescue). -#}
{% macro recon_ineligible_reason(c, is_member) -%}
case
    when {{ c }}.structural_reason is not null then {{ c }}.structural_reason
    when not (case when {{ is_member }} then {{ c }}.passes_price_member else {{ c }}.passes_price_new end)
        then 'price_below_min'
    else {{ c }}.size_reason
end
{%- endmacro %}

{#- Rank by total market cap, ties broken by company id (decision 14). -#}
{% macro recon_size_rank(partition='') -%}
row_number() {{ _over(partition, 'order by total_market_cap desc, company_id') }}
{%- endmacro %}

{#- Cumulative total cap over the Russell 3000E candidates (ranks up to `rank_r3000e`). -#}
{% macro recon_cum_cap_pct(partition='') -%}
case when size_rank <= {{ var('rank_r3000e') }} then
    {{ exact_sum('total_market_cap', 2) }} {{ _over(partition, 'order by size_rank rows between unbounded preceding and current row') }}
    / {{ exact_sum('total_market_cap', 2) }} filter (where size_rank <= {{ var('rank_r3000e') }}) {{ _over(partition) }}
end
{%- endmacro %}

{#- Aggregates of a ranked relation: cumulative percentage and cap at each breakpoint rank (with fewer companies
    the last one stands in), and the smallest Russell 3000E company. -#}
{% macro recon_breakpoint_columns() -%}
{%- for name in ['top50', 'top200', 'top500', 'r1000', 'micro_top', 'r3000', 'r3000e'] %}
coalesce(max(cum_cap_pct) filter (where size_rank = {{ var('rank_' ~ name) }}), max(cum_cap_pct))
    as pct_{{ name }},
coalesce(max(total_market_cap) filter (where size_rank = {{ var('rank_' ~ name) }}), min(total_market_cap))
    as cap_{{ name }},
{%- endfor %}
min(total_market_cap) filter (where size_rank <= {{ var('rank_r3000e') }}) as cap_smallest_r3000e
{%- endmacro %}

{#- The upper side of each banded breakpoint for a ranked row `r` against breakpoints `b` (macro banded_upper_side). -#}
{% macro recon_banded_sides(r, b) -%}
{{ banded_upper_side(r ~ '.was_r3000 and ' ~ r ~ '.knows_r1000', r ~ '.was_r1000', r ~ '.cum_cap_pct', b ~ '.pct_r1000', var('band_r1000'), r ~ '.size_rank', var('rank_r1000')) }}
    as upper_r1000,
{{ banded_upper_side(r ~ '.was_r3000 and ' ~ r ~ '.knows_top500', r ~ '.was_top500', r ~ '.cum_cap_pct', b ~ '.pct_top500', var('band_top500'), r ~ '.size_rank', var('rank_top500')) }}
    as upper_top500,
{{ banded_upper_side(r ~ '.was_r3000 and ' ~ r ~ '.knows_top200', r ~ '.was_top200', r ~ '.cum_cap_pct', b ~ '.pct_top200', var('band_top200'), r ~ '.size_rank', var('rank_top200')) }}
    as upper_top200,
{{ banded_upper_side(r ~ '.was_r3000 and ' ~ r ~ '.knows_micro_top', 'not ' ~ r ~ '.was_micro', r ~ '.cum_cap_pct', b ~ '.pct_micro_top', var('band_micro_top'), r ~ '.size_rank', var('rank_micro_top')) }}
    as upper_micro_top
{%- endmacro %}

{#- The size index flags of a placed row (columns upper_r1000, upper_top500, upper_top200, upper_micro_top,
    size_rank): the Top 50 has no band, #3,000 and #4,000 neither; the Microcap is the Russell 3000E outside the
    Russell 1000 below the banded #2,000. -#}
{% macro recon_size_index_flags() -%}
upper_r1000 as in_r1000,
upper_top500 and upper_r1000 as in_top500,
upper_top200 and upper_top500 and upper_r1000 as in_top200,
size_rank <= {{ var('rank_top50') }} and (upper_top200 and upper_top500 and upper_r1000) as in_top50,
upper_r1000 or size_rank <= {{ var('rank_r3000') }} as in_r3000,
upper_r1000 or size_rank <= {{ var('rank_r3000e') }} as in_r3000e,
(upper_r1000 or size_rank <= {{ var('rank_r3000e') }}) and not upper_r1000 and not upper_micro_top as in_micro
{%- endmacro %}
