{{ config(materialized='ephemeral') }}
-- The size rule steps of int_reconstitution_chain (macros/reconstitution_steps.sql: universe and eligibility,
-- ranking and cumulative cap, breakpoints, bands, membership flags) applied to the first reconstitution alone,
-- from the composition in force before it (int_initial_membership): the chain's first block without the additions
-- between reconstitutions. Ephemeral and read by no model, so never built: it holds the steps' dbt unit tests
-- (_rule_unit_tests.yml), which the chain's compile-time unrolling cannot have.
with first_reconstitution as (
    select recon_id
    from {{ ref('int_rebalance_calendar') }} as c
    where c.event_type = 'reconstitution'
    order by c.rank_date, c.recon_id
    limit 1
),

company_vehicles as (
    select * from {{ ref('int_event_company_vehicles') }}
),

previous_composition as (
    select
        company_id, valid_from, {{ flag_columns() }},
        knows_r1000, knows_top500, knows_top200, knows_micro_top
    from {{ ref('int_initial_membership') }}
),

{{ reconstitution_size_ctes('company_vehicles', 'previous_composition',
    '(select recon_id from first_reconstitution)') }}

select
    u.recon_id,
    u.company_id,
    u.ineligible_reason,
    p.size_rank,
    p.cum_cap_pct,
    p.breakpoint_pct_r1000,
    {%- for flag in membership_flags() %}
    coalesce(m.{{ flag }}, false) as {{ flag }}{{ ',' if not loop.last }}
    {%- endfor %}
from universe as u
left join placed as p using (company_id)
left join members as m using (company_id)
