with capping as (
    select * from {{ ref('int_style_capping') }}
),

per_index as (
    select
        recon_id,
        index_code,
        uncapped_index_code,
        first_session,
        {{ exact_sum('capped_weight', 15) }}::double as weight_sum,
        max(capped_weight) as max_weight,
        coalesce(
            {{ exact_sum('capped_weight', 15) }} filter (where capped_weight > {{ var('style_cap_large_weight') }} + 1e-9),
            0
        )::double as large_weight_total,
        count(*) filter (where not is_capped) as uncapped_companies,
        count(*) filter (where capping_factor <= 0 or capping_factor > 1 + 1e-12) as factors_out_of_range
    from capping
    group by all
),

capped_lines as (
    select p.recon_id, p.index_code, m.security_id, m.company_id, m.inclusion_factor
    from per_index as p
    join {{ ref('fct_index_membership') }} as m
        on m.index_code = p.index_code and m.valid_from <= p.first_session
        and (m.valid_to is null or m.valid_to > p.first_session)
),

twin_lines as (
    select
        p.recon_id,
        p.index_code,
        m.security_id,
        m.inclusion_factor as twin_factor,
        m.inclusion_factor * c.capping_factor as expected_factor
    from per_index as p
    join {{ ref('fct_index_membership') }} as m
        on m.index_code = p.uncapped_index_code and m.valid_from <= p.first_session
        and (m.valid_to is null or m.valid_to > p.first_session)
    left join capping as c
        on c.recon_id = p.recon_id and c.index_code = p.index_code and c.company_id = m.company_id
),

lines as (
    select
        recon_id,
        index_code,
        count(*) filter (
            where l.inclusion_factor is null or t.twin_factor is null
                or (t.expected_factor is not null and abs(l.inclusion_factor - t.expected_factor) > 1e-12)
                or (t.expected_factor is null
                    and (l.inclusion_factor <= 0 or l.inclusion_factor > t.twin_factor + 1e-12))
        ) as lines_not_matching
    from capped_lines as l
    full join twin_lines as t using (recon_id, index_code, security_id)
    group by all
)

select
    p.recon_id,
    p.index_code,
    p.weight_sum,
    p.max_weight,
    p.large_weight_total,
    p.uncapped_companies,
    p.factors_out_of_range,
    p.uncapped_companies > 0 and (
        p.max_weight > {{ var('style_cap_company') }} + 1e-9
        or p.large_weight_total > {{ var('style_cap_large_total') }} + 1e-9
    ) as limits_broken,
    coalesce(l.lines_not_matching, 0) as lines_not_matching
from per_index as p
left join lines as l using (recon_id, index_code)
