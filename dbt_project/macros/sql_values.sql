{#- A list of strings as an SQL value list, quoted: `x in {{ sql_values(var('eligible_exchanges')) }}`. -#}
{% macro sql_values(values) -%}
({%- for value in values %}'{{ value | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor -%})
{%- endmacro %}
