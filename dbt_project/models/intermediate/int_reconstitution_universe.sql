{{ config(materialized='view') }}
-- Every company of a reconstitution's rank-day universe, members or not, with its rank, cumulative cap share,
-- previous composition and new membership: the reconstitution rows of int_reconstitution_chain, which also holds
-- the additions between reconstitutions (int_reconstitution_additions) because both feed the next reconstitution.
select
    recon_id,
    company_id,
    pricing_security_id,
    valid_from,
    ineligible_reason,
    size_rank,
    cum_cap_pct,
    breakpoint_pct_r1000,
    was_r3000e, was_r3000, was_r1000, was_top500, was_top200, was_micro,
    {{ flag_columns() }},
    total_market_cap
from {{ ref('int_reconstitution_chain') }}
where kind = 'universe'
