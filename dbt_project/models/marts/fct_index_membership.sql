-- Membership intervals per index and security (CONTRACT.md §3): consecutive segments of one security in one
-- index are merged, so intervals never overlap; valid_to is exclusive and null while the security is a member.
with segments as (
    select * from {{ ref('int_index_line_segments') }}
),

ordered as (
    select
        *,
        lag(valid_to) over (partition by index_code, security_id order by valid_from) as previous_valid_to
    from segments
),

islands as (
    select
        *,
        sum(case when previous_valid_to = valid_from then 0 else 1 end)
            over (partition by index_code, security_id order by valid_from rows unbounded preceding) as island
    from ordered
)

select
    index_code,
    security_id,
    min(company_id) as company_id,
    min(valid_from) as valid_from,
    -- the island's last segment decides; null (still a member) wins
    case when count(*) filter (where valid_to is null) > 0 then null else max(valid_to) end as valid_to,
    1.0::double as inclusion_factor,
    arg_min(event, valid_from) as event
from islands
group by index_code, security_id, island
order by index_code, security_id, valid_from
