-- asset: marts/fct_style_scores
-- examples: recon_id, security_id, base_index_code, event
-- Per security and reconstitution (and per addition between reconstitutions): growth + value probability = 1
-- (±1e-12), and defensive + dynamic = 1 on R1000/R2000 bases; each probability in [0, 1] and none in
-- (0, 0.05) or (0.95, 1) (the 95% rule; a missing probability is caught by the gap and presence columns);
-- defensive/dynamic present exactly on R1000/R2000 bases, a stability score exactly on their reconstitution rows
-- (additions take a probability, not a score); a CVS on every reconstitution row; one row per (recon_id,
-- company_id, valid_from); and no style or stability input dated after the reconstitution's rank day (point in
-- time: latest_input_date, the latest date of any figure int_style_inputs read for the company).
{%- set low = var('style_pure_threshold') %}
{%- macro forbidden(p) -%}
coalesce({{ p }} < 0 or {{ p }} > 1 or ({{ p }} > 0 and {{ p }} < {{ low }} - 1e-12)
        or ({{ p }} > 1 - {{ low }} + 1e-12 and {{ p }} < 1), false)
{%- endmacro %}
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
    {{ forbidden('value_probability') }} as value_probability_forbidden,
    {{ forbidden('growth_probability') }} as growth_probability_forbidden,
    {{ forbidden('defensive_probability') }} as defensive_probability_forbidden,
    {{ forbidden('dynamic_probability') }} as dynamic_probability_forbidden,
    (defensive_probability is not null) != (base_index_code in ('R1000', 'R2000'))
        or (dynamic_probability is not null) != (base_index_code in ('R1000', 'R2000')) as stability_pair_misplaced,
    (stability_score is not null) != (event = 'reconstitution' and base_index_code in ('R1000', 'R2000'))
        as stability_score_misplaced,
    event = 'reconstitution' and cvs is null as reconstitution_without_cvs,
    rank_date,
    latest_input_date,
    coalesce(latest_input_date > rank_date, false) as uses_input_after_rank_day
from main.fct_style_scores
