-- Each company's fiscal periods with its total shares at the period end, in main-class equivalents (every common
-- class, listed or not, by its conversion ratio), and sales per share: docs/contract.md §1 divides per-share values by
-- the company's total shares at period_end. The style inputs (five-year sales-per-share growth) and the chartbook
-- characteristics (valuation ratios, growth) read the same figures. A period before any shares row of the company
-- has no total (and no sales per share).
with fundamentals as (
    select * from {{ ref('stg_fundamentals') }}
),

common_lines as (
    select security_id, company_id, conversion_ratio
    from {{ ref('stg_securities') }}
    where security_type in {{ sql_values(var('eligible_security_types')) }}
),

line_shares as (
    select f.company_id, f.period_end, l.conversion_ratio, s.shares_outstanding
    from (select distinct company_id, period_end from fundamentals) as f
    join common_lines as l using (company_id)
    asof join {{ ref('stg_shares') }} as s
        on s.security_id = l.security_id and s.effective_date <= f.period_end
),

totals as (
    select company_id, period_end, {{ exact_sum('shares_outstanding * conversion_ratio', 4) }}::double as total_shares
    from line_shares
    group by all
)

select
    f.*,
    t.total_shares,
    f.sales / nullif(t.total_shares, 0) as sales_per_share
from fundamentals as f
left join totals as t using (company_id, period_end)
