{#- The rule steps of one reconstitution (docs/methodology.md §1-§2), each a select over the relations it is given
    (CTE names or refs): int_reconstitution_chain applies them once per reconstitution, and int_size_placement
    applies them to the first reconstitution alone, so that they can have dbt unit tests
    (models/intermediate/_rule_unit_tests.yml). int_preview_universe applies the same steps to every preview date at
    once: `partition` (a column, '' elsewhere) keeps each preview's ranking, breakpoints and bands apart. -#}

{%- macro _partition_by(partition, order='') -%}
over ({% if partition %}partition by {{ partition }}{% if order %} {% endif %}{% endif %}{{ order }})
{%- endmacro %}

{#- The seven membership flags a company carries through the chain, in the chain's column order. -#}
{% macro membership_flags() -%}
{{ return(['in_r1000', 'in_top500', 'in_top200', 'in_top50', 'in_r3000', 'in_r3000e', 'in_micro']) }}
{%- endmacro %}

{#- The flags as a column list, each with `prefix` (a table alias and dot, or nothing). -#}
{% macro flag_columns(prefix='') -%}
{%- for flag in membership_flags() %}{{ prefix ~ flag }}{{ ', ' if not loop.last }}{% endfor -%}
{%- endmacro %}

{#- A company's previous composition from `state` (a table alias; no row: not a member): the flags it had and
    whether that composition says which side of each banded breakpoint it was on. -#}
{% macro previous_composition(state) -%}
coalesce({{ state }}.in_r3000e, false) as was_r3000e,
coalesce({{ state }}.in_r3000, false) as was_r3000,
coalesce({{ state }}.in_r1000, false) as was_r1000,
coalesce({{ state }}.in_top500, false) as was_top500,
coalesce({{ state }}.in_top200, false) as was_top200,
coalesce({{ state }}.in_micro, false) as was_micro,
coalesce({{ state }}.knows_r1000, true) as knows_r1000,
coalesce({{ state }}.knows_top500, true) as knows_top500,
coalesce({{ state }}.knows_top200, true) as knows_top200,
coalesce({{ state }}.knows_micro_top, true) as knows_micro_top
{%- endmacro %}

{#- Every company of the reconstitution `recon_id` (an SQL expression) priced on the vehicle its membership calls
    for, with its previous composition (`state`: one row per member, the flags and knows_*) and the first screen it
    fails; the $1 rule for existing members takes the 30-day average (int_event_company_vehicles). -#}
{% macro rank_day_universe(company_vehicles, state, recon_id) -%}
select
    c.*,
    {{ previous_composition('s') | indent(4) }},
    {{ ineligible_reason('c', 'coalesce(s.in_r3000e, false)') | indent(4) }} as ineligible_reason
from {{ company_vehicles }} as c
left join {{ state }} as s using (company_id)
where c.recon_id = {{ recon_id }}
  -- an existing member is priced on a class with at least 100 days of volume (int_pricing_vehicles)
  and c.vehicle_basis = case when s.company_id is not null then 'existing_member' else 'new_member' end
{%- endmacro %}

{#- The first screen a company row `c` of int_event_company_vehicles fails (null: eligible); `is_member` says
    whether it is an existing Russell 3000E member, whose $1 rule takes the 30-day average. -#}
{% macro ineligible_reason(c, is_member) -%}
case
    when {{ c }}.structural_reason is not null then {{ c }}.structural_reason
    when not (case when {{ is_member }} then {{ c }}.passes_price_member else {{ c }}.passes_price_new end)
        then 'price_below_min'
    else {{ c }}.size_reason
end
{%- endmacro %}

{#- The eligible companies by total market cap (ties by company id), with the cumulative share of the R3000E's
    cap down to each of them (exact DECIMAL sums: the same bits on every run). -#}
{% macro ranked_by_size(universe, partition='') -%}
select
    *,
    case when size_rank <= {{ var('rank_r3000e') }} then
        {{ exact_sum('total_market_cap', 2) }} {{ _partition_by(partition, 'order by size_rank rows between unbounded preceding and current row') }}
        / {{ exact_sum('total_market_cap', 2) }} filter (where size_rank <= {{ var('rank_r3000e') }}) {{ _partition_by(partition) }}
    end as cum_cap_pct
from (
    select
        *,
        row_number() {{ _partition_by(partition, 'order by total_market_cap desc, company_id') }} as size_rank
    from {{ universe }}
    where ineligible_reason is null
)
{%- endmacro %}

{#- One row: the cumulative percentage and cap at each breakpoint rank; with fewer companies the last one stands
    in. -#}
{% macro size_breakpoints(ranked, partition='') -%}
select
    {%- if partition %}
    {{ partition }},
    {%- endif %}
    {%- for name in ['top50', 'top200', 'top500', 'r1000', 'micro_top', 'r3000', 'r3000e'] %}
    coalesce(max(cum_cap_pct) filter (where size_rank = {{ var('rank_' ~ name) }}), max(cum_cap_pct))
        as pct_{{ name }},
    coalesce(max(total_market_cap) filter (where size_rank = {{ var('rank_' ~ name) }}), min(total_market_cap))
        as cap_{{ name }},
    {%- endfor %}
    min(total_market_cap) filter (where size_rank <= {{ var('rank_r3000e') }}) as cap_smallest_r3000e
from {{ ranked }}
{%- if partition %}
group by {{ partition }}
{%- endif %}
{%- endmacro %}

{#- The side of each banded breakpoint (banded_upper_side, docs/methodology.md §2) of every ranked company. -#}
{% macro banded_sides(ranked, breakpoints, partition='') -%}
select
    r.*,
    {{ banded_upper_side('r.was_r3000 and r.knows_r1000', 'r.was_r1000', 'r.cum_cap_pct', 'b.pct_r1000', var('band_r1000'), 'r.size_rank', var('rank_r1000')) }}
        as upper_r1000,
    {{ banded_upper_side('r.was_r3000 and r.knows_top500', 'r.was_top500', 'r.cum_cap_pct', 'b.pct_top500', var('band_top500'), 'r.size_rank', var('rank_top500')) }}
        as upper_top500,
    {{ banded_upper_side('r.was_r3000 and r.knows_top200', 'r.was_top200', 'r.cum_cap_pct', 'b.pct_top200', var('band_top200'), 'r.size_rank', var('rank_top200')) }}
        as upper_top200,
    {{ banded_upper_side('r.was_r3000 and r.knows_micro_top', 'not r.was_micro', 'r.cum_cap_pct', 'b.pct_micro_top', var('band_micro_top'), 'r.size_rank', var('rank_micro_top')) }}
        as upper_micro_top,
    b.pct_r1000 as breakpoint_pct_r1000
from {{ ranked }} as r
{%- if partition %}
join {{ breakpoints }} as b using ({{ partition }})
{%- else %}
cross join {{ breakpoints }} as b
{%- endif %}
{%- endmacro %}

{#- The new composition: the flags of every R3000E member from its sides (the Top 200 inside the Top 500 inside the
    R1000; R3000 and R3000E by rank, no band; the Microcap = R3000E outside the R1000 below the banded #2,000). -#}
{% macro size_members(placed, partition='') -%}
select
    {%- if partition %}
    {{ partition }},
    {%- endif %}
    company_id,
    pricing_security_id,
    in_r1000,
    in_top500,
    in_top200,
    size_rank <= {{ var('rank_top50') }} and in_top200 as in_top50,
    in_r3000,
    in_r3000e,
    in_r3000e and not in_r1000 and not upper_micro_top as in_micro
from (
    select
        *,
        upper_r1000 as in_r1000,
        upper_top500 and upper_r1000 as in_top500,
        upper_top200 and upper_top500 and upper_r1000 as in_top200,
        upper_r1000 or size_rank <= {{ var('rank_r3000') }} as in_r3000,
        upper_r1000 or size_rank <= {{ var('rank_r3000e') }} as in_r3000e
    from {{ placed }}
)
where in_r3000e
{%- endmacro %}

{#- The size steps of one reconstitution as CTEs named universe, ranked, breakpoints, placed and members (to follow
    a `with` and the CTEs named in the arguments): int_size_placement and int_ipo_placement apply them to the first
    reconstitution. -#}
{% macro reconstitution_size_ctes(company_vehicles, state, recon_id) -%}
universe as (
    {{ rank_day_universe(company_vehicles, state, recon_id) | indent(4) }}
),

ranked as (
    {{ ranked_by_size('universe') | indent(4) }}
),

breakpoints as (
    {{ size_breakpoints('ranked') | indent(4) }}
),

placed as (
    {{ banded_sides('ranked', 'breakpoints') | indent(4) }}
),

members as (
    {{ size_members('placed') | indent(4) }}
)
{%- endmacro %}

{#- The chain's inputs as CTEs (companies, company_vehicles, calendar, event_lines, ipo_first_days, home_countries,
    spin_offs, initial_state), to follow a `with`: int_reconstitution_chain and int_ipo_placement. -#}
{% macro reconstitution_input_ctes() -%}
companies as (
    -- priced on the new-member vehicle: companies reviewed as quarterly IPOs are new by definition
    select * from {{ ref('int_event_companies') }}
),

company_vehicles as (
    -- priced on each vehicle basis (M7 §6.5.3): a reconstitution takes the one the company's membership calls for
    select * from {{ ref('int_event_company_vehicles') }}
),

calendar as (
    select * from {{ ref('int_rebalance_calendar') }}
),

event_lines as (
    select * from {{ ref('int_event_lines') }}
),

ipo_first_days as (
    {{ ipo_first_days_with_lockdown() | indent(4) }}
),

home_countries as (
    -- keyed by the issuer the input names (int_tracking_stock_companies.input_company_id)
    select company_id, home_country from {{ ref('int_company_home_country') }}
),

spin_offs as (
    {{ spin_off_lines() | indent(4) }}
),

initial_state as (
    -- the composition in force before the first reconstitution (decision 11); empty without a list
    select
        company_id, valid_from, {{ flag_columns() }},
        knows_r1000, knows_top500, knows_top200, knows_micro_top
    from {{ ref('int_initial_membership') }}
)
{%- endmacro %}
