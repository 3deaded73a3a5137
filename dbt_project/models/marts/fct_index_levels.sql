-- Daily price and total-return levels of every index (docs/contract.md §3, docs/methodology.md §7, decisions 6 and 8):
-- R_t = sum(beginning float cap x (1 + member return)) / sum(beginning float cap) - 1 over the composition in
-- force that day, chained from the index's base value. Reconstitutions, IPO additions, share and float updates
-- and corporate actions change the composition or the shares between two closes, so the level never jumps.
-- The series starts at the base value on the later of the official base date (dim_index) and the last session
-- before the index's first composition in the data (the synthetic market starts in 2015, long after most base
-- dates). Levels compound exact DECIMAL sums of ln(1 + R) rounded to 18 places, so a rerun, or a day added on its
-- own, gives the same bits as a full rebuild.
{{ config(materialized='incremental', unique_key='date', incremental_strategy='delete+insert') }}
with daily as (
    select
        index_code,
        trade_date,
        sum(constituent_count) as constituent_count,
        sum(begin_cents) as begin_cents,
        sum(price_end_cents) as price_end_cents,
        sum(total_end_cents) as total_end_cents
    from {{ ref('int_index_daily_industry_returns') }}
    {%- if is_incremental() %}
    where trade_date >= {{ incremental_start('date') }}
    {%- endif %}
    group by all
),

sessions as (
    select session_date, lag(session_date) over (order by session_date) as previous_session
    from {{ ref('stg_xnys_sessions') }}
),

starts as (
    {%- if is_incremental() %}
    -- a one-day run continues each series from the table: same start, and the exact log sums so far
    select i.index_code, i.base_value, min(t.date) as start_date
    from {{ this }} as t
    join {{ ref('dim_index') }} as i using (index_code)
    group by i.index_code, i.base_value
    {%- else %}
    select
        i.index_code,
        i.base_value,
        greatest(i.base_date, min(s.previous_session)) as start_date
    from {{ ref('dim_index') }} as i
    join daily as d using (index_code)
    join sessions as s on s.session_date = d.trade_date
    group by i.index_code, i.base_value, i.base_date
    {%- endif %}
),

carried as (
    {%- if is_incremental() %}
    select
        index_code,
        arg_max(cumulative_log_price, date) as cumulative_log_price,
        arg_max(cumulative_log_total, date) as cumulative_log_total
    from {{ this }}
    where date < {{ incremental_start('date') }}
    group by index_code
    {%- else %}
    select null::varchar as index_code, 0::decimal(38, 18) as cumulative_log_price,
        0::decimal(38, 18) as cumulative_log_total
    where false
    {%- endif %}
),

returns as (
    select
        d.index_code,
        d.trade_date,
        d.constituent_count,
        d.price_end_cents::double / 100 as float_market_cap,
        d.price_end_cents::double / d.begin_cents::double - 1 as price_return,
        d.total_end_cents::double / d.begin_cents::double - 1 as total_return
    from daily as d
    join starts as s using (index_code)
    where d.trade_date > s.start_date and d.begin_cents > 0
),

logged as (
    select
        *,
        round(ln(1 + price_return), 18)::decimal(38, 18) as log_price_return,
        round(ln(1 + total_return), 18)::decimal(38, 18) as log_total_return
    from returns
),

chained as (
    select
        l.*,
        coalesce(c.cumulative_log_price, 0) + sum(l.log_price_return) over by_day as cumulative_log_price,
        coalesce(c.cumulative_log_total, 0) + sum(l.log_total_return) over by_day as cumulative_log_total
    from logged as l
    left join carried as c using (index_code)
    window by_day as (partition by l.index_code order by l.trade_date rows unbounded preceding)
),

base_rows as (
    select
        s.index_code,
        s.start_date as date,
        s.base_value::double as price_level,
        s.base_value::double as total_return_level,
        null::double as price_return,
        null::double as total_return,
        null::bigint as constituent_count,
        null::double as float_market_cap,
        0::decimal(38, 18) as cumulative_log_price,
        0::decimal(38, 18) as cumulative_log_total
    from starts as s
)

{%- if not is_incremental() %}
select * from base_rows
union all
{%- endif %}
select
    c.index_code,
    c.trade_date as date,
    s.base_value * exp(c.cumulative_log_price::double) as price_level,
    s.base_value * exp(c.cumulative_log_total::double) as total_return_level,
    c.price_return,
    c.total_return,
    c.constituent_count,
    c.float_market_cap,
    c.cumulative_log_price,
    c.cumulative_log_total
from chained as c
join starts as s using (index_code)
order by index_code, date
