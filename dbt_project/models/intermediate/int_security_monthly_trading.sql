-- Monthly trading totals per security: rank days are month ends, so "the last two years" of volume is the
-- 24 months ending with the rank day's month (pricing vehicle, docs/methodology.md §1; ADDTV of extra classes).
with prices as (
    select * from {{ ref('stg_prices') }}
)

select
    security_id,
    date_trunc('month', trade_date)::date as trade_month,
    sum(volume) as volume,
    {{ exact_sum('volume * close_price', 4) }}::double as dollar_volume,
    count(*) as trading_days,
    -- days with shares traded: a pricing vehicle of an existing member needs 100 of them (int_pricing_vehicles)
    count(*) filter (where volume > 0) as volume_days
from prices
group by all
