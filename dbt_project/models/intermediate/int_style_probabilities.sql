-- Growth/Value and Defensive/Dynamic probabilities of every base-universe company at each reconstitution, and of
-- every company added between reconstitutions (M7 §8.2-§8.7; docs/methodology.md §5-§6, project decisions 3, 4 and 8).
--
-- The final CVS and whether a company keeps its June probabilities in December come from int_style_cvs_band
-- (the band, M7 §8.8, and the December rule, §8.1). Breaks: per reconstitution and base universe, companies
-- sorted by score (then company id) with their rank-day float cap; XL, XM and XU are the scores of the first
-- companies at 25%, 50% and 75% of the cumulative float cap, published for reference. The probability reads the
-- company's cumulative-cap position c on the same axis (cap_position: the cap sorted before it plus half its own,
-- a tie group sharing the midpoint of its span), recomputed every time over every company's final score, so a
-- banded company's probability can still change. The curve is style_probability (decision 3: an S in c between
-- 25%, 50% and 75%), then the 95% rule. Stability has no band; in December it follows the same rule (new and
-- migrating companies are placed among the December scores, the others keep their June defensive probability).
-- Additions between reconstitutions: an IPO (or fast-entry IPO) takes the mean value probability of its ICB
-- sub-sector in its base universe at the reconstitution that placed it (sub-sector with at least 5 companies,
-- else sector, supersector, industry, else the whole universe), then the 95% rule, and is 100% dynamic; a
-- spin-off takes its parent's probabilities in force on the ex-date (decision 8), or the IPO rule if the parent
-- has none.
{%- set levels = ['icb_subsector', 'icb_sector', 'icb_supersector', 'icb_industry'] %}
with banded as (
    select * from {{ ref('int_style_cvs_band') }}
),

stability as (
    select * from {{ ref('int_stability_scores') }}
),

calendar as (
    select * from {{ ref('int_rebalance_calendar') }} where event_type = 'reconstitution'
),

scored as (
    select b.*, s.stability_score
    from banded as b
    left join stability as s using (recon_id, company_id)
),

cumulative as (
    select
        *,
        {{ exact_sum('float_market_cap', 2) }} over (
            partition by recon_id, base_index_code order by cvs, company_id rows unbounded preceding
        ) / {{ exact_sum('float_market_cap', 2) }} over (partition by recon_id, base_index_code) as cvs_cum_cap_pct,
        {{ cap_position('cvs', 'float_market_cap', 'recon_id, base_index_code') }} as cvs_cap_position,
        case when stability_score is not null then
            {{ cap_position('stability_score', 'float_market_cap', 'recon_id, base_index_code') }}
        end as stability_cap_position,
        case when stability_score is not null then
            {{ exact_sum('float_market_cap', 2) }} over (
                partition by recon_id, base_index_code order by stability_score, company_id rows unbounded preceding
            ) / {{ exact_sum('float_market_cap', 2) }} over (partition by recon_id, base_index_code)
        end as stability_cum_cap_pct
    from scored
),

breaks as (
    select
        recon_id,
        base_index_code,
        min(cvs) filter (where cvs_cum_cap_pct >= {{ var('style_break_low') }}) as cvs_xl,
        min(cvs) filter (where cvs_cum_cap_pct >= {{ var('style_break_mid') }}) as cvs_xm,
        min(cvs) filter (where cvs_cum_cap_pct >= {{ var('style_break_high') }}) as cvs_xu,
        min(stability_score) filter (where stability_cum_cap_pct >= {{ var('style_break_low') }}) as stability_xl,
        min(stability_score) filter (where stability_cum_cap_pct >= {{ var('style_break_mid') }}) as stability_xm,
        min(stability_score) filter (where stability_cum_cap_pct >= {{ var('style_break_high') }}) as stability_xu
    from cumulative
    group by all
),

curve as (
    select
        c.*,
        b.cvs_xl,
        b.cvs_xm,
        b.cvs_xu,
        b.stability_xl,
        b.stability_xm,
        b.stability_xu,
        {{ ninety_five_percent_rule(style_probability('c.cvs_cap_position')) }} as curve_value_probability,
        case when c.stability_score is not null then
            {{ ninety_five_percent_rule(style_probability('c.stability_cap_position')) }}
        end as curve_defensive_probability
    from cumulative as c
    join breaks as b using (recon_id, base_index_code)
),

reconstitution_rows as (
    -- a December company that keeps its probabilities keeps those of the reconstitution just before (always a June,
    -- where nobody retains)
    select
        *,
        case
            when probability_retained
                then lag(curve_value_probability) over (partition by company_id order by recon_sequence)
            else curve_value_probability
        end as value_probability,
        case
            when probability_retained
                then lag(curve_defensive_probability) over (partition by company_id order by recon_sequence)
            else curve_defensive_probability
        end as defensive_probability
    from curve
),

additions as (
    select
        c.recon_id,
        cal.event_sequence as recon_sequence,
        c.company_id,
        c.pricing_security_id,
        c.membership_event as event,
        c.valid_from,
        {{ core_index_code('c.in') }} as base_index_code,
        parent.company_id as parent_company_id
    from {{ ref('int_reconstitution_additions') }} as c
    join calendar as cal using (recon_id)
    left join {{ ref('stg_corporate_actions') }} as a
        on c.membership_event = 'spin_off' and a.action_type = 'spin_off'
        and a.related_security_id = c.pricing_security_id
    left join {{ ref('stg_securities') }} as parent on parent.security_id = a.security_id
    where c.in_r3000 or c.in_micro
),

classified_additions as (
    select a.*, k.icb_industry, k.icb_supersector, k.icb_sector, k.icb_subsector
    from additions as a
    {{ join_classification_in_force('a.company_id', 'a.valid_from') }}
),

{%- for level in levels %}
{{ level }}_probabilities as (
    select
        recon_id,
        base_index_code,
        {{ level }},
        case when count(*) >= {{ var('peer_group_min_members') }}
            then {{ exact_avg('value_probability') }} end as {{ level }}_value_probability
    from reconstitution_rows
    group by all
),
{%- endfor %}

universe_probabilities as (
    select recon_id, base_index_code, {{ exact_avg('value_probability') }} as universe_value_probability
    from reconstitution_rows
    group by all
),

peer_probabilities as (
    select
        a.recon_id,
        a.company_id,
        a.valid_from,
        coalesce(
            {%- for level in levels %}
            {{ level }}_probabilities.{{ level }}_value_probability,
            {%- endfor %}
            u.universe_value_probability
        ) as peer_value_probability
    from classified_additions as a
    {%- for level in levels %}
    left join {{ level }}_probabilities using (recon_id, base_index_code, {{ level }})
    {%- endfor %}
    left join universe_probabilities as u using (recon_id, base_index_code)
),

parent_in_force as (
    -- the parent's probabilities from the latest reconstitution in force on the ex-date
    select a.company_id, a.valid_from, p.value_probability, p.defensive_probability, p.base_index_code
    from additions as a
    join reconstitution_rows as p on p.company_id = a.parent_company_id
    join calendar as pc on pc.recon_id = p.recon_id
    where pc.first_session <= a.valid_from
    qualify row_number() over (partition by a.company_id, a.valid_from order by pc.first_session desc) = 1
),

addition_rows as (
    select
        a.recon_id,
        a.recon_sequence,
        a.company_id,
        a.pricing_security_id,
        a.event,
        a.valid_from,
        a.base_index_code,
        a.icb_industry,
        a.icb_subsector,
        case when p.value_probability is not null then 'parent' else 'peer_average' end as cvs_source,
        coalesce(p.value_probability, {{ ninety_five_percent_rule('pp.peer_value_probability') }}) as value_probability,
        case
            when a.base_index_code = 'RMICRO' then null
            when p.company_id is not null then p.defensive_probability
            else 0.0
        end as defensive_probability
    from classified_additions as a
    join peer_probabilities as pp using (recon_id, company_id, valid_from)
    left join parent_in_force as p using (company_id, valid_from)
)

select
    r.recon_id,
    r.recon_sequence,
    r.recon_type,
    r.company_id,
    r.pricing_security_id,
    'reconstitution' as event,
    cal.first_session as valid_from,
    r.base_index_code,
    r.icb_industry,
    r.icb_subsector,
    r.float_market_cap,
    r.raw_cvs,
    r.previous_cvs,
    r.cvs,
    r.cvs_source,
    r.probability_retained,
    r.cvs_cum_cap_pct,
    r.cvs_cap_position,
    r.cvs_xl,
    r.cvs_xm,
    r.cvs_xu,
    r.value_probability,
    1 - r.value_probability as growth_probability,
    r.stability_score,
    r.stability_cum_cap_pct,
    r.stability_cap_position,
    r.stability_xl,
    r.stability_xm,
    r.stability_xu,
    r.defensive_probability,
    1 - r.defensive_probability as dynamic_probability
from reconstitution_rows as r
join calendar as cal using (recon_id)

union all

select
    a.recon_id,
    a.recon_sequence,
    cal.recon_type,
    a.company_id,
    a.pricing_security_id,
    a.event,
    a.valid_from,
    a.base_index_code,
    a.icb_industry,
    a.icb_subsector,
    null as float_market_cap,
    null as raw_cvs,
    null as previous_cvs,
    null as cvs,
    a.cvs_source,
    false as probability_retained,
    null as cvs_cum_cap_pct,
    null as cvs_cap_position,
    null as cvs_xl,
    null as cvs_xm,
    null as cvs_xu,
    a.value_probability,
    1 - a.value_probability,
    null as stability_score,
    null as stability_cum_cap_pct,
    null as stability_cap_position,
    null as stability_xl,
    null as stability_xm,
    null as stability_xu,
    a.defensive_probability,
    1 - a.defensive_probability
from addition_rows as a
join calendar as cal using (recon_id)
