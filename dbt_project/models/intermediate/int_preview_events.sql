-- The preview dates and the reconstitution each one previews (docs/preview.md). A preview runs the coming
-- reconstitution's rules as if its rank day were the preview date, from what is known that day; after the rank day
-- it holds the changes the rank day determined. Dates:
--   * `preview_session_offsets` sessions before every reconstitution's rank day (default 40, 20 and 10; -1 is the
--     session after the rank day, when the changes are determined), for reconstitutions with a composition before
--     them (an earlier reconstitution in the data or an initial membership list) that the chain computes or whose
--     rank day is after the prices (not those an initial list already holds);
--   * the last price date, when the coming reconstitution's rank day is at most `preview_horizon_sessions` sessions
--     ahead (or has passed and the new composition has not started);
--   * every entry of `preview_dates` ('YYYY-MM-DD', or 'YYYY-MM-DD:YYYY-MM' to name the reconstitution), moved to
--     the last session on or before it.
-- The reconstitution previewed is the first whose new composition starts after the preview date, unless named.
-- Rank days come from the rules' schedule (macro rebalance_schedule), so a reconstitution whose rank day is after
-- the last price date can be previewed. Dates outside the prices give no preview.
{%- set offsets = var('preview_session_offsets') %}
{%- set explicit = var('preview_dates') %}
with schedule as (
    select recon_id, recon_type, rank_date, effective_date, first_session
    from {{ rebalance_schedule() }}
    where event_type = 'reconstitution'
),

sessions as (
    select session_date, row_number() over (order by session_date) as session_number
    from {{ ref('stg_xnys_sessions') }}
),

price_span as (
    select min(trade_date) as first_price_date, max(trade_date) as last_price_date from {{ ref('stg_prices') }}
),

chain_recons as (
    select recon_id, first_session from {{ ref('int_rebalance_calendar') }} where event_type = 'reconstitution'
),

initial_list as (
    select count(*) > 0 as has_list from {{ ref('int_initial_membership') }}
),

offsets as (
    {%- if offsets | length > 0 %}
    select * from (values {% for k in offsets %}({{ k | int }}){{ ', ' if not loop.last }}{% endfor %}) as t (sessions_before)
    {%- else %}
    select null::integer as sessions_before where false
    {%- endif %}
),

default_dates as (
    select r.recon_id, d.session_date as preview_date
    from schedule as r
    join sessions as rs on rs.session_date = r.rank_date
    cross join offsets as o
    join sessions as d on d.session_number = rs.session_number - o.sessions_before
),

coming as (
    -- the last price date and the reconstitution coming after it
    select
        p.last_price_date as preview_date,
        r.recon_id,
        (select count(*) from sessions as s where s.session_date > p.last_price_date and s.session_date <= r.rank_date)
            as sessions_ahead
    from price_span as p
    join schedule as r on r.first_session > p.last_price_date
    qualify row_number() over (order by r.first_session, r.recon_id) = 1
),

explicit_dates as (
    {%- if explicit | length > 0 %}
    select
        (select max(s.session_date) from sessions as s where s.session_date <= t.requested::date) as preview_date,
        nullif(t.named_recon, '') as recon_id
    from (values
        {%- for entry in explicit %}
        {%- set parts = (entry | string).split(':') %}
        ({{ sql_literal(parts[0]) }}, {{ sql_literal(parts[1] if parts | length > 1 else '') }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as t (requested, named_recon)
    {%- else %}
    select null::date as preview_date, null::varchar as recon_id where false
    {%- endif %}
),

requested as (
    select preview_date, recon_id, true as is_default from default_dates
    union all
    select preview_date, recon_id, false from coming where sessions_ahead <= {{ var('preview_horizon_sessions') }}
    union all
    select preview_date, recon_id, false from explicit_dates
),

resolved as (
    -- one row per preview date and reconstitution: named, else the first whose new composition starts later
    select
        q.preview_date,
        coalesce(
            q.recon_id,
            (select c.recon_id from schedule as c where c.first_session > q.preview_date
             order by c.first_session, c.recon_id limit 1)
        ) as recon_id,
        bool_or(q.is_default) as is_default
    from requested as q
    group by all
),

placed as (
    select
        v.preview_date,
        v.is_default,
        r.*,
        -- the reconstitution whose composition is in force on the preview date (null before the first one)
        (select c.recon_id from chain_recons as c where c.first_session <= v.preview_date
         order by c.first_session desc, c.recon_id desc limit 1) as in_force_recon_id,
        (select count(*) from sessions as s where s.session_date > v.preview_date and s.session_date <= r.rank_date)
            as sessions_to_rank_day
    from resolved as v
    join schedule as r using (recon_id)
)

select
    p.recon_id || '@' || strftime(p.preview_date, '%Y-%m-%d') as preview_id,
    p.preview_date,
    p.recon_id,
    p.recon_type,
    p.rank_date,
    p.effective_date,
    p.first_session,
    p.in_force_recon_id,
    p.sessions_to_rank_day,
    case when p.preview_date <= p.rank_date then 'projected' else 'determined' end as preview_basis,
    p.is_default
from placed as p
cross join price_span as s
cross join initial_list as l
where p.preview_date between s.first_price_date and s.last_price_date
  -- a preview is of a reconstitution still to take effect
  and p.first_session > p.preview_date
  -- the changes a passed rank day determined are the chain's
  and (p.preview_date <= p.rank_date or p.recon_id in (select recon_id from chain_recons))
  -- the defaults only where a composition exists to change, and not for reconstitutions an initial list already
  -- holds (those the chain does not compute, though the prices cover their rank day)
  and (
      not p.is_default
      or ((p.in_force_recon_id is not null or l.has_list)
          and (p.recon_id in (select recon_id from chain_recons) or p.rank_date > s.last_price_date))
  )
order by p.preview_date, p.recon_id
