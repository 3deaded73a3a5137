-- The chartbook's characteristics per index and quarter end (docs/contract.md §3, docs/methodology.md §8, project decision 9),
-- long format (metric, value). Weights are the index's float-cap weights on the quarter's last session
-- (fct_index_holdings); each company's figures are those public on that day. Per holding line:
--   p/e (forecast)  price per main-class share / I/B/E/S FY1 EPS          weighted harmonic mean over positive ratios
--   price/book      price x total shares (main-class equivalents) / book  weighted harmonic mean over positive ratios
--   price/cash flow price x total shares / operating cash flow            weighted harmonic mean over positive ratios
--   dividend yield  cash dividends with ex-dates in the trailing year, split-adjusted to today's shares, / close
--                                                                                      weighted mean
--   debt/equity     total debt / book (book > 0)                                      weighted mean
--   roa 5y average  mean of pre-tax income / total assets at the latest period and the same period 1-4 years back
--                   (the input has no net income; all five needed)                   weighted mean
--   sps growth 5y   annualised growth of sales per share over five years (as int_style_inputs)    weighted mean
--   long-term growth I/B/E/S long-term growth median                                  weighted mean
--   eps variability 10y  standard error of a linear trend through EPS at the latest period and the same period
--                   1-9 years back, over the mean of those ten EPS (all ten needed; a mean <= 0 is left out,
--                   as near-zero means would swamp the average)                           weighted mean
--   number of holdings, weighted average and median total market cap of the companies
--   return standard deviation 1y/3y/5y: monthly total returns over 12/36/60 months x sqrt(12) (all months needed)
-- Weighted means use the names with data (weights renormalised). Sums are ordered by security, so reruns agree.
{%- set harmonic = [('pe_forecast', 'pe'), ('price_to_book', 'pb'), ('price_to_cash_flow', 'pcf')] %}
{%- set averages = [('dividend_yield', 'dividend_yield'), ('debt_to_equity', 'debt_to_equity'),
                    ('roa_5y_average', 'roa_5y'), ('sales_per_share_growth_5y', 'sps_growth_5y'),
                    ('long_term_growth', 'ltg'), ('eps_variability_10y', 'eps_variability_10y')] %}
with quarter_ends as (
    select max(session_date) as as_of_date
    from {{ ref('stg_xnys_sessions') }}
    group by date_trunc('quarter', session_date)
),

holdings as (
    select h.index_code, h.as_of_date, h.security_id, h.weight, h.close_price, s.company_id, s.conversion_ratio
    from {{ ref('fct_index_holdings') }} as h
    join quarter_ends using (as_of_date)
    join {{ ref('stg_securities') }} as s using (security_id)
),

company_dates as (
    select distinct company_id, as_of_date from holdings
),

public_periods as (
    select c.as_of_date, f.*
    from company_dates as c
    join {{ ref('int_company_fiscal_periods') }} as f
        on f.company_id = c.company_id and f.available_date <= c.as_of_date
        and f.period_end > c.as_of_date - interval 11 year
),

latest as (
    -- the newest public period (period ends are unique per company): a maximum joined back, not a row_number over
    -- all 5.9M public periods
    select p.*
    from public_periods as p
    join (
        select company_id, as_of_date, max(period_end) as period_end from public_periods group by all
    ) as m using (company_id, as_of_date, period_end)
),

period_gaps as (
    -- the only k a period can be "the same period k years back" for: l - k years lies 365k to 365k + 3 days before
    -- l (k <= 9), so a period within 15 days of it is 365k - 15 to 365k + 18 days before l, and
    -- round(days / 365.25) = k; the exact rule is tested below, on one k per period instead of ten
    select
        l.company_id,
        l.as_of_date,
        l.period_end as latest_period_end,
        p.period_end,
        round((l.period_end - p.period_end) / 365.25)::int as years_back,
        p.eps,
        p.pretax_income,
        p.total_assets,
        p.sales_per_share
    from latest as l
    join public_periods as p on p.company_id = l.company_id and p.as_of_date = l.as_of_date
),

annual_points as (
    -- the latest period and the same period k years back (period end within 15 days), k = 0..9
    select company_id, as_of_date, years_back, period_end, eps, pretax_income, total_assets, sales_per_share
    from period_gaps
    where years_back between 0 and 9
      and {{ same_period_years_back('period_end', 'latest_period_end', 'years_back') }}
    qualify row_number() over (partition by company_id, as_of_date, years_back order by period_end desc) = 1
),

history as (
    select
        a.company_id,
        a.as_of_date,
        case when count(*) filter (where a.years_back < 5 and a.total_assets > 0) = 5 then
            avg(a.pretax_income / a.total_assets order by a.years_back) filter (where a.years_back < 5)
        end as roa_5y,
        count(a.eps) as eps_years,
        avg(a.eps order by a.years_back) as eps_mean,
        regr_count(a.eps, a.years_back) as n,
        regr_syy(a.eps, a.years_back order by a.years_back) as syy,
        regr_sxy(a.eps, a.years_back order by a.years_back) as sxy,
        regr_sxx(a.eps, a.years_back order by a.years_back) as sxx,
        max(a.sales_per_share) filter (where a.years_back = 0) as sps_now,
        max(a.sales_per_share) filter (where a.years_back = 5) as sps_five_years
    from annual_points as a
    group by all
),

estimates as (
    select c.company_id, c.as_of_date, e.eps_fy1, e.long_term_growth
    from company_dates as c
    asof left join {{ ref('stg_estimates') }} as e on e.company_id = c.company_id and e.as_of_date <= c.as_of_date
),

dividends as (
    -- per share of today: a split since a dividend went ex divides it by the split ratio
    {{ split_adjusted_trailing_dividends('(select distinct security_id, as_of_date from holdings)') }}
),

line_figures as (
    select
        h.index_code,
        h.as_of_date,
        h.security_id,
        h.company_id,
        h.weight,
        h.close_price / h.conversion_ratio * l.total_shares as company_cap,
        case when e.eps_fy1 > 0 then h.close_price / h.conversion_ratio / e.eps_fy1 end as pe,
        case when l.book_value > 0 then h.close_price / h.conversion_ratio * l.total_shares / l.book_value end as pb,
        case when l.operating_cash_flow > 0
            then h.close_price / h.conversion_ratio * l.total_shares / l.operating_cash_flow end as pcf,
        coalesce(d.trailing_dividends, 0) / h.close_price as dividend_yield,
        case when l.book_value > 0 then l.total_debt / l.book_value end as debt_to_equity,
        y.roa_5y,
        {{ annualised_growth('y.sps_now', 'y.sps_five_years', 5) }} as sps_growth_5y,
        e.long_term_growth as ltg,
        case when y.n = 10 and y.eps_mean > 0 then
            sqrt(greatest(y.syy - y.sxy * y.sxy / nullif(y.sxx, 0), 0) / (y.n - 2)) / abs(y.eps_mean)
        end as eps_variability_10y
    from holdings as h
    left join latest as l on l.company_id = h.company_id and l.as_of_date = h.as_of_date
    left join history as y on y.company_id = h.company_id and y.as_of_date = h.as_of_date
    left join estimates as e on e.company_id = h.company_id and e.as_of_date = h.as_of_date
    left join dividends as d on d.security_id = h.security_id and d.as_of_date = h.as_of_date
),

line_sums as (
    -- every metric's sums in one pass over the lines (one aggregate per metric read them all 11 times)
    select
        index_code,
        as_of_date,
        {%- for metric, column in harmonic %}
        sum(weight order by security_id) filter (where {{ column }} > 0) as {{ column }}_weight,
        sum(weight / {{ column }} order by security_id) filter (where {{ column }} > 0) as {{ column }}_inverse,
        {%- endfor %}
        {%- for metric, column in averages %}
        sum(weight * {{ column }} order by security_id) filter (where {{ column }} is not null) as {{ column }}_product,
        sum(weight order by security_id) filter (where {{ column }} is not null) as {{ column }}_weight,
        {%- endfor %}
        count(*)::double as number_of_holdings
    from line_figures
    group by all
),

holding_metrics as (
    {%- for metric, column in harmonic %}
    select index_code, as_of_date, '{{ metric }}' as metric, {{ column }}_weight / {{ column }}_inverse as value
    from line_sums
    union all
    {%- endfor %}
    {%- for metric, column in averages %}
    select index_code, as_of_date, '{{ metric }}', {{ column }}_product / {{ column }}_weight
    from line_sums
    union all
    {%- endfor %}
    select index_code, as_of_date, 'number_of_holdings', number_of_holdings
    from line_sums
),

company_caps as (
    -- a company with several lines in the index counts once, with its lines' weights together
    select index_code, as_of_date, company_id, sum(weight order by security_id) as weight, max(company_cap) as cap
    from line_figures
    group by all
),

cap_metrics as (
    select index_code, as_of_date, 'weighted_average_market_cap' as metric,
        sum(weight * cap order by company_id) / sum(weight order by company_id) as value
    from company_caps
    where cap is not null
    group by all
    union all
    select index_code, as_of_date, 'median_market_cap', median(cap)
    from company_caps
    group by all
),

monthly as (
    select index_code, period_end, total_return,
        row_number() over (partition by index_code order by period_end) as month_number
    from {{ ref('fct_index_period_returns') }}
    where period_type = 'month' and is_complete
),

volatility as (
    {%- for years in [1, 3, 5] %}
    select q.index_code, q.as_of_date, 'return_std_dev_{{ years }}y' as metric,
        case when count(*) = {{ 12 * years }} then stddev_samp(m.total_return order by m.period_end) * sqrt(12) end
            as value
    from (select distinct index_code, as_of_date from holdings) as q
    join monthly as m
        on m.index_code = q.index_code and m.period_end <= q.as_of_date
        and date_trunc('month', m.period_end) > date_trunc('month', q.as_of_date) - interval {{ 12 * years }} month
    group by all
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from holding_metrics
union all
select * from cap_metrics
union all
select * from volatility
order by index_code, as_of_date, metric
