-- Every IPO added to an index between reconstitutions (docs/contract.md §3, docs/methodology.md §3): quarterly IPO additions
-- and fast entries, one row per index the new line joined, with its ICB industry on the day it joined and its
-- total market cap as placed (the chartbook's IPO exhibit counts them per quarter, index and industry).
with additions as (
    select company_id, pricing_security_id as security_id, valid_from, membership_event, total_market_cap, event_id
    from {{ ref('int_reconstitution_additions') }}
    where membership_event in ('ipo', 'fast_entry_ipo')
)

select
    m.index_code,
    a.security_id,
    m.valid_from as effective_date,
    a.membership_event as addition_type,
    coalesce(a.event_id, 'fast entry') as review_id,
    k.icb_industry,
    a.total_market_cap,
    m.inclusion_factor
from additions as a
join {{ ref('fct_index_membership') }} as m
    on m.security_id = a.security_id and m.valid_from = a.valid_from and m.event = a.membership_event
-- the industry is the issuer's the input names (a separated tracking stock shares its parent's)
join {{ ref('int_tracking_stock_companies') }} as s on s.security_id = a.security_id
{{ join_classification_in_force('s.input_company_id', 'a.valid_from') }}
order by m.index_code, m.valid_from, a.security_id
