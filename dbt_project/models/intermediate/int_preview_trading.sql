-- Trading figures of each preview company's pricing vehicle up to the preview date (point in time), for the
-- probabilities and the trade estimates of fct_reconstitution_preview (docs/preview.md):
--   volatility: the standard deviation of daily log price returns (int_security_daily_returns: splits and other
--     corporate actions taken out) over the `preview_volatility_sessions` sessions ending on the preview date,
--     with at least `preview_min_volatility_returns` returns; also relative to the day's mean log return of the
--     preview's eligible companies (the cap curve the band edges are read from moves with the market);
--   average daily volume over the `preview_adv_sessions` sessions ending on the preview date (a session without
--     a price row counts as no volume).
-- Sums are exact (macros exact_avg, exact_stddev), so reruns give the same bits. Windows are joined through their
-- dates first (preview x session), so a line's whole history is never scanned.
with events as (
    select preview_id, preview_date from {{ ref('int_preview_events') }}
),

numbered as (
    select session_date, row_number() over (order by session_date) as session_number
    from {{ ref('stg_xnys_sessions') }}
),

windows as (
    -- every (preview, session) of the longer window, with the session's position back from the preview date
    select e.preview_id, s.session_date, d.session_number - s.session_number as sessions_back
    from events as e
    join numbered as d on d.session_date = e.preview_date
    join numbered as s
        on s.session_number > d.session_number
            - greatest({{ var('preview_volatility_sessions') }}, {{ var('preview_adv_sessions') }})
        and s.session_number <= d.session_number
),

vehicles as (
    select preview_id, company_id, pricing_security_id, size_rank is not null as is_eligible
    from {{ ref('int_preview_universe') }}
),

returns as (
    select w.preview_id, v.company_id, v.is_eligible, r.trade_date, ln(1 + r.price_return) as log_return
    from windows as w
    join {{ ref('int_security_daily_returns') }} as r on r.trade_date = w.session_date
    join vehicles as v on v.preview_id = w.preview_id and v.pricing_security_id = r.security_id
    where w.sessions_back < {{ var('preview_volatility_sessions') }} and r.price_return > -1
),

market as (
    select preview_id, trade_date, {{ exact_avg('log_return', 15) }} as market_log_return
    from returns
    where is_eligible
    group by all
),

volatility as (
    select
        r.preview_id,
        r.company_id,
        count(*) as volatility_returns,
        max(r.trade_date) as last_return_date,
        {{ exact_stddev('r.log_return', 15) }} as sigma_daily,
        {{ exact_stddev('r.log_return - m.market_log_return', 15) }} as sigma_relative_daily
    from returns as r
    join market as m using (preview_id, trade_date)
    group by all
),

volume as (
    select
        w.preview_id,
        v.company_id,
        sum(coalesce(p.volume, 0))::double / {{ var('preview_adv_sessions') }} as avg_daily_volume_20d,
        max(p.trade_date) as last_volume_date
    from windows as w
    join vehicles as v using (preview_id)
    left join {{ ref('stg_prices') }} as p on p.security_id = v.pricing_security_id and p.trade_date = w.session_date
    where w.sessions_back < {{ var('preview_adv_sessions') }}
    group by all
)

select
    v.preview_id,
    v.company_id,
    v.pricing_security_id,
    coalesce(s.volatility_returns, 0) as volatility_returns,
    case when s.volatility_returns >= {{ var('preview_min_volatility_returns') }} then s.sigma_daily end
        as sigma_daily,
    case when s.volatility_returns >= {{ var('preview_min_volatility_returns') }} then s.sigma_relative_daily end
        as sigma_relative_daily,
    coalesce(a.avg_daily_volume_20d, 0) as avg_daily_volume_20d,
    -- the latest price row read (never after the preview date)
    greatest(s.last_return_date, a.last_volume_date) as last_trade_date
from vehicles as v
left join volatility as s using (preview_id, company_id)
left join volume as a using (preview_id, company_id)
