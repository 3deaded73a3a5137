with boundaries as (
    select security_id, valid_from as check_date from {{ ref('fct_index_membership') }}
    union
    select security_id, valid_to from {{ ref('fct_index_membership') }} where valid_to is not null
),

days as (
    select security_id, check_date from boundaries
),

flags as (
    select
        d.check_date,
        d.security_id,
        bool_or(m.index_code = 'R3000E') as r3000e,
        bool_or(m.index_code = 'R3000') as r3000,
        bool_or(m.index_code = 'RTOP50') as top50,
        bool_or(m.index_code = 'RTOP200') as top200,
        bool_or(m.index_code = 'RTOP500') as top500,
        bool_or(m.index_code = 'R1000') as r1000,
        bool_or(m.index_code = 'RMID') as mid,
        bool_or(m.index_code = 'R2000') as r2000,
        bool_or(m.index_code = 'R2500') as r2500,
        bool_or(m.index_code = 'RMICRO') as micro
    from days as d
    join {{ ref('fct_index_membership') }} as m
        on m.security_id = d.security_id
        and m.valid_from <= d.check_date and (m.valid_to is null or m.valid_to > d.check_date)
    group by all
)

select
    check_date,
    security_id,
    r3000,
    r1000 or r2000 as r1000_or_r2000,
    r1000 and r2000 as r1000_and_r2000,
    r1000,
    top200 or mid as top200_or_mid,
    top200 and mid as top200_and_mid,
    r2500,
    r3000 and not top500 as r3000_minus_top500,
    micro and not r3000e as micro_outside_r3000e,
    micro and r1000 as micro_in_r1000,
    (top50 and not top200) or (top200 and not top500) or (top500 and not r1000) as broken_top_nesting,
    r3000 and not r3000e as r3000_outside_r3000e
from flags
