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
  kind = 'addition' (an IPO, fast-entry IPO or spin-off joining between reconstitutions), both kept here because
  the next block reads both; every other model reads them apart, through int_reconstitution_universe and
  int_reconstitution_additions. The IPO steps of a block are the macros of macros/ipo_placement.sql (unit-tested
  through int_ipo_placement).
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

with {{ reconstitution_input_ctes() }}

{%- for recon in recons %}
{%- set i = loop.index0 %}
{%- set recon_id, rank_date, first_session = recon[0], recon[1], recon[2] %}
{%- set next_rank = recons[i + 1][1] if not loop.last else none %}
{%- set next_first = recons[i + 1][2] if not loop.last else none %}
{%- set rank_literal = "date '" ~ rank_date ~ "'" %}
{%- set first_literal = "date '" ~ first_session ~ "'" %}
{%- set next_rank_literal = "date '" ~ next_rank ~ "'" if next_rank else none %}
{%- set next_first_literal = "date '" ~ next_first ~ "'" if next_first else none %}
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
    {{ market_moves('calendar', 'members_' ~ i, 'universe_' ~ i, 'event_lines', rank_literal, next_rank_literal)
        | indent(4) }}
),

ipo_additions_{{ i }} as (
    {{ quarterly_ipo_candidates('calendar', 'market_moves_' ~ i, 'companies', 'breakpoints_' ~ i, 'spin_offs',
        'members_' ~ i) | indent(4) }}
),

fast_entries_{{ i }} as (
    {{ fast_entry_candidates('ipo_first_days', 'home_countries', 'breakpoints_' ~ i, 'market_moves_' ~ i, 'calendar',
        'spin_offs', rank_literal, next_rank_literal) | indent(4) }}
),

placed_ipos_{{ i }} as (
    {{ placed_additions('fast_entries_' ~ i, 'ipo_additions_' ~ i, 'breakpoints_' ~ i, first_literal,
        next_first_literal) | indent(4) }}
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
    {{ latest_market_move('market_moves_' ~ i, 'calendar', 's.ex_date') | indent(4) }}
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
