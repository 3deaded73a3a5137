-- asset: marts/fct_index_holdings
-- examples: index_code, as_of_date
-- Per index and holdings date: weights sum to 1 (±1e-9), none is negative, and no float cap exceeds the
-- line's total cap. Aggregated in DuckDB, so millions of holdings rows become a few thousand checked rows.
select
    index_code,
    as_of_date,
    count(*) as holdings,
    {{ exact_sum('weight', 18) }}::double as weight_sum,
    count(*) filter (where weight < 0) as negative_weights,
    count(*) filter (where float_market_cap > total_market_cap * (1 + 1e-12)) as float_above_total
from main.fct_index_holdings
group by all
