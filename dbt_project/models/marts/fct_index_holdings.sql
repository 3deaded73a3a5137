-- Float-adjusted holdings of every index on each rebalance effective date and month end
-- (METHODOLOGY §4, §7.1: float cap = index available shares x primary close; a style or stability index holds
-- the part of it given by the security's inclusion factor, its probability). The composition is the one in force
-- for the next session and it is priced at the as-of date's close: on an effective date these are the opening
-- weights of the new composition; on a month end, the weights carried into the next month.
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

members as (
    select d.as_of_date, d.next_session, m.index_code, m.security_id, m.inclusion_factor
    from dated as d
    join {{ ref('fct_index_membership') }} as m
        on m.valid_from <= d.next_session and (m.valid_to is null or m.valid_to > d.next_session)
),

lines as (
    select distinct as_of_date, next_session, security_id from members
),

same_day as (
    -- nearly every member trades on the as-of date: an equality join, with an as-of lookup only for the rest
    select l.as_of_date, l.next_session, l.security_id, p.close_price
    from lines as l
    left join {{ ref('stg_prices') }} as p on p.security_id = l.security_id and p.trade_date = l.as_of_date
),

closes as (
    select as_of_date, next_session, security_id, close_price from same_day where close_price is not null
    union all
    select s.as_of_date, s.next_session, s.security_id, p.close_price
    from (select * from same_day where close_price is null) as s
    asof join {{ ref('stg_prices') }} as p on p.security_id = s.security_id and p.trade_date <= s.as_of_date
),

priced as (
    -- the index's own shares and float in force for the next session (int_index_shares: quarterly updates with
    -- their buffers, corporate events at once); a line not yet through an update uses the raw float
    select
        c.as_of_date,
        c.security_id,
        c.close_price,
        coalesce(i.index_available_shares, h.available_shares) as available_shares,
        coalesce(i.index_shares, h.shares_outstanding) as index_shares
    from closes as c
    asof left join {{ ref('int_index_shares') }} as i
        on i.security_id = c.security_id and i.apply_date <= c.next_session
    asof left join {{ ref('stg_shares') }} as h on h.security_id = c.security_id and h.effective_date <= c.as_of_date
),

capped as (
    select
        m.index_code,
        m.as_of_date,
        m.security_id,
        m.inclusion_factor,
        p.available_shares,
        p.index_shares,
        p.close_price,
        p.available_shares * p.close_price * m.inclusion_factor as float_market_cap,
        p.index_shares * p.close_price as total_market_cap
    from members as m
    join priced as p using (as_of_date, security_id)
)

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
    float_market_cap / {{ exact_sum('float_market_cap', 2) }} over (partition by index_code, as_of_date) as weight
from capped
order by index_code, as_of_date, security_id
