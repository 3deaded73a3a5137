with contributions as (
    select
        index_code,
        period_type,
        period_end,
        count(*) as industry_rows,
        count(*) - count(distinct icb_industry) as duplicate_industries,
        sum(contribution) as contribution_sum,
        min(index_total_return) as index_total_return,
        max(index_total_return) - min(index_total_return) as index_total_return_spread
    from {{ ref('fct_industry_contribution') }}
    group by all
),

periods as (
    select index_code, period_type, period_end, total_return as period_total_return
    from {{ ref('fct_index_period_returns') }}
)

select
    index_code,
    period_type,
    period_end,
    coalesce(c.industry_rows, 0) as industry_rows,
    c.duplicate_industries,
    c.contribution_sum,
    c.index_total_return,
    p.period_total_return,
    c.contribution_sum - c.index_total_return as contribution_gap,
    c.index_total_return_spread,
    c.index_total_return - p.period_total_return as period_return_gap
from contributions as c
full join periods as p using (index_code, period_type, period_end)
