{#- The non-linear probability curve (METHODOLOGY §5, project decision 3), shared by Growth/Value and
    Defensive/Dynamic: with the breaks xl, xm, xu (the scores at 25%, 50% and 75% of cumulative float cap, sorted
    by score), the probability of the high side is 0 at or below xl, 0.5 at xm, 1 at or above xu and linear in the
    score in between; then the 95% rule (a side above 0.95 becomes 1, so the other side below 0.05 becomes 0). -#}
{% macro style_probability(score, xl, xm, xu) -%}
case
    when {{ score }} <= {{ xl }} then 0.0
    when {{ score }} >= {{ xu }} then 1.0
    when {{ score }} <= {{ xm }} then 0.5 * ({{ score }} - {{ xl }}) / ({{ xm }} - {{ xl }})
    else 0.5 + 0.5 * ({{ score }} - {{ xm }}) / ({{ xu }} - {{ xm }})
end
{%- endmacro %}

{% macro ninety_five_percent_rule(probability) -%}
case
    when {{ probability }} > 1 - {{ var('style_pure_threshold') }} then 1.0
    when {{ probability }} < {{ var('style_pure_threshold') }} then 0.0
    else {{ probability }}
end
{%- endmacro %}
