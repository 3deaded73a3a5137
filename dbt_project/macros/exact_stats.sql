{#- Order-independent mean and sample standard deviation: the sums are taken in DECIMAL (see exact_sum), so a
    rerun gives the same bits whatever order DuckDB's threads combine partial aggregates in. -#}
{% macro exact_avg(expression, scale=12) -%}
({{ exact_sum(expression, scale) }}::double / nullif(count({{ expression }}), 0))
{%- endmacro %}

{% macro exact_stddev(expression, scale=12) -%}
sqrt(greatest(
    ({{ exact_sum('(' ~ expression ~ ') * (' ~ expression ~ ')', scale) }}::double
        - {{ exact_sum(expression, scale) }}::double * {{ exact_sum(expression, scale) }}::double
          / nullif(count({{ expression }}), 0))
    / nullif(count({{ expression }}) - 1, 0),
    0.0
))
{%- endmacro %}
