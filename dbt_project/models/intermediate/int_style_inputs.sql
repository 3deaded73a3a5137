-- The raw style and stability variables of every company in a base universe on each reconstitution's rank day,
-- all point in time (nothing public after the rank day): docs/methodology.md §5-§6, project decisions 2 and 4.
--   base universes: R1000, R2000 and Microcap ex-R2000 (base_index_code 'RMICRO'); stability only for the first two
--   book_to_price      latest book value / total market cap on the rank day; null when book value is missing or <= 0
--   eps_growth_2y      latest I/B/E/S 2-year EPS growth and its analyst count (negative growth is valid)
--   sps_growth_5y      annualised growth of sales per share (trailing-12-month sales / total shares at period end)
--                      from the period five years before the latest one (needs six years of quarterly data)
--   debt_to_equity     latest total debt / book value (null when book value <= 0)
--   pretax_roa         latest pre-tax income / mean of total assets now and a year earlier
--   eps_variability    standard error of a linear trend through the latest 20 quarterly EPS / their median;
--                      eps_median <= 0 makes the score 0 (int_stability_scores); < 20 quarters or a zero error: null
--   weekly/monthly vol standard deviation of the pricing vehicle's 52 weekly total returns ending the last Friday
--                      before the rank day, and of its 60 monthly total returns through the rank day's month (that
--                      month only up to the rank day)
-- A period "a year / five years earlier" is the one whose period end is within 15 days of that date.
-- latest_input_date is the latest date of every figure read here (shares and closes of the rank day, the
-- classification, the estimate, every fiscal period public on the rank day, the last close in the volatility
-- windows); the fct_style_scores check blocks publication when one lies after the rank day (point in time).
with calendar as (
    select * from {{ ref('int_rebalance_calendar') }} where event_type = 'reconstitution'
),

universe as (
    select
        c.recon_id,
        cal.recon_type,
        cal.rank_date,
        cal.event_sequence as recon_sequence,
        c.company_id,
        c.pricing_security_id,
        {{ core_index_code('c.in') }} as base_index_code,
        co.total_shares,
        co.total_market_cap,
        co.total_market_cap * co.float_factor as float_market_cap,
        co.latest_input_date as rank_figures_date
    from {{ ref('int_reconstitution_universe') }} as c
    join calendar as cal using (recon_id)
    join {{ ref('int_event_companies') }} as co using (recon_id, company_id)
    where c.in_r3000 or c.in_micro
),

classified as (
    select u.*, k.icb_industry, k.icb_supersector, k.icb_sector, k.icb_subsector,
        k.effective_date as classification_date
    from universe as u
    {{ join_classification_in_force('u.company_id', 'u.rank_date') }}
),

estimated as (
    select c.*, e.eps_growth_2y, e.analyst_count, e.as_of_date as estimate_date
    from classified as c
    asof left join {{ ref('stg_estimates') }} as e
        on e.company_id = c.company_id and e.as_of_date <= c.rank_date
),

public_periods as (
    -- every fiscal period public on the rank day, newest first
    select
        u.recon_id,
        u.company_id,
        f.*,
        row_number() over (partition by u.recon_id, u.company_id order by f.period_end desc) as recency
    from universe as u
    join {{ ref('int_company_fiscal_periods') }} as f
        on f.company_id = u.company_id and f.available_date <= u.rank_date
),

latest as (
    select * from public_periods where recency = 1
),

fundamentals_dates as (
    select recon_id, company_id, max(available_date) as fundamentals_date
    from public_periods
    group by all
),

earlier_periods as (
    -- the periods a year and five years before the latest one: total assets for the pre-tax ROA, sales per share for
    -- the 5-year growth
    select l.recon_id, l.company_id, b.years_back, p.total_assets, p.sales_per_share
    from latest as l
    cross join (values (1), (5)) as b (years_back)
    join public_periods as p
        on p.recon_id = l.recon_id and p.company_id = l.company_id
        and {{ same_period_years_back('p.period_end', 'l.period_end', 'b.years_back') }}
    qualify row_number() over (
        partition by l.recon_id, l.company_id, b.years_back order by p.period_end desc
    ) = 1
),

eps_trend as (
    -- regression of EPS on the period number over the latest quarters (standard error of the estimate)
    select
        recon_id,
        company_id,
        count(eps) as eps_quarters,
        median(eps) as eps_median,
        {{ exact_sum('eps', 12) }}::double as sy,
        {{ exact_sum('eps * eps', 12) }}::double as syy,
        {{ exact_sum('recency * eps', 12) }}::double as sxy,
        sum(recency) filter (where eps is not null) as sx,
        sum(recency * recency) filter (where eps is not null) as sxx
    from public_periods
    where recency <= {{ var('stability_eps_quarters') }}
    group by all
),

eps_variability as (
    select
        recon_id,
        company_id,
        eps_quarters,
        eps_median,
        case when eps_quarters >= {{ var('stability_eps_quarters') }} then
            sqrt(greatest(
                (syy - sy * sy / eps_quarters)
                - power(sxy - sx * sy / eps_quarters, 2) / (sxx - sx * sx / eps_quarters),
                0.0
            ) / (eps_quarters - 2))
        end as eps_trend_std_error
    from eps_trend
),

returns as (
    select security_id, trade_date, ln(1 + total_return) as log_return
    from {{ ref('int_security_daily_returns') }}
    where security_id in (select pricing_security_id from universe)
),

weekly as (
    -- weeks end on Friday; a week's return compounds its sessions
    select security_id, date_trunc('week', trade_date)::date + 4 as week_end,
        exp({{ exact_sum('log_return', 12) }}::double) - 1 as weekly_return,
        max(trade_date) as last_trade_date
    from returns
    group by all
),

monthly as (
    select security_id, date_trunc('month', trade_date)::date as month_start,
        exp({{ exact_sum('log_return', 12) }}::double) - 1 as monthly_return,
        max(trade_date) as last_trade_date
    from returns
    group by all
),

weekly_volatility as (
    select u.recon_id, u.company_id, count(*) as weekly_returns,
        {{ exact_stddev('w.weekly_return') }} as weekly_volatility,
        max(w.last_trade_date) as last_trade_date
    from universe as u
    join weekly as w
        on w.security_id = u.pricing_security_id
        and w.week_end < u.rank_date
        and w.week_end >= u.rank_date - interval 52 week
    group by all
),

rank_months as (
    -- the rank day's month only up to the rank day: a rank day inside a month (the published May rank days before
    -- 2023) must not see that month's later closes; at a month's last session it is the whole month
    select u.recon_id, u.company_id, exp({{ exact_sum('r.log_return', 12) }}::double) - 1 as monthly_return,
        max(r.trade_date) as last_trade_date
    from universe as u
    join returns as r
        on r.security_id = u.pricing_security_id
        and r.trade_date >= date_trunc('month', u.rank_date) and r.trade_date <= u.rank_date
    group by all
),

monthly_volatility as (
    select recon_id, company_id, count(*) as monthly_returns,
        {{ exact_stddev('monthly_return') }} as monthly_volatility,
        max(last_trade_date) as last_trade_date
    from (
        select u.recon_id, u.company_id, m.monthly_return, m.last_trade_date
        from universe as u
        join monthly as m
            on m.security_id = u.pricing_security_id
            and m.month_start < date_trunc('month', u.rank_date)
            and m.month_start > date_trunc('month', u.rank_date) - interval 60 month
        union all
        select recon_id, company_id, monthly_return, last_trade_date from rank_months
    )
    group by all
)

select
    e.recon_id,
    e.recon_type,
    e.rank_date,
    e.recon_sequence,
    e.company_id,
    e.pricing_security_id,
    e.base_index_code,
    e.total_market_cap,
    e.float_market_cap,
    e.icb_industry,
    e.icb_supersector,
    e.icb_sector,
    e.icb_subsector,
    case when l.book_value > 0 then l.book_value / e.total_market_cap end as book_to_price,
    case when e.analyst_count > 0 then e.eps_growth_2y end as eps_growth_2y,
    coalesce(e.analyst_count, 0) as analyst_count,
    {{ annualised_growth('l.sales_per_share', 'f5.sales_per_share', 5) }} as sps_growth_5y,
    case when l.book_value > 0 then l.total_debt / l.book_value end as debt_to_equity,
    l.pretax_income / nullif((l.total_assets + y.total_assets) / 2, 0) as pretax_roa,
    v.eps_quarters,
    v.eps_median,
    case when v.eps_trend_std_error > 0 and v.eps_median > 0 then v.eps_trend_std_error / v.eps_median
    end as eps_variability,
    case when wv.weekly_returns >= {{ var('stability_min_weekly_returns') }} then wv.weekly_volatility
    end as weekly_volatility,
    case when mv.monthly_returns >= {{ var('stability_min_monthly_returns') }} then mv.monthly_volatility
    end as monthly_volatility,
    l.period_end as latest_period_end,
    -- greatest() skips nulls: a figure the company does not have adds no date
    greatest(
        e.rank_figures_date, e.classification_date, e.estimate_date, fd.fundamentals_date, wv.last_trade_date,
        mv.last_trade_date
    ) as latest_input_date
from estimated as e
left join latest as l using (recon_id, company_id)
left join earlier_periods as y on y.recon_id = e.recon_id and y.company_id = e.company_id and y.years_back = 1
left join earlier_periods as f5 on f5.recon_id = e.recon_id and f5.company_id = e.company_id and f5.years_back = 5
left join eps_variability as v using (recon_id, company_id)
left join weekly_volatility as wv using (recon_id, company_id)
left join monthly_volatility as mv using (recon_id, company_id)
left join fundamentals_dates as fd using (recon_id, company_id)
