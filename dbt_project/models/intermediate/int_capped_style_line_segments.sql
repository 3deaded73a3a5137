-- Membership segments of the capped growth and value indexes (M7 §8.2.5, project decision 13): each segment of the
-- uncapped twin (int_style_line_segments, e.g. R1000G for R1000GC), cut at the first session of every capping
-- review, with inclusion factor = the twin's (the style probability) x the company's capping factor of the
-- review in force (int_style_capping). The factor then stays fixed until the next review, so the index holds
-- shares x factor and its weights drift with prices in between. Before the first review (2025-03-24) there is no
-- factor: the capped index is its twin. A company that joins between two reviews has no factor of its own: a
-- spin-off takes its parent's in the same capped index (the spun-off value was part of the parent's capped weight),
-- any other addition 1 (an uncapped name), until the next review caps it like everyone else.
with segments as (
    select
        c.index_code,
        s.index_code as uncapped_index_code,
        s.security_id,
        s.company_id,
        s.recon_id,
        s.event,
        s.valid_from,
        s.valid_to,
        s.inclusion_factor
    from {{ ref('int_style_line_segments') }} as s
    join {{ ref('index_definitions') }} as c on c.parent_index_code = s.index_code and c.index_code = s.index_code || 'C'
),

factors as (
    select * from {{ ref('int_style_capping') }}
),

review_periods as (
    -- each review's factors apply from its first session to the next review's
    select
        recon_id as review_id,
        first_session as period_from,
        lead(first_session) over (order by first_session) as period_to
    from (select distinct recon_id, first_session from factors)
),

first_review as (
    select min(period_from) as first_capped_session from review_periods
),

spin_off_parents as (
    select child.company_id, parent.company_id as parent_company_id
    from {{ ref('stg_corporate_actions') }} as a
    join {{ ref('stg_securities') }} as child on child.security_id = a.related_security_id
    join {{ ref('stg_securities') }} as parent on parent.security_id = a.security_id
    where a.action_type = 'spin_off'
    qualify row_number() over (partition by child.company_id order by a.ex_date, a.action_id) = 1
),

before_capping as (
    select
        s.index_code,
        s.security_id,
        s.company_id,
        s.recon_id,
        s.event,
        s.valid_from,
        case
            when f.first_capped_session is not null and (s.valid_to is null or s.valid_to > f.first_capped_session)
                then f.first_capped_session
            else s.valid_to
        end as valid_to,
        s.inclusion_factor,
        1.0::double as capping_factor
    from segments as s
    cross join first_review as f
    where f.first_capped_session is null or s.valid_from < f.first_capped_session
),

capped_parts as (
    select
        s.index_code,
        s.security_id,
        s.company_id,
        s.recon_id,
        s.event,
        greatest(s.valid_from, p.period_from) as valid_from,
        case
            when s.valid_to is null then p.period_to
            when p.period_to is null then s.valid_to
            else least(s.valid_to, p.period_to)
        end as valid_to,
        s.inclusion_factor,
        coalesce(own.capping_factor, parent.capping_factor, 1.0) as capping_factor
    from segments as s
    join review_periods as p
        on (s.valid_to is null or s.valid_to > p.period_from)
        and (p.period_to is null or p.period_to > s.valid_from)
    left join factors as own
        on own.recon_id = p.review_id and own.index_code = s.index_code and own.company_id = s.company_id
    left join spin_off_parents as sp on s.event = 'spin_off' and sp.company_id = s.company_id
    left join factors as parent
        on parent.recon_id = p.review_id and parent.index_code = s.index_code
        and parent.company_id = sp.parent_company_id
)

select
    index_code,
    security_id,
    company_id,
    recon_id,
    event,
    valid_from,
    valid_to,
    inclusion_factor * capping_factor as inclusion_factor,
    capping_factor
from (
    select * from before_capping
    union all
    select * from capped_parts
)
