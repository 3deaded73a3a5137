-- Capping factors of the capped growth and value indexes (M7 §8.2.5, the FTSE Russell Capping Methodology;
-- project decision 13): from the first quarterly review effective on or after `style_capping_start` (2025-03-24),
-- at every review (March and September quarterly reviews, June and December reconstitutions; December quarterly
-- reviews before the December reconstitution existed), each capped index (`R1000GC` ...) takes the composition its
-- uncapped twin (`R1000G` ...) has in force on the review's first session and caps its company weights so that
--   no company weighs more than 22.5% (`style_cap_company`), and
--   the companies above 4.5% (`style_cap_large_weight`) weigh at most 45% together (`style_cap_large_total`).
-- Reference: the uncapped float cap (index available shares in force on the first session x inclusion factor) at
-- the closes of the review's rank date, the reference date of every other rebalance (ranks, IPO placement, share
-- updates all read the rank date). A company weighs the sum of its lines. A line with no close on or before the
-- rank date (a spin-off between the rank date and the first session) is not in the reference weights: it joins
-- like any addition between reviews (int_capped_style_line_segments: its parent's factor).
--
-- The algorithm, in passes (a recursion, at most two changes per company, so it always ends):
--   1. every company above 22.5% is capped at 22.5%;
--   2. the companies above 4.5%, largest first (ties: company_id), are summed in that order; from the first one
--      that takes the running sum above 45%, each is capped at 4.5%;
--   3. the uncapped companies share what the capped ones gave up pro rata to their uncapped weights: each weighs
--      its uncapped weight x (1 - capped total) / (uncapped companies' uncapped total).
-- It stops when a pass caps nobody new and lowers no capped weight: then both limits hold. If every company ends
-- up capped (too few companies for the limits to be met, e.g. a crafted market's four-name Top 200), the capped
-- weights are rescaled to sum to 1 and limits_hold is false.
-- capping_factor: the capped weight over the uncapped weight, scaled so the uncapped companies have 1 (a capped
-- company's is below 1). It multiplies the company's inclusion factor until the next review (int_capped_style_line_
-- segments), so between reviews the weights drift with prices.
{%- set cap_company = var('style_cap_company') %}
{%- set cap_large_weight = var('style_cap_large_weight') %}
{%- set cap_large_total = var('style_cap_large_total') %}
{%- set large_weight = 'case when step_1_weight > ' ~ cap_large_weight ~ ' + 1e-12 then step_1_weight else 0 end' %}
with recursive reviews as (
    select recon_id, rank_date as reference_date, effective_date, first_session
    from {{ ref('int_rebalance_calendar') }}
    where first_session >= date '{{ var("style_capping_start") }}'
),

capped_indexes as (
    -- each capped code is its uncapped twin's with suffix C (dim_index: parent_index_code is the twin)
    select index_code, parent_index_code as uncapped_index_code
    from {{ ref('index_definitions') }}
    where index_code = parent_index_code || 'C'
),

composition as (
    select r.recon_id, r.reference_date, r.first_session, c.index_code, s.index_code as uncapped_index_code,
        s.security_id, s.company_id, s.inclusion_factor
    from reviews as r
    join {{ ref('int_style_line_segments') }} as s
        on s.valid_from <= r.first_session and (s.valid_to is null or s.valid_to > r.first_session)
    join capped_indexes as c on c.uncapped_index_code = s.index_code
),

priced as (
    select
        c.*,
        coalesce(i.index_available_shares, h.available_shares) * p.close_price * c.inclusion_factor
            as uncapped_float_cap
    from composition as c
    asof join {{ ref('stg_prices') }} as p
        on p.security_id = c.security_id and p.trade_date <= c.reference_date
    asof left join {{ ref('int_index_shares') }} as i
        on i.security_id = c.security_id and i.apply_date <= c.first_session
    asof left join {{ ref('stg_shares') }} as h
        on h.security_id = c.security_id and h.effective_date <= c.reference_date
),

companies as (
    select
        recon_id,
        index_code,
        company_id,
        {{ exact_sum('uncapped_float_cap', 2) }}::double
            / (sum({{ exact_sum('uncapped_float_cap', 2) }}) over (partition by recon_id, index_code))::double
            as uncapped_weight
    from priced
    group by recon_id, index_code, company_id
),

passes (recon_id, index_code, company_id, uncapped_weight, is_capped, capped_weight, pass, changed) as (
    select recon_id, index_code, company_id, uncapped_weight, false, null::double, 0, true
    from companies
    union all
    select
        recon_id, index_code, company_id, uncapped_weight, now_capped, now_capped_weight, pass + 1,
        bool_or(row_changed) over by_index and bool_or(not now_capped) over by_index
    from (
        select
            *,
            case when now_capped then step_2_weight end as now_capped_weight,
            now_capped <> is_capped or (now_capped and step_2_weight <> capped_weight) as row_changed
        from (
            select
                *,
                is_capped
                    or step_1_weight < weight
                    or (step_1_weight > {{ cap_large_weight }} + 1e-12
                        and large_running_total > {{ cap_large_total }} + 1e-12)
                    as now_capped,
                case
                    when step_1_weight > {{ cap_large_weight }} + 1e-12
                        and large_running_total > {{ cap_large_total }} + 1e-12
                        then {{ cap_large_weight }}
                    else step_1_weight
                end as step_2_weight
            from (
                select
                    *,
                    ({{ exact_sum(large_weight, 18) }} over (
                        partition by recon_id, index_code order by step_1_weight desc, company_id
                        rows unbounded preceding
                    ))::double as large_running_total
                from (
                    select
                        *,
                        case when weight > {{ cap_company }} + 1e-12 then {{ cap_company }} else weight end
                            as step_1_weight
                    from ({{ capping_weights('passes') }}) as current_weights
                    where changed
                ) as step_1
            ) as running
        ) as step_2
    ) as step_3
    window by_index as (partition by recon_id, index_code)
),

final as (
    select * exclude (changed)
    from passes
    where not changed
),

weighted as (
    select recon_id, index_code, company_id, uncapped_weight, is_capped, pass, weight as capped_weight_final,
        uncapped_scale
    from ({{ capping_weights('final') }})
)

select
    w.recon_id,
    w.index_code,
    c.uncapped_index_code,
    r.reference_date,
    r.effective_date,
    r.first_session,
    w.company_id,
    w.uncapped_weight,
    w.capped_weight_final as capped_weight,
    w.is_capped,
    case when w.is_capped then w.capped_weight_final / (w.uncapped_weight * w.uncapped_scale) else 1.0 end
        as capping_factor,
    w.pass as passes,
    max(w.capped_weight_final) over by_index <= {{ cap_company }} + 1e-12
        and coalesce(sum(w.capped_weight_final) filter (where w.capped_weight_final > {{ cap_large_weight }} + 1e-12)
            over by_index, 0) <= {{ cap_large_total }} + 1e-12 as limits_hold
from weighted as w
join reviews as r using (recon_id)
join capped_indexes as c using (index_code)
window by_index as (partition by w.recon_id, w.index_code)
