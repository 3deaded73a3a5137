-- One row per reconstitution and company on its rank day: eligibility with one reason, total market cap,
-- rank and cumulative cap percentage (docs/methodology.md §1-§2).
with chain as (
    select * from {{ ref('int_reconstitution_universe') }}
),

companies as (
    -- each company priced on the vehicle its membership allowed (M7 §6.5.3)
    select * from {{ ref('int_event_company_vehicles') }}
),

calendar as (
    select * from {{ ref('int_rebalance_calendar') }}
)

select
    ch.recon_id,
    cal.recon_type,
    cal.rank_date,
    cal.effective_date,
    ch.company_id,
    ch.pricing_security_id,
    co.home_country,
    co.total_shares,
    co.vehicle_close,
    co.total_market_cap,
    co.float_factor,
    co.voting_rights_pct,
    co.close_30d_avg,
    co.latest_input_date,
    ch.ineligible_reason is null as eligible,
    ch.ineligible_reason,
    ch.size_rank,
    ch.cum_cap_pct,
    ch.was_r3000 as was_r3000_member,
    ch.in_r3000e as is_r3000e_member
from chain as ch
join calendar as cal using (recon_id)
join companies as co
    on co.recon_id = ch.recon_id and co.company_id = ch.company_id
    and co.vehicle_basis = case when ch.was_r3000e then 'existing_member' else 'new_member' end
order by ch.recon_id, ch.size_rank nulls last, ch.company_id
