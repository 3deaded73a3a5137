-- The composition in force before the first reconstitution in the data (methodology decision 11), as the chain's
-- membership flags per company. A list names some size indexes; each flag follows from the indexes it names
-- (Top 200 members are in the Top 500 and the R1000, an R2000 member is in the R3000, ...). A breakpoint's band
-- needs to know which side a member was on: `knows_*` says whether the list names the index on the upper side of
-- that breakpoint; where it does not, the first reconstitution places that breakpoint by rank.
with listed as (
    select
        m.index_code,
        coalesce(m.company_id, l.company_id) as company_id,
        m.as_of_date
    from {{ ref('stg_initial_membership') }} as m
    -- a line stands for the company it is ranked as (a tracking stock for itself, int_tracking_stock_companies)
    left join {{ ref('int_tracking_stock_companies') }} as l on l.security_id = m.security_id
),

known as (
    select
        -- names outside securities (delisted before the data starts) are only reported by the build
        *
    from listed
    where company_id in (select company_id from {{ ref('int_tracking_stock_companies') }})
),

named as (
    select
        bool_or(index_code = 'R1000') as knows_r1000,
        bool_or(index_code = 'RTOP500') as knows_top500,
        bool_or(index_code = 'RTOP200') as knows_top200,
        bool_or(index_code = 'RMICRO') as knows_micro_top
    from known
),

companies as (
    select
        company_id,
        max(as_of_date) as valid_from,
        bool_or(index_code in ('R1000', 'RTOP50', 'RTOP200', 'RTOP500', 'RMID')) as in_r1000,
        bool_or(index_code in ('RTOP50', 'RTOP200', 'RTOP500')) as in_top500,
        bool_or(index_code in ('RTOP50', 'RTOP200')) as in_top200,
        bool_or(index_code = 'RTOP50') as in_top50,
        bool_or(index_code in ('R3000', 'R1000', 'RTOP50', 'RTOP200', 'RTOP500', 'RMID', 'R2000', 'R2500'))
            as in_r3000,
        -- every size index is part of the R3000E
        true as in_r3000e,
        bool_or(index_code = 'RMICRO') as in_micro
    from known
    group by company_id
)

select c.*, n.knows_r1000, n.knows_top500, n.knows_top200, n.knows_micro_top
from companies as c
cross join named as n
