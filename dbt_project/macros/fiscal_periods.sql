{#- The same fiscal period some years back: a period end within 15 days of the later one minus the years
    (quarter ends do not fall on the same day every year). -#}
{% macro same_period_years_back(earlier_end, later_end, years) -%}
{{ earlier_end }} between {{ later_end }} - to_years(({{ years }})::int) - interval 15 day
    and {{ later_end }} - to_years(({{ years }})::int) + interval 15 day
{%- endmacro %}

{#- Annual growth rate from `before` to `now` over `years`; null unless both are positive. -#}
{% macro annualised_growth(now, before, years) -%}
case when {{ now }} > 0 and {{ before }} > 0 then power({{ now }} / {{ before }}, 1.0 / {{ years }}) - 1 end
{%- endmacro %}
