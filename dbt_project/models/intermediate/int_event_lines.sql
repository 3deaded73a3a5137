-- Every share line alive on each rebalance rank day, with the figures known that day (point in time):
-- shares as of the latest row effective on or before the rank day, the rank-day close, and trading over the 24
-- months ending on the rank day (the 23 months before the rank day's month, then that month up to the rank day:
-- the published May rank days of 2017-2022 fall mid-month). Companies are the ones lines are ranked as
-- (int_tracking_stock_companies: a tracking stock is its own company).
-- Previews (int_preview_events, projected ones) are events too: `recon_id` is the preview id and the rank day the
-- preview date, so every model that computes per event (pricing vehicles, company figures, the $1 rescue) computes
-- the preview as if its date were a rank day. Readers of reconstitutions join the calendar, which holds no preview.
with events as (
    select recon_id, rank_date, event_type from {{ ref('int_rebalance_calendar') }}
    union all
    select preview_id, preview_date, 'preview' from {{ ref('int_preview_events') }} where preview_basis = 'projected'
),

securities as (
    select * from {{ ref('int_tracking_stock_companies') }}
),

alive as (
    select e.recon_id, e.rank_date, e.event_type, s.*
    from events as e
    join securities as s
        on s.listing_date <= e.rank_date
        and (s.delisting_date is null or s.delisting_date > e.rank_date)
),

shares_asof as (
    select a.recon_id, a.security_id, h.shares_outstanding, h.available_shares, h.votes_per_share,
        h.effective_date as shares_effective_date
    from alive as a
    asof join {{ ref('stg_shares') }} as h
        on h.security_id = a.security_id and h.effective_date <= a.rank_date
),

rank_day_close as (
    select a.recon_id, a.security_id, p.close_price
    from alive as a
    join {{ ref('stg_prices') }} as p on p.security_id = a.security_id and p.trade_date = a.rank_date
),

month_totals as (
    -- each line's running totals over its months, exact (integers, DECIMAL): the months of a window are the
    -- difference of two running totals, read by two asof joins instead of joining every event to 23 months
    select
        security_id,
        trade_month,
        sum(volume) over months as volume,
        -- each month's double to 6 then 4 decimals: the 4-decimal type of the union below, as when the months were
        -- summed row by row
        sum(dollar_volume::decimal(38, 6)::decimal(38, 4)) over months as dollar_volume,
        sum(trading_days) over months as trading_days,
        sum(volume_days) over months as volume_days
    from {{ ref('int_security_monthly_trading') }}
    window months as (partition by security_id order by trade_month rows between unbounded preceding and current row)
),

trading_by_period as (
    -- whole months before the rank day's month (the 23 after the month 24 months back)
    select
        a.recon_id,
        a.security_id,
        u.volume - coalesce(l.volume, 0) as volume,
        u.dollar_volume - coalesce(l.dollar_volume, 0::decimal(38, 4)) as dollar_volume,
        u.trading_days - coalesce(l.trading_days, 0) as trading_days,
        u.volume_days - coalesce(l.volume_days, 0) as volume_days
    from alive as a
    asof join month_totals as u
        on u.security_id = a.security_id and date_trunc('month', a.rank_date) > u.trade_month
    asof left join month_totals as l
        on l.security_id = a.security_id and date_trunc('month', a.rank_date) - interval 24 month >= l.trade_month
    union all
    -- the rank day's month up to the rank day, from the daily prices (the month as an equality: a join on the line
    -- alone would pair each event with every day of the line)
    select
        a.recon_id,
        a.security_id,
        sum(p.volume),
        {{ exact_sum('p.volume * p.close_price', 4) }},
        count(*),
        count(*) filter (where p.volume > 0)
    from alive as a
    join {{ ref('stg_prices') }} as p
        on p.security_id = a.security_id
        and date_trunc('month', p.trade_date) = date_trunc('month', a.rank_date)
        and p.trade_date <= a.rank_date
    group by a.recon_id, a.security_id
),

trading_2y as (
    select
        recon_id,
        security_id,
        sum(volume) as volume_2y,
        {{ exact_sum('dollar_volume') }}::double as dollar_volume_2y,
        sum(trading_days) as trading_days_2y,
        sum(volume_days) as volume_days_2y
    from trading_by_period
    group by all
),

first_trade as (
    select security_id, min(trade_date) as first_trade_date
    from {{ ref('stg_prices') }}
    group by security_id
)

select
    a.recon_id,
    a.rank_date,
    a.security_id,
    a.company_id,
    a.input_company_id,
    a.security_type,
    a.exchange,
    a.conversion_ratio,
    a.security_type in {{ sql_values(var('eligible_security_types')) }} as is_common_class,
    h.shares_outstanding,
    h.available_shares,
    h.votes_per_share,
    h.shares_effective_date,
    c.close_price as rank_close,
    coalesce(t.volume_2y, 0) as volume_2y,
    coalesce(t.dollar_volume_2y, 0) as dollar_volume_2y,
    coalesce(t.trading_days_2y, 0) as trading_days_2y,
    coalesce(t.volume_days_2y, 0) as volume_days_2y,
    case when f.first_trade_date <= a.rank_date then f.first_trade_date end as first_trade_date
from alive as a
left join shares_asof as h using (recon_id, security_id)
left join rank_day_close as c using (recon_id, security_id)
left join trading_2y as t using (recon_id, security_id)
left join first_trade as f using (security_id)
