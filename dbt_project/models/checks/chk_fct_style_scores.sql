{%- set low = var('style_pure_threshold') %}
select
    recon_id,
    security_id,
    company_id,
    base_index_code,
    event,
    valid_from,
    cvs_source,
    value_probability,
    growth_probability,
    defensive_probability,
    dynamic_probability,
    value_probability + growth_probability - 1 as value_growth_gap,
    defensive_probability + dynamic_probability - 1 as defensive_dynamic_gap,
    {%- for p in ['value_probability', 'growth_probability', 'defensive_probability', 'dynamic_probability'] %}
    coalesce({{ p }} < 0 or {{ p }} > 1 or ({{ p }} > 0 and {{ p }} < {{ low }} - 1e-12)
        or ({{ p }} > 1 - {{ low }} + 1e-12 and {{ p }} < 1), false) as {{ p }}_forbidden,
    {%- endfor %}
    (defensive_probability is not null) != (base_index_code in ('R1000', 'R2000'))
        or (dynamic_probability is not null) != (base_index_code in ('R1000', 'R2000')) as stability_pair_misplaced,
    (stability_score is not null) != (event = 'reconstitution' and base_index_code in ('R1000', 'R2000'))
        as stability_score_misplaced,
    event = 'reconstitution' and cvs is null as reconstitution_without_cvs,
    rank_date,
    latest_input_date,
    coalesce(latest_input_date > rank_date, false) as uses_input_after_rank_day
from {{ ref('fct_style_scores') }}
