-- Assets assumed to track each index passively (docs/preview.md, "Trade demand"): the seed
-- passive_tracking_assets (the largest ETFs' assets x 4, about $1.9 trillion in all: an assumption, sourced and
-- discussed in docs/preview.md), replaced index by index by the dbt
-- var `tracking_assets_usd` (e.g. {"R2000": 3.0e11}; 0 leaves an index out). An assumption, not data: the trade
-- demand marts scale linearly with it. `size_index_code` is the size index an index is carved from (a style,
-- stability or capped index's ancestor), used by the preview's estimate, which knows size memberships only.
{%- set overrides = var('tracking_assets_usd') %}
with seed as (
    select index_code, tracking_assets_usd::double as tracking_assets_usd, 'seed' as assets_source
    from {{ ref('passive_tracking_assets') }}
),

overrides as (
    {%- if overrides | length > 0 %}
    select * from (values
        {%- for code, value in overrides.items() %}
        ({{ sql_literal(code) }}, {{ value | float }}::double, 'var'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as t (index_code, tracking_assets_usd, assets_source)
    {%- else %}
    select null::varchar as index_code, null::double as tracking_assets_usd, null::varchar as assets_source
    where false
    {%- endif %}
),

indexes as (
    select index_code, family, parent_index_code from {{ ref('index_definitions') }}
),

unknown_codes as (
    -- a misspelt override fails the build instead of being ignored
    select error('dbt var tracking_assets_usd names an unknown index code: ' || o.index_code) as failure
    from overrides as o
    where o.index_code not in (select index_code from indexes)
),

ancestry as (
    -- the nearest size index at or above each index (style -> size; capped twin -> style -> size)
    select
        i.index_code,
        case
            when i.family = 'size' then i.index_code
            when p.family = 'size' then p.index_code
            else g.index_code
        end as size_index_code
    from indexes as i
    left join indexes as p on p.index_code = i.parent_index_code
    left join indexes as g on g.index_code = p.parent_index_code
)

select
    a.index_code,
    a.size_index_code,
    coalesce(o.tracking_assets_usd, s.tracking_assets_usd) as tracking_assets_usd,
    coalesce(o.assets_source, s.assets_source) as assets_source
from ancestry as a
left join seed as s using (index_code)
left join overrides as o using (index_code)
where coalesce(o.tracking_assets_usd, s.tracking_assets_usd) > 0
  and (select count(failure) from unknown_codes) = 0
order by a.index_code
