{#-
  Reconstitutions in date order, each seeing the membership in force on its rank day (docs/methodology.md §1-§3).
  Membership is recursive (banding and the $1 rescue depend on who is a member, and who is a member depends on
  the last reconstitution and the additions since), so the reconstitutions are unrolled at compile time: one
  block of CTEs per reconstitution, each reading the state the previous block left. The size steps of a block
  (universe, ranking, breakpoints, bands, members) are the macros of macros/reconstitution_steps.sql, which
  int_size_placement applies to the first reconstitution for their dbt unit tests. Between two
  reconstitutions the block also adds quarterly IPOs, fast-entry IPOs and spin-offs.

  The first block starts from the composition in force before the data (int_initial_membership, decision 11),
  or from nothing, when the input has no such list: then it ranks without bands.

  Output rows: kind = 'universe' (every company of a reconstitution's rank-day universe, members or not) and
  kind = 'addition' (an IPO, fast-entry IPO or spin-off joining between reconstitutions).
-#}
{%- set calendar_query -%}
    select recon_id, rank_date, first_session
    from {{ ref('int_rebalance_calendar') }}
    where event_type = 'reconstitution'
    order by rank_date
{%- endset -%}
{%- if execute -%}
    {%- set recons = run_query(calendar_query).rows -%}
{%- else -%}
    {%- set recons = [] -%}
{%- endif -%}

with companies as (
    -- priced on the new-member vehicle: companies reviewed as quarterly IPOs are new by definition
    select * from {{ ref('int_event_companies') }}
),

company_vehicles as (
    -- priced on each vehicle basis (M7 §6.5.3): a reconstitution takes the one the company's membership calls for
    select * from {{ ref('int_event_company_vehicles') }}
),

calendar as (
    select * from {{ ref('int_rebalance_calendar') }}
),

event_lines as (
    select * from {{ ref('int_event_lines') }}
),

ipo_first_days as (
    select i.*, l.valid_from as fast_entry_valid_from, l.lockdown_recon_id
    from {{ ref('int_ipo_first_days') }} as i
    left join {{ ref('int_fast_entry_lockdown') }} as l using (security_id)
),

home_countries as (
    -- keyed by the issuer the input names (int_tracking_stock_companies.input_company_id)
    select company_id, home_country from {{ ref('int_company_home_country') }}
),

spin_offs as (
    select a.ex_date, parent.company_id as parent_company_id, child.company_id as company_id,
        a.related_security_id as security_id
    from {{ ref('stg_corporate_actions') }} as a
    join {{ ref('int_tracking_stock_companies') }} as parent on parent.security_id = a.security_id
    join {{ ref('int_tracking_stock_companies') }} as child on child.security_id = a.related_security_id
    where a.action_type = 'spin_off'
),

initial_state as (
    -- the composition in force before the first reconstitution (decision 11); empty without a list
    select
        company_id, valid_from, {{ flag_columns() }},
        knows_r1000, knows_top500, knows_top200, knows_micro_top
    from {{ ref('int_initial_membership') }}
)

{%- for recon in recons %}
{%- set i = loop.index0 %}
{%- set recon_id, rank_date, first_session = recon[0], recon[1], recon[2] %}
{%- set next_rank = recons[i + 1][1] if not loop.last else none %}
{%- set next_first = recons[i + 1][2] if not loop.last else none %}
,

-- ===== {{ recon_id }}: rank day {{ rank_date }}, new composition from {{ first_session }} =====
state_{{ i }} as (
    -- who is a member on this rank day: the previous reconstitution plus additions since
    {%- if i == 0 %}
    select * from initial_state
    {%- else %}
    select company_id, valid_from, {{ flag_columns() }},
        -- the chain's own history names every index
        true as knows_r1000, true as knows_top500, true as knows_top200, true as knows_micro_top
    from (
        -- the latest row; on the same day an addition is later than the reconstitution (as in
        -- int_index_line_segments), then the line id decides (decision 14)
        select
            *,
            row_number() over (
                partition by company_id order by valid_from desc, is_addition desc, pricing_security_id
            ) as latest
        from (
            select company_id, pricing_security_id, false as is_addition, valid_from, {{ flag_columns() }}
            from members_{{ i - 1 }}
            union all
            select company_id, pricing_security_id, true, valid_from, {{ flag_columns() }}
            from additions_{{ i - 1 }}
            where valid_from <= date '{{ rank_date }}'
        )
    )
    where latest = 1 and in_r3000e
    {%- endif %}
),

universe_{{ i }} as (
    {{ rank_day_universe('company_vehicles', 'state_' ~ i, "'" ~ recon_id ~ "'") | indent(4) }}
),

ranked_cum_{{ i }} as (
    {{ ranked_by_size('universe_' ~ i) | indent(4) }}
),

breakpoints_{{ i }} as (
    {{ size_breakpoints('ranked_cum_' ~ i) | indent(4) }}
),

placed_{{ i }} as (
    {{ banded_sides('ranked_cum_' ~ i, 'breakpoints_' ~ i) | indent(4) }}
),

members_{{ i }} as (
    select company_id, pricing_security_id, date '{{ first_session }}' as valid_from, {{ flag_columns() }}
    from ({{ size_members('placed_' ~ i) | indent(4) }})
),

market_moves_{{ i }} as (
    -- R3000E price return from this rank day to each later rank day before the next reconstitution, shares
    -- held at their rank-day count and each company priced at its rank-day pricing vehicle
    select
        e.recon_id as event_id,
        {{ exact_sum('m_total.total_shares * l.rank_close / l.conversion_ratio', 2) }}
            / {{ exact_sum('m_total.total_market_cap', 2) }} - 1
            as r3000e_return
    from calendar as e
    join members_{{ i }} as m on true
    join universe_{{ i }} as m_total on m_total.company_id = m.company_id
    join event_lines as l on l.recon_id = e.recon_id and l.security_id = m.pricing_security_id
    where e.rank_date > date '{{ rank_date }}'
      {%- if next_rank %} and e.rank_date < date '{{ next_rank }}'{% endif %}
      and l.rank_close is not null
    group by e.recon_id
),

ipo_additions_{{ i }} as (
    -- quarterly IPO reviews (docs/methodology.md §3): new companies first traded since the previous rank day, eligible
    -- on the review's rank day and larger than the market-adjusted smallest R3000E company, placed against the
    -- market-adjusted breakpoints of this reconstitution
    select
        c.company_id,
        c.pricing_security_id,
        e.first_session as valid_from,
        'ipo' as addition_event,
        e.recon_id as event_id,
        c.total_market_cap,
        c.total_market_cap / (1 + mv.r3000e_return) as cap_in_rank_day_terms
    from calendar as e
    join market_moves_{{ i }} as mv on mv.event_id = e.recon_id
    join companies as c on c.recon_id = e.recon_id
    cross join breakpoints_{{ i }} as b
    where e.event_type = 'quarterly'
      and c.vehicle_first_trade_date > e.previous_rank_date
      and c.vehicle_first_trade_date <= e.rank_date
      and c.structural_reason is null and c.passes_price_new and c.size_reason is null
      and c.total_market_cap > b.cap_smallest_r3000e * (1 + mv.r3000e_return)
      -- a spin-off's new line is not an IPO: it joins with its parent or waits for the next reconstitution
      and c.company_id not in (select company_id from spin_offs)
      -- nor is a new class of a member, even when it became the company's pricing vehicle
      and c.company_id not in (select company_id from members_{{ i }})
),

fast_entries_{{ i }} as (
    -- an IPO whose day-one float cap beats the market-adjusted Top 500 breakpoint joins after its 5th session,
    -- or with the reconstitution when that day falls in its lock-down (int_fast_entry_lockdown, M7 §4.3.5);
    -- the adjustment is the R3000E move to the latest rank day before the IPO (or none before the first review).
    -- One line per company: of two lines that qualify on the same day, the one with the larger first-day
    -- volume, then more available shares, then the line id (decision 14)
    select
        f.company_id,
        f.security_id as pricing_security_id,
        f.fast_entry_valid_from as valid_from,
        'fast_entry_ipo' as addition_event,
        null::varchar as event_id,
        f.first_day_total_cap as total_market_cap,
        f.first_day_total_cap / (1 + coalesce(mv.r3000e_return, 0)) as cap_in_rank_day_terms
    from ipo_first_days as f
    join home_countries as h on h.company_id = f.input_company_id
    cross join breakpoints_{{ i }} as b
    left join lateral (
        select m.r3000e_return
        from market_moves_{{ i }} as m
        join calendar as e on e.recon_id = m.event_id
        where e.rank_date <= f.first_trade_date
        order by e.rank_date desc, e.recon_id
        limit 1
    ) as mv on true
    where f.first_trade_date > date '{{ rank_date }}'
      {%- if next_rank %} and f.first_trade_date <= date '{{ next_rank }}'{% endif %}
      and f.fast_entry_first_session is not null
      and f.exchange in {{ sql_values(var('eligible_exchanges')) }}
      and h.home_country = 'US'
      and f.first_close >= {{ var('min_price') }}
      and f.first_day_float_factor >= {{ var('min_float') }}
      and f.first_day_total_cap >= {{ var('min_total_market_cap') }}
      and f.first_day_float_cap > b.cap_top500 * (1 + coalesce(mv.r3000e_return, 0))
      and f.company_id not in (select company_id from spin_offs)
    qualify row_number() over (
        partition by f.company_id
        order by f.fast_entry_valid_from, f.first_day_volume desc, f.first_day_available_shares desc, f.security_id
    ) = 1
),

placed_ipos_{{ i }} as (
    select
        a.company_id,
        a.pricing_security_id,
        a.valid_from,
        a.addition_event,
        a.event_id,
        a.total_market_cap,
        a.cap_in_rank_day_terms >= b.cap_r1000 as in_r1000,
        a.cap_in_rank_day_terms >= b.cap_top500 as in_top500,
        a.cap_in_rank_day_terms >= b.cap_top200 as in_top200,
        a.cap_in_rank_day_terms >= b.cap_top50 as in_top50,
        a.cap_in_rank_day_terms >= b.cap_r3000 or a.cap_in_rank_day_terms >= b.cap_r1000 as in_r3000,
        true as in_r3000e,
        a.cap_in_rank_day_terms < b.cap_micro_top and a.cap_in_rank_day_terms < b.cap_r1000 as in_micro
    from (
        select
            *,
            row_number() over (
                partition by company_id order by valid_from, addition_event, pricing_security_id
            ) as first_addition
        from (
            select * from fast_entries_{{ i }}
            union all
            select * from ipo_additions_{{ i }}
            where company_id not in (select company_id from fast_entries_{{ i }})
        )
    ) as a
    cross join breakpoints_{{ i }} as b
    where a.first_addition = 1
      -- quarterly reviews follow this reconstitution; a fast entry may come before it takes effect and then
      -- carries through it (it was not in the rank-day universe)
      and (a.addition_event = 'fast_entry_ipo' or a.valid_from >= date '{{ first_session }}')
      {%- if next_first %} and a.valid_from < date '{{ next_first }}'{% endif %}
),

spin_additions_{{ i }} as (
    -- a member's spin-off joins the indexes its parent is in on the ex-date (decision 8). Between this rank day
    -- and this reconstitution's first session the parent is still in the old composition (state_{{ i }}): the
    -- spin-off takes that, then the parent's new membership from the first session; later ex-dates take the new
    -- membership straight away (an IPO parent only once it has joined). It keeps it until the next
    -- reconstitution. The new line must pass the structural screens (a listed common class on an eligible
    -- exchange, home country US) and its company's total cap on its first trading day must be larger than this
    -- reconstitution's smallest R3000E company, market-adjusted to the latest rank day on or before the ex-date
    -- (M7 §6.6.1, as fast entries); otherwise it never joins between reconstitutions and is ranked like any other
    -- company at the next one
    select
        s.company_id,
        s.security_id as pricing_security_id,
        b.valid_from,
        'spin_off' as addition_event,
        null::varchar as event_id,
        f.first_day_total_cap as total_market_cap,
        {{ flag_columns('b.') }}
    from spin_offs as s
    -- listed common classes only (int_ipo_first_days); the line's first trading day is normally the ex-date
    join ipo_first_days as f on f.security_id = s.security_id
    join home_countries as h on h.company_id = f.input_company_id
    cross join breakpoints_{{ i }} as bp
    left join lateral (
        select m.r3000e_return
        from market_moves_{{ i }} as m
        join calendar as e on e.recon_id = m.event_id
        where e.rank_date <= s.ex_date
        order by e.rank_date desc, e.recon_id
        limit 1
    ) as mv on true
    join (
        select company_id, date '{{ first_session }}' as parent_from, false as before_effective, {{ flag_columns() }}
        from members_{{ i }}
        union all
        select company_id, valid_from, false, {{ flag_columns() }}
        from placed_ipos_{{ i }}
        union all
        select company_id, null::date, true, {{ flag_columns() }}
        from state_{{ i }}
    ) as parent on parent.company_id = s.parent_company_id
    cross join lateral (
        select
            case
                when parent.before_effective then s.ex_date
                when s.ex_date < date '{{ first_session }}' then date '{{ first_session }}'
                else s.ex_date
            end as valid_from,
            {{ flag_columns('parent.') }}
    ) as b
    where s.ex_date > date '{{ rank_date }}'
      {%- if next_rank %} and s.ex_date <= date '{{ next_rank }}'{% endif %}
      -- the old composition applies only before this reconstitution takes effect
      and (not parent.before_effective or s.ex_date < date '{{ first_session }}')
      -- a parent added between reconstitutions passes its indexes on only once it is a member
      and (parent.before_effective or parent.parent_from <= b.valid_from)
      and f.exchange in {{ sql_values(var('eligible_exchanges')) }}
      and h.home_country = 'US'
      and f.first_day_total_cap > bp.cap_smallest_r3000e * (1 + coalesce(mv.r3000e_return, 0))
),

additions_{{ i }} as (
    select * from placed_ipos_{{ i }}
    union all
    select * from spin_additions_{{ i }}
),

output_{{ i }} as (
    select
        'universe' as kind,
        '{{ recon_id }}' as recon_id,
        u.company_id,
        u.pricing_security_id,
        date '{{ first_session }}' as valid_from,
        'reconstitution' as membership_event,
        u.ineligible_reason,
        p.size_rank,
        p.cum_cap_pct,
        p.breakpoint_pct_r1000,
        u.was_r3000e, u.was_r3000, u.was_r1000, u.was_top500, u.was_top200, u.was_micro,
        {%- for flag in membership_flags() %}
        coalesce(m.{{ flag }}, false) as {{ flag }},
        {%- endfor %}
        null::varchar as event_id,
        u.total_market_cap
    from universe_{{ i }} as u
    left join placed_{{ i }} as p using (company_id)
    left join members_{{ i }} as m using (company_id)
    union all
    select
        'addition', '{{ recon_id }}', company_id, pricing_security_id, valid_from, addition_event,
        null, null, null, null,
        false, false, false, false, false, false,
        {{ flag_columns() }},
        event_id,
        total_market_cap
    from additions_{{ i }}
)
{%- endfor %}

{%- if recons | length > 0 %}
{%- for recon in recons %}
{{ 'select * from output_' ~ loop.index0 }}
{%- if not loop.last %} union all{% endif %}
{%- endfor %}
{%- else %}
select
    null::varchar as kind, null::varchar as recon_id, null::varchar as company_id, null::varchar as pricing_security_id,
    null::date as valid_from, null::varchar as membership_event, null::varchar as ineligible_reason,
    null::bigint as size_rank, null::double as cum_cap_pct, null::double as breakpoint_pct_r1000,
    false as was_r3000e, false as was_r3000, false as was_r1000, false as was_top500, false as was_top200,
    false as was_micro, false as in_r1000, false as in_top500, false as in_top200, false as in_top50,
    false as in_r3000, false as in_r3000e, false as in_micro, null::varchar as event_id,
    null::double as total_market_cap
where false
{%- endif %}
