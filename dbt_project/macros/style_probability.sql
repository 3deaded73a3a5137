{#- The non-linear probability curve (M7 §8.6-§8.7, project decision 3), shared by Growth/Value and
    Defensive/Dynamic (decision 4). With the breaks xl, xm, xu (the scores at 25%, 50% and 75% of cumulative float
    cap, sorted by score), the probability of the high side (value, defensive) is an S in the score, flat near xl
    and xu and steep around xm:
        score <= xl         0
        xl < score <= xm    0.5 t^k,       t  = (score - xl) / (xm - xl)
        xm < score < xu     1 - 0.5 t'^k,  t' = (xu - score) / (xu - xm)
        score >= xu         1
    k is the rule parameter `style_curve_exponent` (k = 1 is the straight line between the breaks). Then the 95% rule
    (ninety_five_percent_rule): a side above 0.95 becomes 1, so the other side below 0.05 becomes 0. FTSE Russell
    publishes the figure and the outcome only (about 30% of float cap split between the two sides); k is calibrated
    on the default market (docs/style.md). -#}
{% macro style_probability(score, xl, xm, xu) -%}
case
    when {{ score }} <= {{ xl }} then 0.0
    when {{ score }} >= {{ xu }} then 1.0
    when {{ score }} <= {{ xm }}
        then 0.5 * power(({{ score }} - {{ xl }}) / ({{ xm }} - {{ xl }}), {{ var('style_curve_exponent') }})
    else 1 - 0.5 * power(({{ xu }} - {{ score }}) / ({{ xu }} - {{ xm }}), {{ var('style_curve_exponent') }})
end
{%- endmacro %}

{#- The 95% rule (M7 §8.7): a style weight above 95% becomes 100%. -#}
{% macro ninety_five_percent_rule(probability) -%}
case
    when {{ probability }} > 1 - {{ var('style_pure_threshold') }} then 1.0
    when {{ probability }} < {{ var('style_pure_threshold') }} then 0.0
    else {{ probability }}
end
{%- endmacro %}
