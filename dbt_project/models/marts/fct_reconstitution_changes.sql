-- Every addition, deletion and migration between the core indexes (R1000, R2000, RMICRO = Microcap outside the
-- R2000) at each reconstitution and quarterly review, plus deletions by corporate action, each with its reason
-- (docs/methodology.md §2-§3). Companies kept on their side by a band are listed too (change_type band_retention), so
-- an analyst sees why a company ranked past a breakpoint did not move.
with calendar as (
    select * from {{ ref('int_rebalance_calendar') }}
),

universe as (
    select
        c.*,
        {{ core_index_code('was') }} as from_core,
        {{ core_index_code('in') }} as to_core
    from {{ ref('int_reconstitution_universe') }} as c
),

reconstitution_changes as (
    select
        u.recon_id,
        cal.effective_date,
        u.pricing_security_id as security_id,
        u.company_id,
        case
            when u.from_core is null and u.to_core is not null then 'addition'
            when u.from_core is not null and u.to_core is null then 'deletion'
            when u.from_core <> u.to_core then 'migration'
            else 'band_retention'
        end as change_type,
        u.from_core as from_index_code,
        u.to_core as to_index_code,
        case
            when u.from_core is null
                then 'ranked ' || format('{:,}', u.size_rank) || ', new'
            when u.to_core is null and u.ineligible_reason is not null
                then 'deleted: ineligible (' || u.ineligible_reason || ')'
            when u.to_core is null
                then 'deleted: ranked ' || format('{:,}', u.size_rank)
            when u.from_core <> u.to_core
                then 'moved to ' || u.to_core || ': ranked ' || format('{:,}', u.size_rank) || ' at '
                    || printf('%.1f', 100 * u.cum_cap_pct) || '%'
            else 'kept in ' || u.to_core || ' by band at ' || printf('%.1f', 100 * u.cum_cap_pct) || '%'
        end as reason
    from universe as u
    join calendar as cal using (recon_id)
    where coalesce(u.from_core, '') <> coalesce(u.to_core, '')
       -- on its side of #1000 only thanks to the band
       or (u.to_core = 'R1000' and u.size_rank > {{ var('rank_r1000') }})
       or (u.to_core = 'R2000' and u.size_rank <= {{ var('rank_r1000') }})
),

sessions as (
    select session_date from {{ ref('stg_xnys_sessions') }}
),

between_additions as (
    select
        coalesce(c.event_id, c.recon_id) as recon_id,
        (select max(session_date) from sessions where session_date < c.valid_from) as effective_date,
        c.pricing_security_id as security_id,
        c.company_id,
        'addition' as change_type,
        null::varchar as from_index_code,
        {{ core_index_code('c.in') }} as to_index_code,
        case c.membership_event
            when 'ipo' then 'IPO added at ' || c.event_id || ': total cap $' || printf('%.0f', c.total_market_cap / 1e6) || 'M'
            when 'fast_entry_ipo' then 'fast-entry IPO: total cap $' || printf('%.0f', c.total_market_cap / 1e6) || 'M'
            else 'spin-off joins its parent''s indexes'
        end as reason
    from {{ ref('int_reconstitution_additions') }} as c
),

action_deletions as (
    -- a member that leaves through a corporate action, listed under the rebalance in force at the time
    select
        (
            select e.recon_id from calendar as e where e.first_session <= x.ex_date
            order by e.first_session desc, e.recon_id limit 1
        )
            as recon_id,
        (select max(session_date) from sessions where session_date < x.leaves_on) as effective_date,
        m.security_id,
        m.company_id,
        'deletion' as change_type,
        case
            when bool_or(m.index_code = 'R1000') then 'R1000'
            when bool_or(m.index_code = 'R2000') then 'R2000'
            else 'RMICRO'
        end as from_index_code,
        null::varchar as to_index_code,
        'deleted: ' || replace(x.exit_reason, '_', ' ') as reason
    from {{ ref('fct_index_membership') }} as m
    join {{ ref('int_security_exits') }} as x using (security_id)
    where m.valid_to = x.leaves_on and m.index_code in ('R1000', 'R2000', 'RMICRO')
    group by all
)

select * from reconstitution_changes
union all
select * from between_additions
union all
select * from action_deletions
order by effective_date, recon_id, security_id
