-- fct_index_constituents_daily (a view over every session, ~100M rows on the default market) against
-- fct_index_holdings on the latest date that mart has: the same lines with weights within 1e-12, and weights
-- summing to 1 per index. The date is read when the test runs and goes into the SQL as a literal, so only that
-- day of the view is computed (a filter from a subquery would not reach the view's membership and prices).
-- Returns the lines the two disagree on and the indexes whose weights do not add up.
{{ config(meta={'dagster': {'ref': {'name': 'fct_index_constituents_daily'}}}) }}
{%- set latest = none %}
{%- if execute %}
    {%- set latest = run_query('select max(as_of_date) from ' ~ ref('fct_index_holdings')).columns[0].values()[0] %}
{%- endif %}
{%- set day = "date '" ~ latest ~ "'" if latest else 'null' %}
with daily as (
    select * from {{ ref('fct_index_constituents_daily') }} where date = {{ day }}
),

holdings as (
    select * from {{ ref('fct_index_holdings') }} where as_of_date = {{ day }}
),

lines as (
    select
        coalesce(d.index_code, h.index_code) as index_code,
        coalesce(d.security_id, h.security_id) as security_id,
        d.weight as daily_weight,
        h.weight as holdings_weight,
        null::double as weight_sum
    from daily as d
    full join holdings as h on h.index_code = d.index_code and h.security_id = d.security_id
    where d.security_id is null or h.security_id is null or abs(d.weight - h.weight) > 1e-12
),

sums as (
    select index_code, null as security_id, null::double, null::double, sum(weight) as weight_sum
    from daily
    group by all
    having abs(sum(weight) - 1) > 1e-9
)

select * from lines
union all
select * from sums
