-- Each company on each rebalance rank day priced on its new-member pricing vehicle (all available data,
-- int_pricing_vehicles): one row per company, for readers that do not know the membership (quarterly IPO reviews,
-- style inputs). int_reconstitution_chain and fct_rank_day_universe read int_event_company_vehicles, where an
-- existing member is priced on the vehicle M7 §6.5.3 allows it.
select * exclude (vehicle_basis)
from {{ ref('int_event_company_vehicles') }}
where vehicle_basis = 'new_member'
