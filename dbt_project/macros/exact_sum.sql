{#- Sum doubles in DECIMAL so the result does not depend on the order DuckDB's threads add them in: reruns give
    byte-identical marts. Returns DECIMAL(38, scale); arithmetic with doubles turns it back into a double.
    Usable with FILTER and OVER like any aggregate. -#}
{% macro exact_sum(expression, scale=6) -%}
sum(({{ expression }})::decimal(38, {{ scale }}))
{%- endmacro %}
