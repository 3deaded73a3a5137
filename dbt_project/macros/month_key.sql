{#- A calendar month as one integer (year x 12 + month - 1): consecutive months are consecutive integers, and an
    equality join on it is cheaper than on date_trunc's timestamp. -#}
{% macro month_key(date_expression) -%}
(year({{ date_expression }}) * 12 + month({{ date_expression }}) - 1)
{%- endmacro %}
