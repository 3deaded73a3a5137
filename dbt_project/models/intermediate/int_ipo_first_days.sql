-- Each listed common line's first trading day: total and float cap on that day and the session after the
-- fast-entry wait (docs/methodology.md §3: an IPO above the market-adjusted Top 500 breakpoint joins after the close of
-- its 5th trading day). Companies already listed when the data starts have no IPO. Companies are the ones lines are
-- ranked as (int_tracking_stock_companies: a tracking stock is its own company, M7 §6.2.2).
with first_prices as (
    select security_id, min(trade_date) as first_trade_date
    from {{ ref('stg_prices') }}
    group by security_id
),

data_start as (
    select min(trade_date) as first_price_date from {{ ref('stg_prices') }}
),

sessions as (
    select * from {{ ref('stg_xnys_sessions') }}
),

securities as (
    select * from {{ ref('int_tracking_stock_companies') }}
),

ipo_lines as (
    select s.security_id, s.company_id, s.input_company_id, s.security_type, s.exchange, s.conversion_ratio,
        f.first_trade_date
    from securities as s
    join first_prices as f using (security_id)
    cross join data_start as d
    where s.security_type in {{ sql_values(var('eligible_security_types')) }}
      and s.exchange <> 'UNLISTED'
      and s.listing_date > d.first_price_date
      and f.first_trade_date > d.first_price_date
),

company_shares as (
    -- all common classes of the company on its first day, in main-class equivalents
    select i.security_id, {{ exact_sum('h.shares_outstanding * s.conversion_ratio') }} as total_shares
    from ipo_lines as i
    join securities as s
        on s.company_id = i.company_id and s.security_type in {{ sql_values(var('eligible_security_types')) }}
    asof join {{ ref('stg_shares') }} as h
        on h.security_id = s.security_id and h.effective_date <= i.first_trade_date
    group by i.security_id
)

select
    i.security_id,
    i.company_id,
    i.input_company_id,
    i.security_type,
    i.exchange,
    i.first_trade_date,
    p.close_price as first_close,
    p.volume as first_day_volume,
    h.available_shares as first_day_available_shares,
    h.available_shares * p.close_price as first_day_float_cap,
    c.total_shares * p.close_price / i.conversion_ratio as first_day_total_cap,
    h.available_shares / nullif(h.shares_outstanding, 0) as first_day_float_factor,
    fe.session_date as fast_entry_first_session
from ipo_lines as i
join {{ ref('stg_prices') }} as p on p.security_id = i.security_id and p.trade_date = i.first_trade_date
asof join {{ ref('stg_shares') }} as h on h.security_id = i.security_id and h.effective_date <= i.first_trade_date
join company_shares as c on c.security_id = i.security_id
join sessions as s0 on s0.session_date = i.first_trade_date
left join sessions as fe on fe.session_number = s0.session_number + {{ var('fast_entry_trading_days') }}
