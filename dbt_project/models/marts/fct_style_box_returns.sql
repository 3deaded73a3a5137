-- The chartbook's style box: large (Russell 1000), mid (Midcap) and small (Russell 2000) by value, core (the
-- size index itself) and growth, per period (docs/methodology.md §8 and project decision 12: the chartbook's 2024 large
-- core, 24.51%, is the Russell 1000's return; an extension of docs/contract.md §3, read from fct_index_period_returns).
with boxes as (
    select * from (values
        ('large', 'value', 'R1000V'), ('large', 'core', 'R1000'), ('large', 'growth', 'R1000G'),
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
