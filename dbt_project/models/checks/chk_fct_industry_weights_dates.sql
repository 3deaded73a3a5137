with sums as (
    select
        index_code,
        as_of_date,
        count(*) as industries,
        {{ exact_sum('weight', 18) }}::double as weight_sum,
        count(*) filter (where weight < 0) as negative_weights,
        sum(constituent_count) as classified_constituents
    from {{ ref('fct_industry_weights') }}
    group by all
),

holdings as (
    select index_code, as_of_date, count(*) as holdings
    from {{ ref('fct_index_holdings') }}
    group by all
)

select
    s.*,
    h.holdings,
    s.classified_constituents - h.holdings as unclassified_gap
from sums as s
join holdings as h using (index_code, as_of_date)
