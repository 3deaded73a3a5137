-- When each security leaves every index (docs/methodology.md §3, decision 8). Cash deals and stock mergers: the target
-- stays through the ex-date (at the deal or synthetic price) and leaves after its close; delistings and
-- bankruptcies leave on the ex-date at the last traded price. A delisting date without an action also ends it.
with actions as (
    select * from {{ ref('stg_corporate_actions') }}
    where action_type in ('delisting', 'bankruptcy', 'cash_acquisition', 'stock_merger')
),

sessions as (
    select * from {{ ref('stg_xnys_sessions') }}
),

action_exits as (
    select
        a.security_id,
        a.action_id,
        a.action_type,
        a.ex_date,
        case
            when a.action_type in ('cash_acquisition', 'stock_merger')
                then (select min(session_date) from sessions where session_date > a.ex_date)
            else a.ex_date
        end as leaves_on,
        -- two actions ending a line on the same day: a deal explains the exit before a bankruptcy or a delisting
        -- (its price is the one paid), then the action id decides (decision 14)
        case a.action_type
            when 'stock_merger' then 1 when 'cash_acquisition' then 2 when 'bankruptcy' then 3 else 4
        end as precedence
    from actions as a
),

first_exit as (
    select
        security_id,
        arg_min(action_type, (leaves_on, precedence, action_id)) as exit_reason,
        min(leaves_on) as leaves_on,
        arg_min(ex_date, (leaves_on, precedence, action_id)) as ex_date
    from action_exits
    group by security_id
)

select
    s.security_id,
    s.company_id,
    coalesce(f.exit_reason, 'delisting') as exit_reason,
    coalesce(f.ex_date, s.delisting_date) as ex_date,
    coalesce(f.leaves_on, s.delisting_date) as leaves_on
from {{ ref('int_tracking_stock_companies') }} as s
left join first_exit as f using (security_id)
where f.security_id is not null or s.delisting_date is not null
