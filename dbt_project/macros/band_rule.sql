{#- Side of a breakpoint after banding (docs/methodology.md §2): a current Russell 3000 member keeps its side while its
    cumulative cap percentage stays within `band` of the breakpoint's percentage; everyone else (new companies,
    Microcap-only members) is placed by rank. Returns true for the upper (larger-company) side. -#}
{% macro banded_upper_side(was_member, was_upper, cum_pct, breakpoint_pct, band, size_rank, breakpoint_rank) -%}
case
    when {{ was_member }} and {{ was_upper }} and {{ cum_pct }} <= {{ breakpoint_pct }} + {{ band }} then true
    when {{ was_member }} and not {{ was_upper }} and {{ cum_pct }} >= {{ breakpoint_pct }} - {{ band }} then false
    else {{ size_rank }} <= {{ breakpoint_rank }}
end
{%- endmacro %}
