-- Trade demand of each reconstitution (docs/preview.md, "Trade demand"): per index with assets assumed to track it
-- (int_tracking_assets: seed passive_tracking_assets, var tracking_assets_usd) and per security whose weight the
-- reconstitution changes, what passive funds must buy or sell to follow the index.
-- Both compositions are priced at one close, the pricing date: the implementation day (effective_date), or the last
-- price date while the new composition has not started (the rank day determined it; int_reconstitution_chain
-- already holds it). Before = the composition in force on the pricing date, after = the one in force from the
-- reconstitution's first session, each with its own index shares and inclusion factors (composition_at_close, the
-- logic of fct_index_holdings), so share and float updates and style probabilities count too.
--   weight_change   = weight after - weight before (0 where absent)
--   shares_to_trade = weight_change x tracking assets / close (positive: buy)
--   days_of_volume  = |shares_to_trade| / average daily volume over the 20 sessions before the implementation day
--                     (ending on the last price date before it)
--   index_one_way_turnover = the sum of the positive weight changes of the index (= the sum of the negative ones)
-- The first reconstitution in the data is left out for indexes that had no composition before it.
with calendar as (
    select * from {{ ref('int_rebalance_calendar') }} where event_type = 'reconstitution'
),

sessions as (
    select session_date, row_number() over (order by session_date) as session_number
    from {{ ref('stg_xnys_sessions') }}
),

price_span as (
    select max(trade_date) as last_price_date from {{ ref('stg_prices') }}
),

recons as (
    select
        c.recon_id,
        c.rank_date,
        c.effective_date,
        c.first_session,
        least(c.effective_date, p.last_price_date) as pricing_date,
        c.effective_date <= p.last_price_date as is_effective
    from calendar as c
    cross join price_span as p
    -- one reconstitution per pricing date (two never wait for their first session at once)
    qualify row_number() over (partition by pricing_date order by c.rank_date desc, c.recon_id) = 1
),

before_dates as (
    select pricing_date as as_of_date, pricing_date as next_session from recons
),

after_dates as (
    select pricing_date as as_of_date, first_session as next_session from recons
),

before_weights as (
    with {{ composition_at_close('before_dates') }}
    select index_code, as_of_date, security_id, weight, close_price from weighted
),

after_weights as (
    with {{ composition_at_close('after_dates') }}
    select index_code, as_of_date, security_id, weight, close_price from weighted
),

assets as (
    select index_code, tracking_assets_usd, assets_source from {{ ref('int_tracking_assets') }}
),

combined as (
    select
        as_of_date,
        index_code,
        security_id,
        sum(weight_before) as weight_before,
        sum(weight_after) as weight_after,
        max(close_price) as close_price,
        bool_or(in_before) as in_before,
        bool_or(in_after) as in_after
    from (
        select as_of_date, index_code, security_id, weight as weight_before, 0.0 as weight_after, close_price,
            true as in_before, false as in_after
        from before_weights
        union all
        select as_of_date, index_code, security_id, 0.0, weight, close_price, false, true
        from after_weights
    )
    where index_code in (select index_code from assets)
    group by all
),

indexes_with_history as (
    -- an index is rebalanced only if it had a composition before
    select distinct as_of_date, index_code from combined where in_before
),

volume_windows as (
    -- the 20 sessions before the implementation day, or ending on the last price date before it
    select r.recon_id, s.session_date
    from recons as r
    join sessions as p on p.session_date = r.pricing_date
    join sessions as s
        on s.session_number <= p.session_number - r.is_effective::int
        and s.session_number > p.session_number - r.is_effective::int - {{ var('preview_adv_sessions') }}
),

securities as (
    select distinct r.recon_id, c.security_id
    from combined as c
    join recons as r on r.pricing_date = c.as_of_date
),

volumes as (
    select
        s.recon_id,
        s.security_id,
        sum(coalesce(p.volume, 0))::double / {{ var('preview_adv_sessions') }} as avg_daily_volume_20d
    from securities as s
    join volume_windows as w using (recon_id)
    left join {{ ref('stg_prices') }} as p on p.security_id = s.security_id and p.trade_date = w.session_date
    group by all
),

demand as (
    select
        r.recon_id,
        c.index_code,
        c.security_id,
        t.company_id,
        case when not c.in_before then 'addition' when not c.in_after then 'deletion'
             when c.weight_after >= c.weight_before then 'increase' else 'decrease' end as change_type,
        r.rank_date,
        r.effective_date,
        r.pricing_date,
        r.is_effective,
        c.weight_before,
        c.weight_after,
        c.weight_after - c.weight_before as weight_change,
        a.tracking_assets_usd,
        a.assets_source,
        c.close_price,
        (c.weight_after - c.weight_before) * a.tracking_assets_usd as demand_usd,
        (c.weight_after - c.weight_before) * a.tracking_assets_usd / c.close_price as shares_to_trade,
        v.avg_daily_volume_20d
    from combined as c
    join indexes_with_history using (as_of_date, index_code)
    join recons as r on r.pricing_date = c.as_of_date
    join assets as a using (index_code)
    join {{ ref('int_tracking_stock_companies') }} as t using (security_id)
    left join volumes as v on v.recon_id = r.recon_id and v.security_id = c.security_id
)

select
    recon_id,
    index_code,
    security_id,
    company_id,
    change_type,
    rank_date,
    effective_date,
    pricing_date,
    is_effective,
    weight_before,
    weight_after,
    weight_change,
    tracking_assets_usd,
    assets_source,
    close_price,
    demand_usd,
    shares_to_trade,
    avg_daily_volume_20d,
    abs(shares_to_trade) / nullif(avg_daily_volume_20d, 0) as days_of_volume,
    ({{ exact_sum("greatest(weight_change, 0)", 12) }} over (partition by recon_id, index_code))::double
        as index_one_way_turnover
from demand
order by recon_id, index_code, security_id
