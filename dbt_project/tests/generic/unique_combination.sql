{#- No two rows share the same values in `columns` (a composite key). dbt packages can't be installed
    offline, so this replaces dbt_utils.unique_combination_of_columns. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
