-- Each preview's companies (docs/preview.md): the coming reconstitution's rank-day rules applied as if the preview
-- date were the rank day, or, once the rank day has passed, what the rank day determined.
--   projected:  the companies and figures int_event_company_vehicles computed for the preview (only figures dated
--               on or before the preview date), the membership in force that day as int_reconstitution_chain's
--               state before a reconstitution (the reconstitution in force, then the additions since; before the
--               first reconstitution in the data, the initial list), and the chain's own rules (macros of
--               reconstitution_steps.sql: eligibility, ranks, cumulative percentages, breakpoints, bands, flags)
--               ranked per preview. Dated on a rank day, a preview is that reconstitution's result.
--   determined: the reconstitution's rank-day universe from int_reconstitution_chain.
-- One row per preview and company of its universe; was_* flags are the membership before, in_* after.
with events as (
    select * from {{ ref('int_preview_events') }}
),

chain_universe as (
    select * from {{ ref('int_reconstitution_universe') }}
),

chain_memberships as (
    -- the members of each reconstitution and the additions after it, in one relation
    select recon_id, company_id, pricing_security_id, valid_from, false as is_addition, {{ flag_columns() }}
    from chain_universe
    where in_r3000e
    union all
    select recon_id, company_id, pricing_security_id, valid_from, true, {{ flag_columns() }}
    from {{ ref('int_reconstitution_additions') }}
),

company_vehicles as (
    select * from {{ ref('int_event_company_vehicles') }}
),

initial_state as (
    select * from {{ ref('int_initial_membership') }}
),

initial_knowledge as (
    -- which banded breakpoints the initial list places (every one when the chain's own history is the state)
    select
        coalesce(bool_or(knows_r1000), true) as knows_r1000,
        coalesce(bool_or(knows_top500), true) as knows_top500,
        coalesce(bool_or(knows_top200), true) as knows_top200,
        coalesce(bool_or(knows_micro_top), true) as knows_micro_top
    from initial_state
),

in_force as (
    -- the chain's rows of the reconstitution in force: its members, and the additions since on or before the
    -- preview date; the latest per company (an addition after a reconstitution row on the same day, then the line)
    select * from (
        select
            e.preview_id,
            c.company_id,
            c.in_r3000e, c.in_r3000, c.in_r1000, c.in_top500, c.in_top200, c.in_top50, c.in_micro
        from events as e
        join chain_memberships as c
            on c.recon_id = e.in_force_recon_id
            and c.valid_from <= e.preview_date
        where e.preview_basis = 'projected'
        qualify row_number() over (
            partition by e.preview_id, c.company_id
            order by c.valid_from desc, c.is_addition desc, c.pricing_security_id
        ) = 1
    )
    where in_r3000e
),

state as (
    select
        *, true as knows_r1000, true as knows_top500, true as knows_top200, true as knows_micro_top
    from in_force
    union all
    select
        e.preview_id, i.company_id,
        i.in_r3000e, i.in_r3000, i.in_r1000, i.in_top500, i.in_top200, i.in_top50, i.in_micro,
        i.knows_r1000, i.knows_top500, i.knows_top200, i.knows_micro_top
    from events as e
    join initial_state as i on true
    where e.preview_basis = 'projected' and e.in_force_recon_id is null
),

projected_universe as (
    select
        e.preview_id,
        c.company_id,
        c.pricing_security_id,
        c.total_market_cap,
        c.vehicle_close,
        c.close_30d_avg,
        c.float_factor,
        c.structural_reason,
        c.size_reason,
        c.latest_input_date,
        {{ previous_composition('s') | indent(8) }},
        {{ ineligible_reason('c', 'coalesce(s.in_r3000e, false)') | indent(8) }} as ineligible_reason
    from events as e
    join company_vehicles as c on c.recon_id = e.preview_id
    left join state as s on s.preview_id = e.preview_id and s.company_id = c.company_id
    where e.preview_basis = 'projected'
      -- an existing member is priced on a class with at least 100 days of volume (int_pricing_vehicles)
      and c.vehicle_basis = case when s.company_id is not null then 'existing_member' else 'new_member' end
),

ranked_cum as (
    {{ ranked_by_size('projected_universe', 'preview_id') | indent(4) }}
),

breakpoints as (
    {{ size_breakpoints('ranked_cum', 'preview_id') | indent(4) }}
),

placed as (
    {{ banded_sides('ranked_cum', 'breakpoints', 'preview_id') | indent(4) }}
),

members as (
    {{ size_members('placed', 'preview_id') | indent(4) }}
),

projected as (
    -- every company of the universe, with its rank and the flags of the new composition (none: not a member)
    select
        u.*,
        r.size_rank,
        r.cum_cap_pct,
        {%- for flag in membership_flags() %}
        coalesce(m.{{ flag }}, false) as {{ flag }}{{ ',' if not loop.last }}
        {%- endfor %}
    from projected_universe as u
    left join ranked_cum as r using (preview_id, company_id)
    left join members as m using (preview_id, company_id)
),

determined as (
    -- the rank day has passed: the chain's result, each company priced on the vehicle its membership allowed
    select
        e.preview_id,
        ch.company_id,
        ch.pricing_security_id,
        co.total_market_cap,
        co.vehicle_close,
        co.close_30d_avg,
        co.float_factor,
        co.structural_reason,
        co.size_reason,
        co.latest_input_date,
        ch.was_r3000e, ch.was_r3000, ch.was_r1000, ch.was_top500, ch.was_top200, ch.was_micro,
        case when e.in_force_recon_id is null then k.knows_r1000 else true end as knows_r1000,
        case when e.in_force_recon_id is null then k.knows_top500 else true end as knows_top500,
        case when e.in_force_recon_id is null then k.knows_top200 else true end as knows_top200,
        case when e.in_force_recon_id is null then k.knows_micro_top else true end as knows_micro_top,
        ch.ineligible_reason,
        ch.size_rank,
        ch.cum_cap_pct,
        ch.in_r1000, ch.in_top500, ch.in_top200, ch.in_top50, ch.in_r3000, ch.in_r3000e, ch.in_micro
    from events as e
    join chain_universe as ch on ch.recon_id = e.recon_id
    join company_vehicles as co
        on co.recon_id = ch.recon_id and co.company_id = ch.company_id
        and co.vehicle_basis = case when ch.was_r3000e then 'existing_member' else 'new_member' end
    cross join initial_knowledge as k
    where e.preview_basis = 'determined'
),

unioned as (
    select * from projected
    union all by name
    select * from determined
)

select
    e.preview_id,
    e.preview_date,
    e.recon_id,
    e.preview_basis,
    e.sessions_to_rank_day,
    u.company_id,
    u.pricing_security_id,
    u.total_market_cap,
    u.vehicle_close,
    u.close_30d_avg,
    u.float_factor,
    u.structural_reason,
    u.size_reason,
    u.ineligible_reason,
    u.latest_input_date,
    u.size_rank,
    u.cum_cap_pct,
    u.was_r3000e, u.was_r3000, u.was_r1000, u.was_top500, u.was_top200, u.was_micro,
    u.knows_r1000, u.knows_top500, u.knows_top200, u.knows_micro_top,
    u.in_r3000e, u.in_r3000, u.in_r1000, u.in_top500, u.in_top200, u.in_top50, u.in_micro
from unioned as u
join events as e using (preview_id)
order by e.preview_id, u.size_rank nulls last, u.company_id
