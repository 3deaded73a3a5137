-- The reconstitution schedule around each implementation day (M7 App. F, "Reconstitution schedule"):
--   June:     preliminary lists five weeks before implementation, a two-week query period, then the lock-down
--             "three weeks after query period ends" (2 + 3 = the five weeks);
--   December: preliminary lists four weeks before, a two-week query period, a two-week lock-down (2 + 2 = 4).
-- So the query period ends three weeks (June) or two weeks (December) before the implementation day, and the
-- lock-down runs from the open of the next session through the implementation day. Weeks are counted back from
-- the implementation day (effective_date; the 4th Friday of June and the 2nd Friday of December are never XNYS
-- holidays). 2024 check against FTSE Russell's published schedule: implementation Friday 2024-06-28, preliminary
-- lists Friday 05-24, lock-down from Monday 06-10.
with reconstitutions as (
    select * from {{ ref('int_rebalance_calendar') }}
    where event_type = 'reconstitution'
),

sessions as (
    select session_date from {{ ref('stg_xnys_sessions') }}
),

dated as (
    select
        recon_id,
        recon_type,
        rank_date,
        effective_date,
        first_session,
        (effective_date - to_weeks(case recon_type when 'december' then 4 else 5 end))::date as preliminary_date,
        (effective_date - to_weeks(case recon_type when 'december' then 2 else 3 end))::date as query_period_end
    from reconstitutions
)

select
    d.*,
    (select min(s.session_date) from sessions as s where s.session_date > d.query_period_end) as lockdown_start
from dated as d
