select
    index_code,
    as_of_date,
    count(*) as holdings,
    {{ exact_sum('weight', 18) }}::double as weight_sum,
    count(*) filter (where weight < 0) as negative_weights,
    count(*) filter (where float_market_cap > total_market_cap * (1 + 1e-12)) as float_above_total
from {{ ref('fct_index_holdings') }}
group by all
