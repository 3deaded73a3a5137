-- The chartbook's style box: large (Top 200), mid (Midcap) and small (Russell 2000) by value, core (the size
-- index itself) and growth, per period (METHODOLOGY §8; an extension of CONTRACT.md §3, read from
-- fct_index_period_returns).
with boxes as (
    select * from (values
        ('large', 'value', 'RTOP200V'), ('large', 'core', 'RTOP200'), ('large', 'growth', 'RTOP200G'),
        ('mid', 'value', 'RMIDV'), ('mid', 'core', 'RMID'), ('mid', 'growth', 'RMIDG'),
        ('small', 'value', 'R2000V'), ('small', 'core', 'R2000'), ('small', 'growth', 'R2000G')
    ) as t (size_segment, style, index_code)
)

select
    r.period_type,
    r.period_end,
    b.size_segment,
    b.style,
    r.index_code,
    r.price_return,
    r.total_return,
    r.is_complete
from {{ ref('fct_index_period_returns') }} as r
join boxes as b using (index_code)
order by r.period_type, r.period_end, b.size_segment, b.style
