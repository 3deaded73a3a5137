-- Rebalance calendar from XNYS sessions (docs/methodology.md §2 Calendar, §3, decision 10): the events of the
-- rules' schedule (macro rebalance_schedule: June reconstitutions every year, December ones from
-- `first_december_recon_year`, the quarterly IPO/share reviews in between, published rank days before 2023) whose
-- rank day the prices cover. When the input carries the composition in force at some date (initial_membership,
-- decision 11), events that took effect on or before that date are already in it: the calendar starts with the
-- first one after it.
with schedule as (
    select * from {{ rebalance_schedule() }}
),

price_span as (
    select min(trade_date) as first_price_date, max(trade_date) as last_price_date
    from {{ ref('stg_prices') }}
),

initial_list as (
    select max(valid_from) as list_date from {{ ref('int_initial_membership') }}
)

select
    recon_id,
    event_type,
    recon_type,
    rank_date,
    effective_date,
    first_session,
    -- previous rank date of any kind: the IPO window is (previous rank date, rank date]
    lag(rank_date) over (order by rank_date, event_type) as previous_rank_date,
    row_number() over (partition by event_type order by rank_date) as event_sequence
from schedule
cross join price_span
cross join initial_list
where rank_date > first_price_date and rank_date <= last_price_date
  and (list_date is null or effective_date > list_date)
order by rank_date
