{{ config(materialized='view') }}
-- Every company joining between reconstitutions (a quarterly IPO, a fast-entry IPO or a spin-off), with the
-- indexes it joins: the addition rows of int_reconstitution_chain, placed against the breakpoints of recon_id.
select
    recon_id,
    company_id,
    pricing_security_id,
    valid_from,
    membership_event,
    {{ flag_columns() }},
    event_id,
    total_market_cap
from {{ ref('int_reconstitution_chain') }}
where kind = 'addition'
