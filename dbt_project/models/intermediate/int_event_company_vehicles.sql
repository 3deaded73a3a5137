-- Each company on each rebalance rank day, priced on each of its two pricing vehicles (int_pricing_vehicles: one
-- for a new member, one for an existing member, M7 §6.5.3; usually the same line): total market cap over all
-- common classes, and the eligibility screens that do not depend on index membership (docs/methodology.md §1, §6.1-6.5 of
-- M7). int_reconstitution_chain takes the row of the basis the company's membership calls for. The $1 rule needs
-- membership too (existing members may use their 30-day average, int_minimum_price_rescue): it is carried as two
-- flags.
with lines as (
    select * from {{ ref('int_event_lines') }}
),

vehicle as (
    select * from {{ ref('int_pricing_vehicles') }}
),

company_totals as (
    select
        recon_id,
        company_id,
        ({{ exact_sum("shares_outstanding * conversion_ratio") }} filter (where is_common_class))::double as total_shares,
        {{ exact_sum('available_shares * votes_per_share') }} filter (where is_common_class)
            / nullif({{ exact_sum('shares_outstanding * votes_per_share') }} filter (where is_common_class), 0) as voting_rights_pct,
        -- the latest date of any input row behind the company's figures (point in time: never after the rank day)
        greatest(max(shares_effective_date), max(rank_date)) as latest_input_date
    from lines
    group by all
),

june_voting as (
    -- December reconstitutions do not re-research voting rights (docs/methodology.md §2 "Semi-annual change"): a company
    -- ranked in the same year's June keeps that determination; so does a preview of a December reconstitution
    -- dated after that June's rank day
    select d.recon_id, j.company_id, j.voting_rights_pct
    from (
        select recon_id, rank_date from {{ ref('int_rebalance_calendar') }} where recon_type = 'december'
        union all
        select preview_id, preview_date from {{ ref('int_preview_events') }}
        where recon_type = 'december' and preview_basis = 'projected'
    ) as d
    join {{ ref('int_rebalance_calendar') }} as june
        on june.recon_type = 'june' and year(june.rank_date) = year(d.rank_date) and june.rank_date <= d.rank_date
    join company_totals as j on j.recon_id = june.recon_id
),

vehicle_totals as materialized (
    -- the company's totals on its vehicles first: joined in one query with the lines, DuckDB derives lines.recon_id
    -- = company_totals.recon_id and may join those two on the reconstitution alone (2 billion rows, a minute)
    select v.*, t.total_shares, t.voting_rights_pct, t.latest_input_date
    from vehicle as v
    join company_totals as t on t.recon_id = v.recon_id and t.company_id = v.company_id
),

priced as (
    select
        v.recon_id,
        l.rank_date,
        v.company_id,
        v.vehicle_basis,
        v.pricing_security_id,
        l.security_type as vehicle_security_type,
        l.exchange as vehicle_exchange,
        l.conversion_ratio as vehicle_conversion_ratio,
        l.rank_close as vehicle_close,
        r.close_30d_avg,
        l.first_trade_date as vehicle_first_trade_date,
        l.available_shares / nullif(l.shares_outstanding, 0) as float_factor,
        v.total_shares,
        v.total_shares * l.rank_close / l.conversion_ratio as total_market_cap,
        coalesce(jv.voting_rights_pct, v.voting_rights_pct) as voting_rights_pct,
        v.latest_input_date,
        h.home_country
    from vehicle_totals as v
    join lines as l on l.recon_id = v.recon_id and l.security_id = v.pricing_security_id
    -- countries are facts of the issuer the input names (a separated tracking stock shares its parent's)
    join {{ ref('int_company_home_country') }} as h on h.company_id = l.input_company_id
    left join {{ ref('int_minimum_price_rescue') }} as r
        on r.recon_id = v.recon_id and r.security_id = v.pricing_security_id
    left join june_voting as jv on jv.recon_id = v.recon_id and jv.company_id = v.company_id
)

select
    *,
    -- first failing screen that does not depend on membership, in the order of docs/methodology.md §1
    case
        when vehicle_security_type not in {{ sql_values(var('eligible_security_types')) }} then 'excluded_security_type'
        when vehicle_exchange not in {{ sql_values(var('eligible_exchanges')) }} then 'ineligible_exchange'
        when home_country is distinct from 'US' then 'non_us'
        when vehicle_close is null then 'no_rank_day_price'
    end as structural_reason,
    coalesce(vehicle_close >= {{ var('min_price') }}, false) as passes_price_new,
    coalesce(vehicle_close >= {{ var('min_price') }} or close_30d_avg >= {{ var('min_price') }}, false)
        as passes_price_member,
    -- the screens after the $1 rule, in order
    case
        when total_market_cap < {{ var('min_total_market_cap') }} then 'market_cap_below_min'
        when float_factor < {{ var('min_float') }} then 'float_below_min'
        when voting_rights_pct < {{ var('min_voting_rights') }} then 'voting_rights_below_min'
    end as size_reason
from priced
