{#- The non-linear probability curve (M7 §8.6-§8.7, project decision 3), shared by Growth/Value and
    Defensive/Dynamic (decision 4). M7 describes it in words only: at or below XL pure growth, at or above XU pure
    value, 50/50 at XM, partly in both in between "depending on the distance from XM relative to the XL/XU
    breaks". XL, XM and XU are positions in the cumulative float cap (25%, 50%, 75%), so the distance is measured
    there: `position` is the company's cumulative-cap position c in its base universe sorted by score (the cap
    sorted before it plus half its own, over the total; a tie group shares the midpoint of its span), and the
    probability of the high side (value, defensive) is an S in c, flat near XL and XU and steep around XM:
        c <= XL            0
        XL < c <= XM       0.5 t^k,       t  = (c - XL) / (XM - XL)
        XM < c < XU        1 - 0.5 t'^k,  t' = (XU - c) / (XU - XM)
        c >= XU            1
    with XL, XM, XU = style_break_low/mid/high and k the rule parameter `style_curve_exponent`. Then the 95% rule
    (ninety_five_percent_rule): a side above 0.95 becomes 1, so the other side below 0.05 becomes 0. A side
    falls below 0.05 where t < 0.1^(1/k), so the companies left split are those with |c - XM| at most
    0.25 (1 - 0.1^(1/k)): about 0.5 (1 - 0.1^(1/k)) of the universe's cap whatever the CVS distribution. FTSE
    Russell publishes the figure and the outcome only (about 30% of float cap split); k is calibrated on the default
    market (docs/style.md). This revises decision 3's first text, t = (CVS - CVS(XL)) / (CVS(XM) - CVS(XL)): with t in
    CVS no k keeps every June near 30% (measured in docs/style.md). -#}
{% macro style_probability(position) -%}
{%- set xl, xm, xu = var('style_break_low'), var('style_break_mid'), var('style_break_high') -%}
case
    when {{ position }} <= {{ xl }} then 0.0
    when {{ position }} >= {{ xu }} then 1.0
    when {{ position }} <= {{ xm }}
        then 0.5 * power(({{ position }} - {{ xl }}) / ({{ xm }} - {{ xl }}), {{ var('style_curve_exponent') }})
    else 1 - 0.5 * power(({{ xu }} - {{ position }}) / ({{ xu }} - {{ xm }}), {{ var('style_curve_exponent') }})
end
{%- endmacro %}

{#- A company's cumulative-cap position c within its base universe sorted by `score` (M7's XL/XM/XU axis): the
    float cap of the companies with a lower score plus half the cap of those with the same score, over the total.
    A tie group shares the midpoint of its span (the cap-weighted mean of the positions it would get in any order),
    so the position never depends on company ids and a universe of equal scores sits at 0.5 throughout. -#}
{% macro cap_position(score, cap, partition) -%}
(
    {{ exact_sum(cap, 2) }} over (
        partition by {{ partition }} order by {{ score }} range between unbounded preceding and current row
    )
    - 0.5 * {{ exact_sum(cap, 2) }} over (partition by {{ partition }}, {{ score }})
) / {{ exact_sum(cap, 2) }} over (partition by {{ partition }})
{%- endmacro %}

{#- The 95% rule (M7 §8.7): a style weight above 95% becomes 100%. -#}
{% macro ninety_five_percent_rule(probability) -%}
case
    when {{ probability }} > 1 - {{ var('style_pure_threshold') }} then 1.0
    when {{ probability }} < {{ var('style_pure_threshold') }} then 0.0
    else {{ probability }}
end
{%- endmacro %}
