{%- set bound = var('max_unexplained_daily_index_move') %}
with levels as (
    select
        index_code,
        date,
        price_level,
        total_return_level,
        price_return,
        total_return,
        constituent_count,
        lag(price_level) over by_date as previous_price_level,
        lag(total_return_level) over by_date as previous_total_return_level,
        row_number() over by_date = 1 as is_base,
        count(*) over (partition by index_code, date) > 1 as duplicated
    from {{ ref('fct_index_levels') }}
    window by_date as (partition by index_code order by date)
),

big_moves as (
    select index_code, date
    from levels
    where abs(price_return) > {{ bound }}
),

explained as (
    select b.index_code, b.date
    from big_moves as b
    where
        b.date in (select first_session from {{ ref('int_rebalance_calendar') }})
        or exists (
            select 1
            from {{ ref('stg_corporate_actions') }} as a
            join {{ ref('fct_index_membership') }} as m
                on m.security_id = a.security_id
                and m.valid_from <= a.ex_date
                and coalesce(m.valid_to, date '9999-12-31') >= a.ex_date
            where a.ex_date = b.date and m.index_code = b.index_code and a.action_type != 'cash_dividend'
        )
),

checked as (
    select
        l.*,
        coalesce(l.price_level > 0 and l.total_return_level > 0, false) as positive_levels,
        l.is_base != (l.price_return is null) or l.is_base != (l.total_return is null) as return_misplaced,
        abs(l.price_return - (l.price_level / l.previous_price_level - 1)) as price_return_gap,
        abs(l.total_return - (l.total_return_level / l.previous_total_return_level - 1)) as total_return_gap,
        l.total_return < l.price_return - 1e-12 as total_below_price,
        l.price_return is not null and coalesce(l.constituent_count, 0) <= 0 as empty_return_day,
        b.date is not null and e.date is null as unexplained_move
    from levels as l
    left join big_moves as b using (index_code, date)
    left join explained as e using (index_code, date)
),

flagged as (
    select
        *,
        duplicated
        or not positive_levels
        or return_misplaced
        or coalesce(price_return_gap > 1e-9, false)
        or coalesce(total_return_gap > 1e-9, false)
        or coalesce(total_below_price, false)
        or empty_return_day
        or unexplained_move as failing
    from checked
)

select
    index_code,
    date_trunc('month', date)::date as month,
    count(*) as level_rows,
    count(*) - count(distinct date) as duplicate_dates,
    count(*) filter (where not positive_levels) as non_positive_levels,
    min(price_level) as min_price_level,
    min(total_return_level) as min_total_return_level,
    count(*) filter (where return_misplaced) as misplaced_returns,
    coalesce(max(price_return_gap), 0) as max_price_return_gap,
    coalesce(max(total_return_gap), 0) as max_total_return_gap,
    count(*) filter (where total_below_price) as total_below_price_days,
    count(*) filter (where empty_return_day) as empty_return_days,
    max(abs(price_return)) as largest_price_move,
    count(*) filter (where unexplained_move) as unexplained_moves,
    array_to_string(list_slice(list(date order by date) filter (where failing), 1, 3), ', ') as failing_dates
from flagged
group by all
