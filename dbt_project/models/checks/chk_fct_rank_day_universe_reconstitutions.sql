with universe as (
    select * from {{ ref('fct_rank_day_universe') }}
),

calendar as (
    select recon_id, first_session from {{ ref('int_rebalance_calendar') }} where event_type = 'reconstitution'
),

per_recon as (
    select
        recon_id,
        count(*) filter (where eligible) as eligible_companies,
        max(size_rank) as max_rank,
        max(cum_cap_pct) as final_cum_pct,
        max(cum_cap_pct) filter (where size_rank = {{ var('rank_r1000') }}) as breakpoint_pct
    from universe
    group by recon_id
),

counts as (
    select
        c.recon_id,
        count(*) filter (where m.index_code = 'R1000') as r1000,
        count(*) filter (where m.index_code = 'R2000') as r2000,
        count(*) filter (where m.index_code = 'R3000') as r3000
    from calendar as c
    left join {{ ref('fct_index_membership') }} as m
        on m.valid_from <= c.first_session and (m.valid_to is null or m.valid_to > c.first_session)
    group by c.recon_id
),

placed as (
    -- ranges apply to the companies the reconstitution itself placed (additions between a rank day and its
    -- effective date carry through it on top; extra share classes are index lines of their own)
    select
        recon_id,
        count(*) filter (where in_r1000) as r1000_companies,
        count(*) filter (where in_r3000 and not in_r1000) as r2000_companies
    from {{ ref('int_reconstitution_universe') }}
    group by recon_id
),

expected as (
    select
        p.*,
        least({{ var('rank_r1000') }}, p.eligible_companies) as expected_r1000,
        least({{ var('rank_r3000') }}, p.eligible_companies) - least({{ var('rank_r1000') }}, p.eligible_companies)
            as expected_r2000
    from per_recon as p
)

select
    e.recon_id,
    e.eligible_companies,
    e.max_rank,
    e.final_cum_pct,
    e.breakpoint_pct,
    c.r1000,
    c.r2000,
    c.r3000,
    p.r1000_companies,
    p.r2000_companies,
    e.expected_r1000,
    e.expected_r2000,
    abs(p.r1000_companies - e.expected_r1000) <= greatest(3, {{ var('recon_count_tolerance') }} * e.expected_r1000) as r1000_count_in_range,
    abs(p.r2000_companies - e.expected_r2000) <= greatest(3, {{ var('recon_count_tolerance') }} * e.expected_r2000) as r2000_count_in_range,
    c.r3000 = c.r1000 + c.r2000 as r3000_is_r1000_plus_r2000,
    e.eligible_companies < {{ var('rank_r3000') }} or e.breakpoint_pct between 0.80 and 0.97 as breakpoint_in_range
from expected as e
join counts as c using (recon_id)
join placed as p using (recon_id)
