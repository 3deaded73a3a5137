-- asset: marts/fct_industry_contribution
-- examples: index_code, period_type, period_end
-- Per index and month, quarter or year: the industries' contributions sum to the index's total return (within
-- 1e-9); index_total_return is one value per period and equals the period's total return in
-- fct_index_period_returns (within 1e-9); one row per industry. Built from the union of both marts' periods, so a
-- period missing on one side shows up as a missing gap. Aggregated in DuckDB: one row per index and period.
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
    from main.fct_industry_contribution
    group by all
),

periods as (
    select index_code, period_type, period_end, total_return as period_total_return
    from main.fct_index_period_returns
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
