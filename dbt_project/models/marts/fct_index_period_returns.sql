-- Month, quarter and year returns of every index from its daily levels (docs/contract.md §3, docs/methodology.md §7: period
-- return = IV1 / IV0 - 1), and the growth of 1,000 invested at the index's start (total return, §8).
-- A period is reported when the index has a level at the end of the period before (so the first, partial period
-- after an index starts is left out); is_complete is false for a period still running at the last price date.
with levels as (
    select index_code, date, price_level, total_return_level from {{ ref('fct_index_levels') }}
),

starts as (
    select index_code, arg_min(total_return_level, date) as start_total_return_level
    from levels
    group by index_code
),

period_types as (
    select * from (values ('month'), ('quarter'), ('year')) as t (period_type)
),

sessions as (
    select session_date from {{ ref('stg_xnys_sessions') }}
),

period_ends as (
    select
        l.index_code,
        p.period_type,
        date_trunc(p.period_type, l.date)::date as period_start,
        max(l.date) as period_end,
        arg_max(l.price_level, l.date) as price_level,
        arg_max(l.total_return_level, l.date) as total_return_level
    from levels as l
    cross join period_types as p
    group by all
),

chained as (
    select
        *,
        lag(period_start) over by_period as previous_period_start,
        lag(price_level) over by_period as previous_price_level,
        lag(total_return_level) over by_period as previous_total_return_level
    from period_ends
    window by_period as (partition by index_code, period_type order by period_start)
),

last_sessions as (
    select p.period_type, date_trunc(p.period_type, s.session_date)::date as period_start, max(s.session_date)
        as last_session
    from sessions as s
    cross join period_types as p
    group by all
)

select
    c.index_code,
    c.period_type,
    c.period_end,
    c.price_level / c.previous_price_level - 1 as price_return,
    c.total_return_level / c.previous_total_return_level - 1 as total_return,
    1000 * c.total_return_level / s.start_total_return_level as growth_of_1000,
    c.period_end = l.last_session as is_complete
from chained as c
join starts as s using (index_code)
join last_sessions as l using (period_type, period_start)
where c.previous_period_start = case c.period_type
        when 'month' then c.period_start - interval 1 month
        when 'quarter' then c.period_start - interval 3 month
        else c.period_start - interval 1 year
    end
order by c.index_code, c.period_type, c.period_end
