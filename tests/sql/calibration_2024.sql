-- Calibration figures of the generated market on the 2024-04-30 rank day, computed straight from the input
-- files and independent of the pipeline's models: a plain reading of docs/methodology.md §1 and §6.
-- Parameters: ${dir} (the input directory), ${rank_day}, ${eligible_exchanges} and ${eligible_security_types}
-- (value lists from dbt_project.yml's vars).
with securities as (
    select * from read_csv('${dir}/securities.csv', header = true, all_varchar = false)
),
prices as (
    select * from read_parquet('${dir}/prices.parquet')
),
shares as (
    select * from read_csv('${dir}/shares.csv', header = true)
),
shares_on_rank_day as (
    select security_id, arg_max(shares_outstanding, effective_date) as shares_outstanding,
        arg_max(available_shares, effective_date) as available_shares,
        arg_max(coalesce(votes_per_share, 1), effective_date) as votes_per_share
    from shares where effective_date <= date '${rank_day}'
    group by security_id
),
close_on_rank_day as (
    select security_id, close from prices where date = date '${rank_day}'
),
volume_2y as (
    select security_id, sum(volume) as volume from prices
    where date > date '${rank_day}' - interval 2 year and date <= date '${rank_day}'
    group by security_id
),
home as (
    select company_id,
        case when inc = hq and hq = liq then inc
             when assets in (inc, hq, liq) then assets
             when revenue in (inc, hq, liq) then revenue
             when hq in ('AI','AG','AW','BS','BB','BZ','BM','BQ','VG','KY','CK','CW','FO','GI','GG','IM','JE','LR',
                         'MH','PA','SX','TC') then liq
             else hq end as home_country
    from (
        select distinct company_id,
            case when country_incorporation in ('PR','GU','VI','AS','MP') then 'US' else country_incorporation end as inc,
            case when country_headquarters in ('PR','GU','VI','AS','MP') then 'US' else country_headquarters end as hq,
            country_most_liquid as liq, country_assets as assets, country_revenue as revenue
        from securities
    )
),
common_lines as (
    select s.security_id, s.company_id, s.security_type, s.exchange, coalesce(s.conversion_ratio, 1) as conversion_ratio,
        r.shares_outstanding, r.available_shares, r.votes_per_share, c.close, coalesce(v.volume, 0) as volume
    from securities s
    join shares_on_rank_day r using (security_id)
    left join close_on_rank_day c using (security_id)
    left join volume_2y v using (security_id)
    where s.security_type in ${eligible_security_types}
      and s.listing_date <= date '${rank_day}'
      and (s.delisting_date is null or s.delisting_date > date '${rank_day}')
),
vehicle as (
    -- highest two-year volume among listed lines with a rank-day close (the 20% tie-break is left out here)
    select company_id, arg_max(security_id, volume) as security_id
    from common_lines where close is not null
    group by company_id
),
company as (
    select l.company_id, v.security_id as vehicle_id,
        sum(l.shares_outstanding * l.conversion_ratio) as total_shares,
        sum(l.available_shares * l.votes_per_share) / nullif(sum(l.shares_outstanding * l.votes_per_share), 0) as voting_float
    from common_lines l join vehicle v using (company_id)
    group by l.company_id, v.security_id
),
scored as (
    select c.company_id, h.home_country, l.exchange, l.security_type, l.close,
        c.total_shares * l.close / l.conversion_ratio as total_market_cap,
        l.available_shares / l.shares_outstanding as float_factor, c.voting_float
    from company c
    join common_lines l on l.security_id = c.vehicle_id
    join home h on h.company_id = c.company_id
),
eligible as (
    select * from scored
    where home_country = 'US'
      and exchange in ${eligible_exchanges}
      and close >= 1
      and total_market_cap >= 30e6
      and float_factor >= 0.05
      and voting_float >= 0.05
),
ranked as (
    select *, row_number() over (order by total_market_cap desc, company_id) as size_rank from eligible
)
select
    (select count(*) from eligible) as eligible_companies,
    (select total_market_cap from ranked where size_rank = 1) as largest_cap,
    (select total_market_cap from ranked where size_rank = 1000) as cap_1000,
    (select total_market_cap from ranked where size_rank = 3000) as cap_3000,
    (select sum(total_market_cap) filter (where size_rank between 1001 and 3000)
        / sum(total_market_cap) filter (where size_rank <= 3000) from ranked) as share_1001_3000
