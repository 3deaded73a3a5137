{#- A company's core size index from the chain's flags (R1000, R2000 or the Microcap outside both): the base
    universe of style scoring and the from/to of migrations. Pass the flag columns, e.g. core_index_code('c.in'). -#}
{% macro core_index_code(prefix) -%}
case when {{ prefix }}_r1000 then 'R1000' when {{ prefix }}_r3000 then 'R2000' when {{ prefix }}_micro then 'RMICRO' end
{%- endmacro %}
