{#- The dividend yield's numerator (project decision 9: trailing 12-month dividends / price): per line and as-of
    date, the ordinary cash dividends that went ex in the year up to the as-of date, each divided by the split
    ratios (a stock dividend is a split) that went ex after it and on or before the as-of date, so every dividend
    is per share of today and comparable with today's close. A dividend on a split's own ex-date is already per
    new share (the input contract's convention), so that split does not adjust it.
    `lines` is a relation or subquery with security_id and as_of_date; returns security_id, as_of_date and
    trailing_dividends (lines without a dividend in the year have no row). -#}
{% macro split_adjusted_trailing_dividends(lines) -%}
select
    d.security_id,
    d.as_of_date,
    sum(d.cash_amount / d.later_split_factor order by d.ex_date, d.action_id) as trailing_dividends
from (
    select
        l.security_id,
        l.as_of_date,
        a.action_id,
        a.ex_date,
        a.cash_amount,
        coalesce(product(s.ratio order by s.ex_date, s.action_id), 1.0) as later_split_factor
    from {{ lines }} as l
    join {{ ref('stg_corporate_actions') }} as a
        on a.security_id = l.security_id and a.action_type = 'cash_dividend'
        and a.ex_date > l.as_of_date - interval 1 year and a.ex_date <= l.as_of_date
    left join {{ ref('stg_corporate_actions') }} as s
        on s.security_id = l.security_id and s.action_type = 'split'
        and s.ex_date > a.ex_date and s.ex_date <= l.as_of_date
    group by l.security_id, l.as_of_date, a.action_id, a.ex_date, a.cash_amount
) as d
group by d.security_id, d.as_of_date
{%- endmacro %}
