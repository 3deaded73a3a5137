-- The $1 rescue for existing members (M7 §5.8.1): "if an existing index member's closing price is less than $1.00
-- on rank day, it will be considered eligible if the average of the daily closing prices (from its primary
-- exchange) during the 30 days prior to the rank date is equal to or greater than $1.00". Read as the 30 calendar
-- days before the rank day, the rank day itself excluded (rank day - 30 .. rank day - 1): the rank-day close is
-- the one being rescued, so it does not vote in its own rescue. Every line alive on a reconstitution rank day
-- gets its average; int_reconstitution_chain applies it to existing Russell 3000E members only.
with events as (
    select recon_id, rank_date
    from {{ ref('int_rebalance_calendar') }}
    where event_type = 'reconstitution'
    union all
    -- previews rank as if their date were the rank day (int_preview_events)
    select preview_id, preview_date from {{ ref('int_preview_events') }} where preview_basis = 'projected'
),

lines as (
    select l.recon_id, l.rank_date, l.security_id
    from {{ ref('int_event_lines') }} as l
    join events as e using (recon_id)
)

select
    l.recon_id,
    l.security_id,
    {{ exact_sum('p.close_price') }}::double / count(*) as close_30d_avg,
    count(*) as close_30d_sessions
from lines as l
join {{ ref('stg_prices') }} as p
    on p.security_id = l.security_id
    and p.trade_date >= l.rank_date - interval 30 day
    and p.trade_date < l.rank_date
group by l.recon_id, l.security_id
