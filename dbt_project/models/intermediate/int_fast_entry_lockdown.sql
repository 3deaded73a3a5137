-- Fast entry in the lock-down (M7 §4.3.5): "Fast entry IPOs with an effective addition date falling within
-- lock-down period ... will be implemented in conjunction with the scheduled rebalance." The effective addition
-- date is the IPO's 5th trading day, after whose close it would join (int_ipo_first_days). When that day falls
-- in a reconstitution's lock-down (int_reconstitution_lockdowns: from lockdown_start through the implementation
-- day), the IPO joins with the reconstitution instead: its first session is the reconstitution's first session.
-- Otherwise it joins at the session after its 5th trading day, as before. One row per IPO line with a 5th day in
-- the data; whether the line qualifies for fast entry at all is decided in int_reconstitution_chain.
with ipo_lines as (
    select * from {{ ref('int_ipo_first_days') }}
    where fast_entry_first_session is not null
),

sessions as (
    select * from {{ ref('stg_xnys_sessions') }}
),

fifth_days as (
    select
        i.security_id,
        i.fast_entry_first_session,
        (select max(s.session_date) from sessions as s where s.session_date < i.fast_entry_first_session)
            as addition_date
    from ipo_lines as i
)

select
    f.security_id,
    f.addition_date,
    f.fast_entry_first_session,
    l.recon_id as lockdown_recon_id,
    coalesce(l.first_session, f.fast_entry_first_session) as valid_from
from fifth_days as f
left join {{ ref('int_reconstitution_lockdowns') }} as l
    on f.addition_date >= l.lockdown_start and f.addition_date <= l.effective_date
