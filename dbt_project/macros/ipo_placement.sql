{#- The IPO steps of one reconstitution between it and the next (docs/methodology.md §3, quarterly IPO additions
    and fast entry), each a select over the relations it is given (CTE names or refs): int_reconstitution_chain
    applies them once per reconstitution, and int_ipo_placement applies them to the first reconstitution alone, so
    that they can have dbt unit tests (models/intermediate/_rule_unit_tests.yml). Dates are SQL expressions (a
    literal in the chain, a subquery in int_ipo_placement); `next_rank` / `next_first` are none after the last
    reconstitution. -#}

{#- The R3000E price return from the rank day `rank_date` to each later rank day before `next_rank`, shares held at
    their rank-day count and each company priced at its rank-day pricing vehicle: the market adjustment of the
    reconstitution's breakpoints (one row per event_id). -#}
{% macro market_moves(calendar, members, universe, event_lines, rank_date, next_rank=none) -%}
select
    e.recon_id as event_id,
    {{ exact_sum('m_total.total_shares * l.rank_close / l.conversion_ratio', 2) }}
        / {{ exact_sum('m_total.total_market_cap', 2) }} - 1
        as r3000e_return
from {{ calendar }} as e
join {{ members }} as m on true
join {{ universe }} as m_total on m_total.company_id = m.company_id
join {{ event_lines }} as l on l.recon_id = e.recon_id and l.security_id = m.pricing_security_id
where e.rank_date > {{ rank_date }}
  {%- if next_rank %} and e.rank_date < {{ next_rank }}{% endif %}
  and l.rank_close is not null
group by e.recon_id
{%- endmacro %}

{#- Quarterly IPO reviews: new companies first traded since the previous rank day, eligible on the review's rank
    day and larger than the market-adjusted smallest R3000E company. `market_return` is the adjustment
    placed_additions divides the cap by. -#}
{% macro quarterly_ipo_candidates(calendar, market_moves, companies, breakpoints, spin_offs, members) -%}
select
    c.company_id,
    c.pricing_security_id,
    e.first_session as valid_from,
    'ipo' as addition_event,
    e.recon_id as event_id,
    c.total_market_cap,
    mv.r3000e_return as market_return
from {{ calendar }} as e
join {{ market_moves }} as mv on mv.event_id = e.recon_id
join {{ companies }} as c on c.recon_id = e.recon_id
cross join {{ breakpoints }} as b
where e.event_type = 'quarterly'
  and c.vehicle_first_trade_date > e.previous_rank_date
  and c.vehicle_first_trade_date <= e.rank_date
  and c.structural_reason is null and c.passes_price_new and c.size_reason is null
  and c.total_market_cap > b.cap_smallest_r3000e * (1 + mv.r3000e_return)
  -- a spin-off's new line is not an IPO: it joins with its parent or waits for the next reconstitution
  and c.company_id not in (select company_id from {{ spin_offs }})
  -- nor is a new class of a member, even when it became the company's pricing vehicle
  and c.company_id not in (select company_id from {{ members }})
{%- endmacro %}

{#- The latest market move of `market_moves` on or before `day` (a column), as a lateral join aliased `mv`: none
    before the first review. -#}
{% macro latest_market_move(market_moves, calendar, day) -%}
left join lateral (
    select m.r3000e_return
    from {{ market_moves }} as m
    join {{ calendar }} as e on e.recon_id = m.event_id
    where e.rank_date <= {{ day }}
    order by e.rank_date desc, e.recon_id
    limit 1
) as mv on true
{%- endmacro %}

{#- Fast entry (M7 §4.3.5): an IPO whose day-one float cap beats the market-adjusted Top 500 breakpoint joins after
    its 5th session, or with the reconstitution when that day falls in its lock-down (int_fast_entry_lockdown); the
    adjustment is the R3000E move to the latest rank day before the IPO (none before the first review). One line
    per company: of two lines that qualify on the same day, the one with the larger first-day volume, then more
    available shares, then the line id (decision 14). -#}
{% macro fast_entry_candidates(ipo_first_days, home_countries, breakpoints, market_moves, calendar, spin_offs,
    rank_date, next_rank=none) -%}
select
    f.company_id,
    f.security_id as pricing_security_id,
    f.fast_entry_valid_from as valid_from,
    'fast_entry_ipo' as addition_event,
    null::varchar as event_id,
    f.first_day_total_cap as total_market_cap,
    coalesce(mv.r3000e_return, 0) as market_return
from {{ ipo_first_days }} as f
join {{ home_countries }} as h on h.company_id = f.input_company_id
cross join {{ breakpoints }} as b
{{ latest_market_move(market_moves, calendar, 'f.first_trade_date') }}
where f.first_trade_date > {{ rank_date }}
  {%- if next_rank %} and f.first_trade_date <= {{ next_rank }}{% endif %}
  and f.fast_entry_first_session is not null
  and f.exchange in {{ sql_values(var('eligible_exchanges')) }}
  and h.home_country = 'US'
  and f.first_close >= {{ var('min_price') }}
  and f.first_day_float_factor >= {{ var('min_float') }}
  and f.first_day_total_cap >= {{ var('min_total_market_cap') }}
  and f.first_day_float_cap > b.cap_top500 * (1 + coalesce(mv.r3000e_return, 0))
  and f.company_id not in (select company_id from {{ spin_offs }})
qualify row_number() over (
    partition by f.company_id
    order by f.fast_entry_valid_from, f.first_day_volume desc, f.first_day_available_shares desc, f.security_id
) = 1
{%- endmacro %}

{#- Placement of the IPOs between this reconstitution (`first_session`) and the next (`next_first`): one addition
    per company (a fast entry before a quarterly review), its total cap taken back to rank-day terms (divided by
    1 + market_return) and compared with this reconstitution's breakpoints, each edge included (docs/methodology.md
    §3: $1.8B x 1.0205 = $1.8369B places an IPO of exactly $1.8369B in the R1000). Quarterly reviews follow this
    reconstitution; a fast entry may come before it takes effect and then carries through it (it was not in the
    rank-day universe). -#}
{% macro placed_additions(fast_entries, quarterly_ipos, breakpoints, first_session, next_first=none) -%}
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
        total_market_cap / (1 + market_return) as cap_in_rank_day_terms,
        row_number() over (
            partition by company_id order by valid_from, addition_event, pricing_security_id
        ) as first_addition
    from (
        select * from {{ fast_entries }}
        union all
        select * from {{ quarterly_ipos }}
        where company_id not in (select company_id from {{ fast_entries }})
    )
) as a
cross join {{ breakpoints }} as b
where a.first_addition = 1
  and (a.addition_event = 'fast_entry_ipo' or a.valid_from >= {{ first_session }})
  {%- if next_first %} and a.valid_from < {{ next_first }}{% endif %}
{%- endmacro %}

{#- The first days of listed common classes with the day a fast entry would join (int_fast_entry_lockdown). -#}
{% macro ipo_first_days_with_lockdown() -%}
select i.*, l.valid_from as fast_entry_valid_from, l.lockdown_recon_id
from {{ ref('int_ipo_first_days') }} as i
left join {{ ref('int_fast_entry_lockdown') }} as l using (security_id)
{%- endmacro %}

{#- Spin-offs: the new line, its company and the parent's company, on the ex-date. -#}
{% macro spin_off_lines() -%}
select a.ex_date, parent.company_id as parent_company_id, child.company_id as company_id,
    a.related_security_id as security_id
from {{ ref('stg_corporate_actions') }} as a
join {{ ref('int_tracking_stock_companies') }} as parent on parent.security_id = a.security_id
join {{ ref('int_tracking_stock_companies') }} as child on child.security_id = a.related_security_id
where a.action_type = 'spin_off'
{%- endmacro %}
