{#- The first date an incremental run recomputes: the `incremental_from` var (the day of a one-partition price run,
    set by the Dagster dbt asset), else the day after the last one already in the table. Everything from that date
    on is replaced (unique_key = the date column, delete+insert), so a rerun of a day is idempotent. -#}
{% macro incremental_start(date_column) -%}
{%- if var('incremental_from', none) -%}
date '{{ var('incremental_from') }}'
{%- else -%}
(select coalesce(max({{ date_column }}) + 1, date '1900-01-01') from {{ this }})
{%- endif -%}
{%- endmacro %}
