-- The constituents of every index at the close of every trading day (docs/contract.md §3), for SQL users and
-- `indexpipe holdings`: "the R2000 on 2024-11-05" is one query with `where index_code = 'R2000' and date = ...`.
-- A view, not a table: index x security x session is about 100M rows, and a query for one index and day reads a
-- few thousand (the filter reaches the membership intervals and that day's prices).
-- As of the close of `date`: the composition in force for the next session (so an effective date shows the new
-- composition, as an index fund holds it after that close), priced at `date`'s close, with the index's shares in
-- force for the next session (composition_at_close, the same logic as fct_index_holdings, which this view equals
-- on every date that mart has). The ICB industry is the company's classification in force on `date`
-- (Unclassified without one).
{{ config(materialized='view') }}
with sessions as (
    select session_date as as_of_date, lead(session_date) over (order by session_date) as next_session
    from {{ ref('stg_xnys_sessions') }}
),

calendar as (
    select * from {{ ref('int_rebalance_calendar') }}
),

span as (
    select
        (select min(first_session) from calendar where event_type = 'reconstitution') as first_member_day,
        (select max(trade_date) from {{ ref('stg_prices') }}) as last_price_date
),

dated as (
    -- from the first reconstitution's effective date (its opening weights) to the last day with prices
    select s.as_of_date, s.next_session
    from sessions as s
    cross join span
    where s.as_of_date >= (select max(effective_date) from calendar, span
                           where first_session = span.first_member_day)
      and s.as_of_date <= span.last_price_date
),

{{ composition_at_close('dated', inline=true) }},

classified as (
    -- Unclassified when the company has no classification that day, as in fct_industry_weights
    select w.*, coalesce(k.icb_industry, 'Unclassified') as icb_industry
    from weighted as w
    join {{ ref('stg_securities') }} as s using (security_id)
    {{ join_classification_in_force('s.company_id', 'w.as_of_date') }}
)

select
    c.index_code,
    c.as_of_date as date,
    c.security_id,
    d.ticker,
    d.name,
    c.icb_industry,
    c.available_shares * c.inclusion_factor as index_shares,
    c.close_price as price,
    c.float_market_cap,
    c.weight
from classified as c
join {{ ref('dim_security') }} as d using (security_id)
