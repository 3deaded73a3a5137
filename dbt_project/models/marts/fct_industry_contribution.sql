-- Each ICB industry's return and contribution to its index's total return per month, quarter and year
-- (docs/contract.md §3, docs/methodology.md §8, project decision 9). Daily, an industry contributes its beginning-of-day
-- weight times its return: c = (end cap - beginning cap) / the index's beginning cap, and the industries of a day
-- add up to the index's return. Over a period the days are linked geometrically: each day's contribution is
-- scaled by the index's growth since the period began (level the session before / level at the start), so the
-- industry contributions add up exactly to the index's total return for the period (decision 9). industry_return
-- compounds the industry's own daily returns. Periods are those of fct_index_period_returns.
-- Incremental by calendar year: a run of one day (macro incremental_start) recomputes the periods of that day's
-- year and later ones, and replaces every stored row of those years (unique_key is the year of period_end: a
-- month, quarter or year ends in the year it starts). A period's rows read only its own days and the level before
-- it, so they come out with the same bits as in a full build.
{{ config(materialized='incremental', unique_key='year(period_end)', incremental_strategy='delete+insert') }}
{%- set from_year = "date_trunc('year', " ~ incremental_start('period_end') ~ ")::date" %}
with daily as (
    select * from {{ ref('int_index_daily_industry_returns') }}
    {%- if is_incremental() %}
    where trade_date >= {{ from_year }}
    {%- endif %}
),

index_days as (
    select index_code, trade_date, sum(begin_cents) as index_begin_cents
    from daily
    group by all
),

levels as (
    select
        index_code,
        date,
        total_return_level,
        lag(total_return_level) over (partition by index_code order by date) as previous_level
    from {{ ref('fct_index_levels') }}
),

periods as (
    select index_code, period_type, period_end, total_return,
        case period_type
            when 'month' then date_trunc('month', period_end)
            when 'quarter' then date_trunc('quarter', period_end)
            else date_trunc('year', period_end)
        end::date as period_start
    from {{ ref('fct_index_period_returns') }}
    {%- if is_incremental() %}
    where period_end >= {{ from_year }}
    {%- endif %}
),

period_start_levels as (
    -- the level at the close before the period's first day
    select p.*, arg_max(l.total_return_level, l.date) as start_level
    from periods as p
    join levels as l on l.index_code = p.index_code and l.date < p.period_start
    group by all
),

industry_days as (
    select
        d.index_code,
        d.trade_date,
        d.icb_industry,
        (d.total_end_cents - d.begin_cents)::double / i.index_begin_cents::double as daily_contribution,
        d.total_end_cents::double / nullif(d.begin_cents, 0)::double - 1 as daily_industry_return,
        l.previous_level
    from daily as d
    join index_days as i using (index_code, trade_date)
    join levels as l on l.index_code = d.index_code and l.date = d.trade_date
    where i.index_begin_cents > 0
)

select
    p.index_code,
    p.period_type,
    p.period_end,
    d.icb_industry,
    exp(sum(ln(1 + d.daily_industry_return) order by d.trade_date)) - 1 as industry_return,
    sum(d.daily_contribution * d.previous_level / p.start_level order by d.trade_date) as contribution,
    p.total_return as index_total_return
from period_start_levels as p
join industry_days as d
    on d.index_code = p.index_code and d.trade_date >= p.period_start and d.trade_date <= p.period_end
group by p.index_code, p.period_type, p.period_end, d.icb_industry, p.total_return
order by p.index_code, p.period_type, p.period_end, d.icb_industry
