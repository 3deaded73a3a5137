-- Membership intervals per index and security, for the models that need them (int_index_daily_industry_returns; the
-- mart fct_index_membership publishes them as they are, docs/contract.md §3): consecutive segments of one security in one
-- index with the same inclusion factor are merged, so intervals never overlap; valid_to is exclusive and null
-- while the security is a member. Size indexes hold a security whole (inclusion_factor 1); a style or stability
-- index holds the part given by its probability (int_style_line_segments), which changes at reconstitutions; a
-- capped growth or value index (suffix C) the probability times its capping factor (int_capped_style_line_segments),
-- which also changes at the quarterly capping reviews from 2025-03-24.
with segments as (
    select index_code, security_id, company_id, recon_id, event, valid_from, valid_to, 1.0::double as inclusion_factor
    from {{ ref('int_index_line_segments') }}
    union all
    select index_code, security_id, company_id, recon_id, event, valid_from, valid_to, inclusion_factor
    from {{ ref('int_style_line_segments') }}
    union all
    select index_code, security_id, company_id, recon_id, event, valid_from, valid_to, inclusion_factor
    from {{ ref('int_capped_style_line_segments') }}
),

ordered as (
    select
        *,
        lag(valid_to) over by_start as previous_valid_to,
        lag(inclusion_factor) over by_start as previous_factor
    from segments
    -- segments of one line in one index do not share a start; should they, the rest of the row decides
    -- (decision 14)
    window by_start as (
        partition by index_code, security_id
        order by valid_from, valid_to nulls last, inclusion_factor, event, recon_id
    )
),

islands as (
    select
        *,
        sum(case when previous_valid_to = valid_from and previous_factor = inclusion_factor then 0 else 1 end)
            over (
                partition by index_code, security_id
                order by valid_from, valid_to nulls last, inclusion_factor, event, recon_id
                rows unbounded preceding
            ) as island
    from ordered
)

select
    index_code,
    security_id,
    min(company_id) as company_id,
    min(valid_from) as valid_from,
    -- the island's last segment decides; null (still a member) wins
    case when count(*) filter (where valid_to is null) > 0 then null else max(valid_to) end as valid_to,
    inclusion_factor,
    arg_min(event, (valid_from, event)) as event
from islands
group by index_code, security_id, inclusion_factor, island
order by index_code, security_id, valid_from
