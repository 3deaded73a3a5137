with levels as (
    select index_code, date, price_level, total_return_level from {{ ref('fct_index_levels') }}
),

firsts as (
    select index_code, arg_min(total_return_level, date) as first_total_return_level
    from levels
    group by index_code
),

periods as (
    select
        r.*,
        date_trunc(r.period_type, r.period_end)::date as period_start,
        (date_trunc(r.period_type, r.period_end) + case r.period_type
            when 'month' then interval 1 month
            when 'quarter' then interval 3 month
            else interval 1 year
        end)::date as next_period_start
    from {{ ref('fct_index_period_returns') }} as r
),

bounds as (
    -- the last level before the period began, and the last level before the next one began
    select p.index_code, p.period_type, p.period_end, s.date as previous_level_date, e.date as last_level_date
    from periods as p
    asof left join levels as s on s.index_code = p.index_code and s.date < p.period_start
    asof left join levels as e on e.index_code = p.index_code and e.date < p.next_period_start
),

months as (
    -- each quarter and year with the months inside it, compounded
    select
        p.index_code,
        p.period_type,
        p.period_end,
        count(m.period_end) as months,
        product(1 + m.price_return) as compounded_price_growth,
        product(1 + m.total_return) as compounded_total_growth
    from periods as p
    join periods as m
        on m.index_code = p.index_code
        and m.period_type = 'month'
        and m.period_end >= p.period_start
        and m.period_end <= p.period_end
    where p.period_type in ('quarter', 'year')
    group by all
)

select
    p.index_code,
    p.period_type,
    p.period_end,
    p.is_complete,
    b.previous_level_date,
    b.last_level_date,
    coalesce(b.last_level_date = p.period_end, false) as period_end_is_last_level_date,
    (1 + p.price_return) - e.price_level / s.price_level as price_chain_gap,
    (1 + p.total_return) - e.total_return_level / s.total_return_level as total_chain_gap,
    p.growth_of_1000 / (1000 * e.total_return_level / f.first_total_return_level) - 1 as growth_of_1000_gap,
    case when p.period_type = 'month' then 0
        else datediff('month', p.period_start, p.period_end) + 1 - coalesce(m.months, 0)
    end as missing_months,
    m.compounded_price_growth - (1 + p.price_return) as compounded_price_gap,
    m.compounded_total_growth - (1 + p.total_return) as compounded_total_gap
from periods as p
left join bounds as b using (index_code, period_type, period_end)
left join levels as e on e.index_code = p.index_code and e.date = p.period_end
left join levels as s on s.index_code = p.index_code and s.date = b.previous_level_date
left join firsts as f on f.index_code = p.index_code
left join months as m using (index_code, period_type, period_end)
