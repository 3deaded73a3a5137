{{ config(materialized='ephemeral') }}
-- The IPO steps of int_reconstitution_chain (macros/ipo_placement.sql: market moves, quarterly IPO candidates,
-- fast entries, placement against the market-adjusted breakpoints) applied to the first reconstitution alone, from
-- the composition in force before it (int_initial_membership), up to the next reconstitution. Ephemeral and read
-- by no model, so never built: it holds the steps' dbt unit tests (_rule_unit_tests.yml), which the chain's
-- compile-time unrolling cannot have.
with {{ reconstitution_input_ctes() }},

reconstitutions as (
    select
        recon_id,
        rank_date,
        first_session,
        lead(rank_date) over (order by rank_date, recon_id) as next_rank_date,
        lead(first_session) over (order by rank_date, recon_id) as next_first_session
    from calendar
    where event_type = 'reconstitution'
),

first_reconstitution as (
    select *
    from reconstitutions
    order by rank_date, recon_id
    limit 1
),

{{ reconstitution_size_ctes('company_vehicles', 'initial_state', '(select recon_id from first_reconstitution)') }},

{%- set rank_date = '(select rank_date from first_reconstitution)' %}
{%- set first_session = '(select first_session from first_reconstitution)' %}
{#- after the last reconstitution nothing bounds the window: the far future stands in for the next one #}
{%- set next_rank = "coalesce((select next_rank_date from first_reconstitution), date '9999-12-31')" %}
{%- set next_first = "coalesce((select next_first_session from first_reconstitution), date '9999-12-31')" %}

market_moves as (
    {{ market_moves('calendar', 'members', 'universe', 'event_lines', rank_date, next_rank) | indent(4) }}
),

quarterly_ipos as (
    {{ quarterly_ipo_candidates('calendar', 'market_moves', 'companies', 'breakpoints', 'spin_offs', 'members')
        | indent(4) }}
),

fast_entries as (
    {{ fast_entry_candidates('ipo_first_days', 'home_countries', 'breakpoints', 'market_moves', 'calendar',
        'spin_offs', rank_date, next_rank) | indent(4) }}
)

{{ placed_additions('fast_entries', 'quarterly_ipos', 'breakpoints', first_session, next_first) }}
