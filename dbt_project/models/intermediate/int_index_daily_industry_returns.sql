-- Every index's day, split by ICB industry: the composition in force that day (int_index_membership, the intervals
-- fct_index_membership publishes), each member weighted by its beginning-of-day float cap and carried through the
-- day by its own return (docs/methodology.md §7, project decisions 6 and 8). One row per index, trading day and
-- industry.
-- Sums are exact integer cents (begin_cents, ...); the *_cap columns are the same in dollars.
--   begin_cap       sum of inclusion factor x index available shares in force that day x previous close / split
--                   ratio: shares are fixed between events (Laspeyres), and a split on the day is neutral
--   price_end_cap   sum of begin_cap x (1 + price return): splits, special dividends, spin-off value and deal prices
--   total_end_cap   the same with ordinary cash dividends reinvested on the ex-date
-- A member without a price that day (not traded, or a spin-off's first day: its value is in the parent's return)
-- is left out of that day, so the level does not jump; its move shows in the next day it trades. Industries are
-- the classification in force on the previous session.
-- A capped growth/value index (suffix C) holds exactly its uncapped twin's members until the first capping review
-- (int_style_capping), so its rows before that session are the twin's, copied rather than summed again.
--
-- How it stays fast (about 100M member-days on the default market): a line's day has the same cents in every
-- index that holds it with the same inclusion factor (every size index holds it whole; a style index and its
-- parts, e.g. R1000G, RTOP200G and R3000G, hold the same probability). So each line's membership is cut into
-- pieces in which its set of (index, factor) pairs is constant, the indexes of one factor in a piece become one
-- index set (a bit mask), each line's day is rounded to cents once per factor in force, summed per index set, day
-- and industry, and only those few sums are spread to the indexes. Integer sums in any grouping are the same
-- integers, so the result is identical to summing member-days one by one (tests/test_index_daily_sums.py compares
-- it with that formulation, tests/sql/index_daily_industry_returns_member_days.sql).
{{ config(materialized='incremental', unique_key='trade_date', incremental_strategy='delete+insert') }}
with capped_twins as (
    select index_code, parent_index_code as twin_index_code
    from {{ ref('index_definitions') }}
    where index_code = parent_index_code || 'C'
),

capping_start as (
    -- no review yet: the capped indexes are their twins on every day
    select coalesce(min(first_session), date '9999-12-31') as first_capped_session
    from {{ ref('int_style_capping') }}
),

members as (
    select
        m.index_code,
        m.security_id,
        case when t.index_code is not null then greatest(m.valid_from, c.first_capped_session) else m.valid_from
        end as valid_from,
        coalesce(m.valid_to, date '9999-12-31') as valid_to,
        m.inclusion_factor
    from {{ ref('int_index_membership') }} as m
    cross join capping_start as c
    left join capped_twins as t using (index_code)
    where (t.index_code is null or coalesce(m.valid_to, date '9999-12-31') > c.first_capped_session)
    {%- if is_incremental() %}
      -- a run from a day on: only the memberships in force on a day it computes. Those that ended before cut a
      -- line's earlier pieces only, so every piece from that day on holds the same (index, factor) pairs
      and coalesce(m.valid_to, date '9999-12-31') > {{ incremental_start('trade_date') }}
    {%- endif %}
),

index_keys as (
    -- bit positions 0..62 of a bigint mask: the 42 index codes fit
    select index_code, (row_number() over (order by index_code) - 1)::tinyint as index_key
    from (select distinct index_code from members)
),

boundaries as (
    select security_id, valid_from as boundary from members
    union
    select security_id, valid_to from members
),

pieces as (
    -- consecutive boundaries of a line: in between, its memberships do not change
    select
        security_id,
        boundary as piece_from,
        lead(boundary) over (partition by security_id order by boundary) as piece_to
    from boundaries
    qualify piece_to is not null
),

piece_sets as (
    -- per piece and inclusion factor, the indexes holding the line with that factor
    select
        p.security_id,
        p.piece_from,
        p.piece_to,
        m.inclusion_factor,
        bit_or(1::bigint << k.index_key) as index_mask
    from pieces as p
    join members as m
        on m.security_id = p.security_id and m.valid_from <= p.piece_from and m.valid_to >= p.piece_to
    join index_keys as k using (index_code)
    group by all
),

index_sets as (
    select index_mask, row_number() over (order by index_mask)::integer as set_key
    from (select distinct index_mask from piece_sets)
),

set_indexes as (
    select s.set_key, k.index_key
    from index_sets as s
    join index_keys as k on (s.index_mask >> k.index_key) & 1 = 1
),

line_pieces as (
    select security_id, piece_from, piece_to, row_number() over (order by security_id, piece_from) as piece_id
    from (select distinct security_id, piece_from, piece_to from piece_sets)
),

piece_factors as (
    select l.piece_id, p.inclusion_factor, s.set_key
    from piece_sets as p
    join line_pieces as l using (security_id, piece_from)
    join index_sets as s using (index_mask)
),

return_days as (
    select
        (
            select min(trade_date) from {{ ref('int_security_daily_returns') }}
            {%- if is_incremental() %}
            where trade_date >= {{ incremental_start('trade_date') }}
            {%- endif %}
        ) as first_day,
        -- the last day with prices: a deal's return dated after it (a deal the prices have not reached yet, as in a
        -- build --through a date) is no index day
        (select max(trade_date) from {{ ref('stg_prices') }}) as last_day
),

returns as (
    -- referenced once, so it streams instead of being held in memory (15M rows)
    select security_id, trade_date, previous_trade_date, previous_close, split_factor, price_return, total_return
    from {{ ref('int_security_daily_returns') }}
    where security_id in (select security_id from members)
      and trade_date <= (select last_day from return_days)
    {%- if is_incremental() %}
      and trade_date >= {{ incremental_start('trade_date') }}
    {%- endif %}
),

index_shares as (
    -- the state after a day's last share event, as the per-day asof join always read it (a split or a merger
    -- issuance can share a day with an update; a no-op where int_index_shares holds one state per line and day)
    select security_id, apply_date, index_available_shares
    from {{ ref('int_index_shares') }}
    where security_id in (select security_id from members)
    qualify row_number() over (
        partition by security_id, apply_date
        order by case update_kind when 'split' then 0 when 'merger_issuance' then 1 else 2 end desc
    ) = 1
),

raw_shares as (
    select security_id, effective_date, available_shares
    from {{ ref('stg_shares') }}
    where security_id in (select security_id from members)
),

state_starts as (
    -- a line's shares in force and its piece change only on these days
    select security_id, apply_date as state_from from index_shares
    union
    select security_id, effective_date from raw_shares
    union
    select security_id, piece_from from line_pieces
    union
    select security_id, piece_to from line_pieces
),

live_starts as (
    select security_id, state_from
    from state_starts
    {%- if is_incremental() %}
    -- a run from a day on: the state in force that day and the later ones (a state's end is the next one's start)
    qualify state_from >= coalesce(
        max(case when state_from <= {{ incremental_start('trade_date') }} then state_from end)
            over (partition by security_id),
        date '0001-01-01'
    )
    {%- endif %}
),

states as (
    -- the index's shares and float in force; a line not yet through an update uses the raw float
    select
        b.security_id,
        b.state_from,
        lead(b.state_from, 1, date '9999-12-31') over (partition by b.security_id order by b.state_from) as state_to,
        coalesce(i.index_available_shares, h.available_shares) as available_shares,
        case when b.state_from < p.piece_to then p.piece_id end as piece_id
    from live_starts as b
    asof left join index_shares as i on i.security_id = b.security_id and i.apply_date <= b.state_from
    asof left join raw_shares as h on h.security_id = b.security_id and h.effective_date <= b.state_from
    asof left join line_pieces as p on p.security_id = b.security_id and p.piece_from <= b.state_from
),

state_months as (
    -- each state once per calendar month it touches: a line's day finds its state by an equality join on
    -- (line, month) and a range within it, instead of sorting every line's days against every state
    select s.security_id, s.state_from, s.state_to, s.available_shares, s.piece_id, month_key
    from states as s
    cross join lateral (
        select unnest(range(
            {{ month_key('s.state_from') }},
            {{ month_key('least(s.state_to - 1, (select last_day from return_days))') }} + 1
        )) as month_key
    )
    where s.piece_id is not null and s.state_to > (select first_day from return_days)
),

industry_keys as (
    select icb_industry, row_number() over (order by icb_industry)::tinyint as industry_key
    from (select distinct icb_industry from {{ ref('stg_classifications') }} union select 'Unclassified')
),

classification_spans as (
    {{ classification_spans() | indent(4) }}
),

classified as (
    -- the industry in force at the previous close
    select
        r.trade_date,
        r.previous_close,
        r.split_factor,
        r.price_return,
        r.total_return,
        s.available_shares,
        s.piece_id,
        i.industry_key
    from returns as r
    join state_months as s
        on s.security_id = r.security_id
        and s.month_key = {{ month_key('r.trade_date') }}
        and r.trade_date >= s.state_from
        and r.trade_date < s.state_to
    join {{ ref('stg_securities') }} as l on l.security_id = r.security_id
    left join classification_spans as k
        on k.company_id = l.company_id
        and r.previous_trade_date >= k.effective_date
        and r.previous_trade_date < k.valid_to
    join industry_keys as i on i.icb_industry = coalesce(k.icb_industry, 'Unclassified')
),

set_sums as (
    -- one integer key per (index set, day, industry), set << 32 | days since 1900 << 8 | industry: grouping 20M
    -- line-factor-days by it is about twice as fast as by the three columns
    select
        (f.set_key::bigint << 32) | ((c.trade_date - date '1900-01-01')::bigint << 8) | c.industry_key as group_key,
        count(*) as constituent_count,
        -- the same expressions, in the same order, as one member-day would give
        sum(round(100 * (f.inclusion_factor * c.available_shares * c.previous_close / c.split_factor))::bigint)
            as begin_cents,
        sum(round(
            100 * (f.inclusion_factor * c.available_shares * c.previous_close / c.split_factor) * (1 + c.price_return)
        )::bigint) as price_end_cents,
        sum(round(
            100 * (f.inclusion_factor * c.available_shares * c.previous_close / c.split_factor) * (1 + c.total_return)
        )::bigint) as total_end_cents
    from classified as c
    join piece_factors as f using (piece_id)
    group by group_key
),

summed as (
    select
        i.index_key,
        date '1900-01-01' + ((s.group_key >> 8) & 16777215)::integer as trade_date,
        (s.group_key & 255)::tinyint as industry_key,
        sum(s.constituent_count)::bigint as constituent_count,
        sum(s.begin_cents)::hugeint as begin_cents,
        sum(s.price_end_cents)::hugeint as price_end_cents,
        sum(s.total_end_cents)::hugeint as total_end_cents
    from set_sums as s
    join set_indexes as i on i.set_key = s.group_key >> 32
    group by all
),

computed as (
    select
        k.index_code,
        s.trade_date,
        i.icb_industry,
        s.constituent_count,
        s.begin_cents::double / 100 as begin_cap,
        s.price_end_cents::double / 100 as price_end_cap,
        s.total_end_cents::double / 100 as total_end_cap,
        s.begin_cents,
        s.price_end_cents,
        s.total_end_cents
    from summed as s
    join index_keys as k using (index_key)
    join industry_keys as i using (industry_key)
)

select * from computed
union all
select t.index_code, c.* exclude (index_code)
from computed as c
join capped_twins as t on t.twin_index_code = c.index_code
cross join capping_start as s
where c.trade_date < s.first_capped_session
order by index_code, trade_date, icb_industry
