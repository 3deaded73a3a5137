{#- The first date an incremental run recomputes: the day of a one-partition price run (set by the Dagster dbt asset
    in the environment variable INDEXPIPE_INCREMENTAL_FROM, so dbt's vars, and with them its partial parsing, stay
    those of the builds; the var `incremental_from` does the same from dbt's command line), else the day after the
    last one already in the table. Everything from that date on is replaced (unique_key = the date column,
    delete+insert), so a rerun of a day is idempotent. -#}
{% macro incremental_start(date_column) -%}
{%- set day = var('incremental_from', none) or env_var('INDEXPIPE_INCREMENTAL_FROM', '') -%}
{%- if day -%}
date '{{ day }}'
{%- else -%}
(select coalesce(max({{ date_column }}) + 1, date '1900-01-01') from {{ this }})
{%- endif -%}
{%- endmacro %}
