-- Each security's daily price and total return from unadjusted closes (docs/methodology.md §7, project decisions 6 and 8):
-- on an ex-date, the value of one old share is the new close times the split ratio, plus special dividends and
-- the spun-off shares at the new line's close; the total return also adds ordinary cash dividends. Cash amounts
-- are per share after a same-day split. The first row of a line has no return.
-- A cash or stock deal's target is priced on its ex-date at the deal value (decision 8, docs/methodology.md §3): the cash
-- per share, or the acquirer's close times the ratio plus any cash (the one-day synthetic price), whether or not
-- the target still traded that day; int_security_exits removes it after that close.
{{ config(materialized='incremental', unique_key='trade_date', incremental_strategy='delete+insert') }}
with all_traded as not materialized (
    -- read three times: scanning the prices again is cheaper than holding all 15M rows as a materialized CTE
    select security_id, trade_date, close_price from {{ ref('stg_prices') }}
),

actions as (
    select * from {{ ref('stg_corporate_actions') }}
),

acquirer_prices as (
    -- only the acquirers' prices: an asof join sorts its right side, and all prices are 15M rows
    select * from all_traded
    where security_id in (select related_security_id from actions where action_type = 'stock_merger')
),

deals as (
    select
        a.security_id,
        a.ex_date as trade_date,
        case
            when a.action_type = 'cash_acquisition' then a.cash_amount
            else a.ratio * acquirer.close_price + coalesce(a.cash_amount, 0.0)
        end as close_price
    from actions as a
    asof left join acquirer_prices as acquirer
        on acquirer.security_id = a.related_security_id and acquirer.trade_date <= a.ex_date
    where a.action_type in ('cash_acquisition', 'stock_merger')
),

all_prices as not materialized (
    -- read twice by a one-day run, each time with its own date filter: the day's rows (a few row groups of the
    -- date-ordered prices) and the earlier ones (the previous closes). Materialized, it would hold all 15M rows first
    select t.security_id, t.trade_date, t.close_price, false as is_deal_price
    from all_traded as t
    anti join deals as d on d.security_id = t.security_id and d.trade_date = t.trade_date
    union all
    select security_id, trade_date, close_price, true from deals where close_price > 0
),

prices as (
    {%- if is_incremental() %}
    -- a one-day run: that day on, plus each line's last price before it (its previous close)
    select * from all_prices where trade_date >= {{ incremental_start('trade_date') }}
    union all
    select security_id, max(trade_date), arg_max(close_price, trade_date), arg_max(is_deal_price, trade_date)
    from all_prices
    where trade_date < {{ incremental_start('trade_date') }}
    group by security_id
    {%- else %}
    select * from all_prices
    {%- endif %}
),

lagged as (
    select
        security_id,
        trade_date,
        close_price,
        is_deal_price,
        lag(trade_date) over by_line as previous_trade_date,
        lag(close_price) over by_line as previous_close
    from prices
    window by_line as (partition by security_id order by trade_date)
),

spin_off_values as (
    select a.security_id, a.ex_date, sum(a.ratio * p.close_price order by a.action_id) as spin_off_value
    from actions as a
    join all_traded as p on p.security_id = a.related_security_id and p.trade_date = a.ex_date
    where a.action_type = 'spin_off'
    group by all
),

ex_date_effects as (
    select
        security_id,
        ex_date,
        coalesce(product(ratio order by action_id) filter (where action_type = 'split'), 1.0) as split_factor,
        coalesce(sum(cash_amount order by action_id) filter (where action_type = 'cash_dividend'), 0.0) as cash_dividend,
        coalesce(sum(cash_amount order by action_id) filter (where action_type = 'special_dividend'), 0.0) as special_dividend
    from actions
    where action_type in ('split', 'cash_dividend', 'special_dividend')
    group by all
),

ex_date_values as (
    -- both kinds of effect per line and ex-date (at most one row of each), so every price probes one small table
    -- instead of two
    select
        security_id,
        ex_date,
        max(split_factor) as split_factor,
        max(cash_dividend) as cash_dividend,
        max(special_dividend) as special_dividend,
        max(spin_off_value) as spin_off_value
    from (
        select security_id, ex_date, split_factor, cash_dividend, special_dividend, null::double as spin_off_value
        from ex_date_effects
        union all
        select security_id, ex_date, null, null, null, spin_off_value
        from spin_off_values
    )
    group by all
),

valued as (
    select
        l.*,
        coalesce(e.split_factor, 1.0) as split_factor,
        coalesce(e.cash_dividend, 0.0) as cash_dividend,
        coalesce(e.special_dividend, 0.0) as special_dividend,
        coalesce(e.spin_off_value, 0.0) as spin_off_value
    from lagged as l
    left join ex_date_values as e on e.security_id = l.security_id and e.ex_date = l.trade_date
)

select
    security_id,
    trade_date,
    previous_trade_date,
    close_price,
    previous_close,
    is_deal_price,
    split_factor,
    cash_dividend,
    special_dividend,
    spin_off_value,
    (split_factor * (close_price + special_dividend) + spin_off_value) / previous_close - 1 as price_return,
    (split_factor * (close_price + special_dividend + cash_dividend) + spin_off_value) / previous_close - 1
        as total_return
from valued
where previous_close is not null
{%- if is_incremental() %}
  and trade_date >= {{ incremental_start('trade_date') }}
{%- endif %}
