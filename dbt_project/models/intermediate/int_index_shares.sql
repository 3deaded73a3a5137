-- The shares and float the index uses for each line, as a running state (docs/methodology.md §3 share/float updates,
-- §4, decision 7). Quarterly updates take the figures known on the cut-off (rank) day and apply them at the
-- event's first session: June applies everything; December, March and September apply total shares only
-- when they moved more than 1% and the float only when it moved more than 3 percentage points (1 point at a
-- float of 15% or less). Corporate events apply at once and unbuffered: a split multiplies the index shares by its
-- ratio, a stock merger adds ratio x the target's shares to the acquirer. Each action is applied once: the later
-- raw shares row that restates it is compared with an index count that already includes it.
with split_actions as (
    select security_id, ex_date, ratio, action_id
    from {{ ref('stg_corporate_actions') }}
    where action_type = 'split'
),

merger_issuance as (
    -- the acquirer issues ratio x target shares (on the target's shares the day before the ex-date); they count
    -- from the session after the ex-date, when the target has left at its synthetic price (int_security_exits),
    -- so the deal's value is never in the index twice
    select
        a.related_security_id as security_id,
        (select min(x.session_date) from {{ ref('stg_xnys_sessions') }} as x where x.session_date > a.ex_date)
            as apply_date,
        'merger_issuance' as update_kind,
        null::double, null::double, null::double,
        -- several mergers into one acquirer on one day: added in action order, so the double sum is the same
        -- on every run (decision 14)
        sum(a.ratio * h.shares_outstanding order by a.action_id) as added_shares,
        min(a.action_id) as action_key
    from {{ ref('stg_corporate_actions') }} as a
    asof join {{ ref('stg_shares') }} as h on h.security_id = a.security_id and h.effective_date < a.ex_date
    where a.action_type = 'stock_merger' and a.related_security_id is not null
    group by all
),

update_events as (
    -- cut-off figures, restated for any split or merger issuance between the cut-off and the apply date (already
    -- applied by then)
    select
        l.security_id,
        c.first_session as apply_date,
        c.recon_type as update_kind,
        l.shares_outstanding * coalesce(sp.factor, 1) + coalesce(mi.added, 0) as raw_shares,
        l.available_shares * coalesce(sp.factor, 1) + coalesce(mi.added, 0) as raw_available,
        null::double as ratio,
        null::double as added_shares,
        null::varchar as action_key
    from {{ ref('int_event_lines') }} as l
    join {{ ref('int_rebalance_calendar') }} as c using (recon_id)
    left join lateral (
        select product(x.ratio order by x.ex_date, x.action_id) as factor
        from split_actions as x
        where x.security_id = l.security_id and x.ex_date > c.rank_date and x.ex_date <= c.first_session
    ) as sp on true
    left join lateral (
        select sum(m.added_shares order by m.apply_date) as added
        from merger_issuance as m
        where m.security_id = l.security_id and m.apply_date > c.rank_date and m.apply_date <= c.first_session
    ) as mi on true
    where l.is_common_class and l.exchange <> 'UNLISTED' and l.shares_outstanding > 0
),

splits as (
    select security_id, ex_date as apply_date, 'split' as update_kind, null::double, null::double, ratio, null::double,
        action_id
    from split_actions
),

events as (
    select
        *,
        row_number() over (
            partition by security_id
            -- two splits on one day are applied in action order (decision 14)
            order by
                apply_date, case update_kind when 'split' then 0 when 'merger_issuance' then 1 else 2 end, action_key
        ) as seq
    from (
        select * from update_events
        union all
        select * from splits
        union all
        select * from merger_issuance
    )
),

first_updates as (
    -- the chain of a line starts at its first quarterly or reconstitution update
    select security_id, min(seq) as first_seq
    from events
    where update_kind in ('june', 'december', 'quarterly')
    group by security_id
),

running as (
    with recursive state as (
        select
            e.security_id,
            e.seq,
            e.apply_date,
            e.update_kind,
            e.raw_shares as index_shares,
            e.raw_available / e.raw_shares as index_float
        from events as e
        join first_updates as f on f.security_id = e.security_id and f.first_seq = e.seq

        union all

        select
            e.security_id,
            e.seq,
            e.apply_date,
            e.update_kind,
            case
                when e.update_kind = 'split' then s.index_shares * e.ratio
                when e.update_kind = 'merger_issuance' then s.index_shares + e.added_shares
                when e.update_kind = 'june' then e.raw_shares
                -- compared at 9 decimals: an exact 1% (or 3-point) move is not "more than" the buffer
                when round(abs(e.raw_shares / s.index_shares - 1), 9) > 0.01 then e.raw_shares
                else s.index_shares
            end,
            case
                when e.update_kind in ('split', 'merger_issuance') then s.index_float
                when e.update_kind = 'june' then e.raw_available / e.raw_shares
                when round(abs(e.raw_available / e.raw_shares - s.index_float), 9)
                    > case when s.index_float <= 0.15 then 0.01 else 0.03 end
                    then e.raw_available / e.raw_shares
                else s.index_float
            end
        from state as s
        join events as e on e.security_id = s.security_id and e.seq = s.seq + 1
    )
    select * from state
)

select
    security_id,
    apply_date,
    update_kind,
    index_shares,
    index_float,
    index_shares * index_float as index_available_shares
from running
-- one state per line and day, the one after the day's last event: readers take it with an asof join on
-- apply_date, which would otherwise pick any of two rows of the same day (a split on a reconstitution's first
-- session, two splits on one day; decision 14)
qualify row_number() over (partition by security_id, apply_date order by seq desc) = 1
order by security_id, apply_date
