-- Float-adjusted holdings of every index on each rebalance effective date and month end
-- (docs/methodology.md §4, §7.1: float cap = index available shares x primary close; a style or stability index holds
-- the part of it given by the security's inclusion factor, its probability). The composition is the one in force
-- for the next session and it is priced at the as-of date's close: on an effective date these are the opening
-- weights of the new composition; on a month end, the weights carried into the next month. The as-of logic is
-- the composition_at_close macro, shared with fct_index_constituents_daily (every session).
with sessions as (
    select * from {{ ref('stg_xnys_sessions') }}
),

calendar as (
    select * from {{ ref('int_rebalance_calendar') }}
),

span as (
    select
        (select min(first_session) from calendar where event_type = 'reconstitution') as first_member_day,
        (select max(trade_date) from {{ ref('stg_prices') }}) as last_price_date
),

holding_dates as (
    select effective_date as as_of_date from calendar
    union
    select max(session_date) from sessions group by date_trunc('month', session_date)
),

dated as (
    select
        d.as_of_date,
        (select min(s.session_date) from sessions as s where s.session_date > d.as_of_date) as next_session
    from holding_dates as d
    cross join span
    where d.as_of_date >= (select max(effective_date) from calendar, span
                           where first_session = span.first_member_day)
      and d.as_of_date <= span.last_price_date
),

{{ composition_at_close('dated') }}

select
    index_code,
    as_of_date,
    security_id,
    inclusion_factor,
    available_shares,
    index_shares,
    close_price,
    float_market_cap,
    total_market_cap,
    weight
from weighted
order by index_code, as_of_date, security_id
