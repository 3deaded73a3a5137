-- Growth/Value and Defensive/Dynamic scores and probabilities per reconstitution and security (docs/contract.md §3;
-- docs/methodology.md §5-§6; project decisions 2-4 and 8). One row per company and reconstitution of a base universe
-- (event 'reconstitution'), and one per company added between reconstitutions (event 'ipo', 'fast_entry_ipo' or
-- 'spin_off', attributed to the reconstitution that placed it). security_id is the pricing vehicle; extra share
-- classes use its probabilities.
with probabilities as (
    select * from {{ ref('int_style_probabilities') }}
),

values_scored as (
    select * from {{ ref('int_value_scores') }}
),

stability as (
    select * from {{ ref('int_stability_scores') }}
)

select
    p.recon_id,
    p.pricing_security_id as security_id,
    p.company_id,
    p.base_index_code,
    p.event,
    p.valid_from,
    p.icb_industry,
    p.icb_subsector,
    v.book_to_price,
    v.eps_growth_2y,
    v.analyst_count,
    v.sps_growth_5y,
    v.book_to_price_score,
    v.eps_growth_2y_score,
    v.sps_growth_5y_score,
    v.book_to_price_peer_group,
    v.eps_growth_2y_peer_group,
    v.sps_growth_5y_peer_group,
    p.raw_cvs,
    p.previous_cvs,
    p.cvs,
    p.cvs_source,
    p.probability_retained,
    p.float_market_cap,
    p.cvs_cum_cap_pct,
    p.cvs_cap_position,
    p.cvs_xl,
    p.cvs_xm,
    p.cvs_xu,
    p.value_probability,
    p.growth_probability,
    s.debt_to_equity_score,
    s.pretax_roa_score,
    s.eps_variability_score,
    s.weekly_volatility_score,
    s.monthly_volatility_score,
    s.quality_score,
    s.volatility_score,
    p.stability_score,
    p.stability_cap_position,
    p.stability_xl,
    p.stability_xm,
    p.stability_xu,
    p.defensive_probability,
    p.dynamic_probability,
    v.rank_date,
    v.latest_input_date
from probabilities as p
left join values_scored as v on p.event = 'reconstitution' and v.recon_id = p.recon_id and v.company_id = p.company_id
left join stability as s on p.event = 'reconstitution' and s.recon_id = p.recon_id and s.company_id = p.company_id
order by p.recon_id, p.base_index_code, p.company_id, p.valid_from
