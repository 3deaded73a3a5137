{#- A value from a dbt var as a quoted SQL string literal (single quotes doubled), so a var never reaches SQL text
    unquoted. -#}
{% macro sql_literal(value) -%}
'{{ value | string | replace("'", "''") }}'
{%- endmacro %}
