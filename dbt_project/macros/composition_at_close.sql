{#- The composition of every index in force for the session after each date of `dates` (a CTE with columns
    as_of_date and next_session), priced at the as-of date's close (docs/methodology.md §4, §7.1: float cap = index
    available shares x primary close x inclusion factor). Expands to the CTEs members, lines, same_day, closes,
    priced, capped, weighted (and index_totals unless inline); the caller selects from `weighted`. fct_index_holdings
    (rebalance dates and month ends) and fct_index_constituents_daily (every session) share it, so both give the
    same weights on the same day.
    Shares are the index's own (int_index_shares: quarterly updates with their buffers, corporate events at once)
    in force for the next session; a line not yet through an update uses the raw shares in force on the as-of
    date. A member with no close that day is priced at its last close before it. inline=true keeps DuckDB from
    materializing the CTEs (it does for one referenced twice), so a view's filter on index and date reaches the
    membership intervals and that day's prices instead of every session being computed first. -#}
{% macro composition_at_close(dates, inline=false) -%}
{%- set as_ = 'as not materialized' if inline else 'as' %}
members {{ as_ }} (
    select d.as_of_date, d.next_session, m.index_code, m.security_id, m.inclusion_factor
    from {{ dates }} as d
    join {{ ref('fct_index_membership') }} as m
        on m.valid_from <= d.next_session and (m.valid_to is null or m.valid_to > d.next_session)
),

lines {{ as_ }} (
    select distinct as_of_date, next_session, security_id from members
),

same_day {{ as_ }} (
    -- nearly every member trades on the as-of date: an equality join; the rest take their last close before it
    select l.as_of_date, l.next_session, l.security_id, p.close_price
    from lines as l
    left join {{ ref('stg_prices') }} as p on p.security_id = l.security_id and p.trade_date = l.as_of_date
),

closes {{ as_ }} (
    select as_of_date, next_session, security_id, close_price from same_day where close_price is not null
    union all
    -- the last close before the as-of date, for the few lines without one that day: a join on the line (not an
    -- as-of join, which would sort every price of every line first)
    select s.as_of_date, s.next_session, s.security_id, arg_max(p.close_price, p.trade_date) as close_price
    from (select * from same_day where close_price is null) as s
    {%- if inline %}
    -- the view: a filter on date reaches same_day here; a subquery on same_day would not take it and would
    -- compute every session's members first (minutes for one day)
    join {{ ref('stg_prices') }} as p on p.security_id = s.security_id and p.trade_date <= s.as_of_date
    {%- else %}
    join (
        -- only those lines' prices: otherwise DuckDB builds its hash table on all 15M prices
        select * from {{ ref('stg_prices') }}
        where security_id in (select security_id from same_day where close_price is null)
    ) as p on p.security_id = s.security_id and p.trade_date <= s.as_of_date
    {%- endif %}
    group by all
),

priced {{ as_ }} (
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

capped {{ as_ }} (
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
),

{%- if inline %}
weighted {{ as_ }} (
    select
        *,
        float_market_cap / {{ exact_sum('float_market_cap', 2) }} over (partition by index_code, as_of_date) as weight
    from capped
)
{%- else %}
index_totals as (
    -- the same exact sum as the window of the inline form, as one aggregate joined back: a window over 8.8M
    -- holdings sorts them all by (index, date) first (9.7 s against 1 s on the default market)
    select index_code, as_of_date, {{ exact_sum('float_market_cap', 2) }} as total_float_market_cap
    from capped
    group by all
),

weighted as (
    select c.*, c.float_market_cap / t.total_float_market_cap as weight
    from capped as c
    join index_totals as t using (index_code, as_of_date)
)
{%- endif %}
{%- endmacro %}
