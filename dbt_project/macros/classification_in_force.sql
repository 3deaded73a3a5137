{#- The ICB classification in force on a day (point in time: the latest one effective on or before it), joined as
    alias `k` (asof); a company without one that day gets nulls. -#}
{% macro join_classification_in_force(company_id, on_date) -%}
asof left join {{ ref('stg_classifications') }} as k
    on k.company_id = {{ company_id }} and k.effective_date <= {{ on_date }}
{%- endmacro %}

{#- Each classification's span: from its effective date to the next one's (open: 9999-12-31). An equality join on
    the company plus the span is cheaper than an asof join where a reader has many rows per company and day. -#}
{% macro classification_spans() -%}
select
    company_id,
    effective_date,
    lead(effective_date, 1, date '9999-12-31') over (partition by company_id order by effective_date) as valid_to,
    icb_industry
from {{ ref('stg_classifications') }}
{%- endmacro %}
