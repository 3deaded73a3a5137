-- asset: raw/prices
-- examples: trade_date
-- One row per trading day of the last loaded price window (the rows this run changed): what the load must keep
-- when it replaces a window of a warehouse loaded before (rows on the day, one row per security and date, every
-- price of a security the warehouse holds), with an example security. The file's values (closes, volumes) are the
-- input validator's rules (docs/contract.md §1).
with last_window as (
    select window_start, window_end from raw._load_log
    where table_name = 'prices' order by loaded_at desc limit 1
),

window_rows as (
    select p.*, s.security_id is not null as known_security
    from raw.prices as p
    cross join last_window as w
    left join raw.securities as s using (security_id)
    where (w.window_start is null or p.date >= w.window_start)
      and (w.window_end is null or p.date <= w.window_end)
),

keys as (
    select date, security_id, count(*) as n from window_rows group by all
)

select
    r.date as trade_date,
    count(*) as row_count,
    count(*) filter (where not r.known_security) as unknown_securities,
    (select count(*) from keys as k where k.date = r.date and k.n > 1) as duplicate_keys,
    min(r.security_id) filter (where not r.known_security) as example_security_id
from window_rows as r
group by r.date
