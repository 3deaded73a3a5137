-- Stability scores of every R1000 and R2000 company on a reconstitution's rank day (docs/methodology.md §6, project
-- decision 4). Each raw indicator becomes a 0-1 score by its percentile rank among the base index's companies
-- with a valid value ((average rank - 1) / (n - 1), ties averaged; 1 when a single company has one), oriented so
-- that low debt/equity, high pre-tax ROA, low earnings variability and low volatility score near 1. A missing
-- indicator scores 0.25; earnings variability with a median EPS <= 0 (and 20 quarters) scores 0, the most dynamic.
-- quality = mean of the debt/equity, ROA and variability scores; volatility = mean of the weekly and monthly
-- volatility scores; stability_score = 0.5 quality + 0.5 volatility (high = defensive).
{%- set indicators = [
    ('debt_to_equity', 'desc'),
    ('pretax_roa', 'asc'),
    ('eps_variability', 'desc'),
    ('weekly_volatility', 'desc'),
    ('monthly_volatility', 'desc'),
] %}
with inputs as (
    select * from {{ ref('int_style_inputs') }} where base_index_code in ('R1000', 'R2000')
),

scored as (
    select
        *,
        {%- for name, direction in indicators %}
        -- 'asc': the highest value scores 1; 'desc': the lowest value scores 1
        case when {{ name }} is not null then
            coalesce(
                (rank() over (partition by recon_id, base_index_code, {{ name }} is null order by {{ name }} {{ direction }})
                 + (count(*) over (partition by recon_id, base_index_code, {{ name }}) - 1) / 2.0
                 - 1)
                / nullif(count({{ name }}) over (partition by recon_id, base_index_code) - 1, 0),
                1.0
            )
        end as {{ name }}_percentile{{ ',' if not loop.last }}
        {%- endfor %}
    from inputs
),

with_missing as (
    select
        *,
        coalesce(debt_to_equity_percentile, {{ var('stability_missing_score') }}) as debt_to_equity_score,
        coalesce(pretax_roa_percentile, {{ var('stability_missing_score') }}) as pretax_roa_score,
        case
            when eps_quarters >= {{ var('stability_eps_quarters') }} and eps_median <= 0 then 0.0
            else coalesce(eps_variability_percentile, {{ var('stability_missing_score') }})
        end as eps_variability_score,
        coalesce(weekly_volatility_percentile, {{ var('stability_missing_score') }}) as weekly_volatility_score,
        coalesce(monthly_volatility_percentile, {{ var('stability_missing_score') }}) as monthly_volatility_score
    from scored
)

select
    recon_id,
    company_id,
    base_index_code,
    debt_to_equity,
    pretax_roa,
    eps_quarters,
    eps_median,
    eps_variability,
    weekly_volatility,
    monthly_volatility,
    debt_to_equity_score,
    pretax_roa_score,
    eps_variability_score,
    weekly_volatility_score,
    monthly_volatility_score,
    (debt_to_equity_score + pretax_roa_score + eps_variability_score) / 3 as quality_score,
    (weekly_volatility_score + monthly_volatility_score) / 2 as volatility_score,
    0.5 * (debt_to_equity_score + pretax_roa_score + eps_variability_score) / 3
        + 0.5 * (weekly_volatility_score + monthly_volatility_score) / 2 as stability_score
from with_missing
