-- Weight and constituent count of each ICB industry per index and month end (docs/methodology.md §7-§8, docs/contract.md
-- §3): the index's holdings on the last session of the month, each company in the industry it is classified in
-- on that day (point in time). All 11 industries appear for every index and month end, with zero weight when
-- empty, so the weights sum to 1 and charts keep a fixed set of bars; a twelfth row, Unclassified, appears only
-- when some holdings have no classification on that day.
with holdings as (
    select * from {{ ref('fct_index_holdings') }}
),

month_ends as (
    select max(session_date) as as_of_date
    from {{ ref('stg_xnys_sessions') }}
    group by date_trunc('month', session_date)
),

month_end_holdings as (
    select h.index_code, h.as_of_date, h.security_id, h.weight, s.company_id
    from holdings as h
    join month_ends as m using (as_of_date)
    join {{ ref('stg_securities') }} as s using (security_id)
),

classification_spans as (
    {{ classification_spans() | indent(4) }}
),

classified as (
    -- a company without a classification on that day counts as Unclassified (a delivery without the optional
    -- classifications file has only that); the classification in force is the one whose span holds the day (an
    -- equality join on the company: cheaper than an asof join, which sorts every holding)
    select h.*, coalesce(c.icb_industry, 'Unclassified') as icb_industry
    from month_end_holdings as h
    left join classification_spans as c
        on c.company_id = h.company_id and h.as_of_date >= c.effective_date and h.as_of_date < c.valid_to
),

industries as (
    select * from (values
        ('Technology'), ('Telecommunications'), ('Health Care'), ('Financials'), ('Real Estate'),
        ('Consumer Discretionary'), ('Consumer Staples'), ('Industrials'), ('Basic Materials'), ('Energy'),
        ('Utilities')
    ) as t (icb_industry)
),

grid as (
    select h.index_code, h.as_of_date, i.icb_industry
    from (select distinct index_code, as_of_date from month_end_holdings) as h
    cross join industries as i
    union
    -- Unclassified only where it holds something, so a fully classified index keeps the 11 industries
    select distinct index_code, as_of_date, icb_industry
    from classified
    where icb_industry = 'Unclassified'
),

sums as (
    select index_code, as_of_date, icb_industry, {{ exact_sum('weight', 18) }}::double as weight, count(*) as constituent_count
    from classified
    group by all
)

select
    g.index_code,
    g.as_of_date,
    g.icb_industry,
    coalesce(s.weight, 0.0) as weight,
    coalesce(s.constituent_count, 0) as constituent_count
from grid as g
left join sums as s using (index_code, as_of_date, icb_industry)
order by g.index_code, g.as_of_date, g.icb_industry
