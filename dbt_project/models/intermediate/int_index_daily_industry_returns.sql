-- Every index's day, split by ICB industry: the composition in force that day (fct_index_membership, published
-- membership), each member weighted by its beginning-of-day float cap and carried through the day by its own
-- return (METHODOLOGY §7, project decisions 6 and 8). One row per index, trading day and industry.
-- Sums are exact integer cents (begin_cents, ...); the *_cap columns are the same in dollars.
--   begin_cap       sum of inclusion factor x index available shares in force that day x previous close / split
--                   ratio: shares are fixed between events (Laspeyres), and a split on the day is neutral
--   price_end_cap   sum of begin_cap x (1 + price return): splits, special dividends, spin-off value and deal prices
--   total_end_cap   the same with ordinary cash dividends reinvested on the ex-date
-- A member without a price that day (not traded, or a spin-off's first day: its value is in the parent's return)
-- is left out of that day, so the level does not jump; its move shows in the next day it trades. Industries are
-- the classification in force on the previous session.
-- A capped growth/value index (suffix C) holds exactly its uncapped twin's members until the first capping review
-- (int_style_capping), so its rows before that session are the twin's, copied rather than summed again.
{{ config(materialized='incremental', unique_key='trade_date', incremental_strategy='delete+insert') }}
with capped_twins as (
    select index_code, parent_index_code as twin_index_code
    from {{ ref('index_definitions') }}
    where index_code = parent_index_code || 'C'
),

capping_start as (
    -- no review yet: the capped indexes are their twins on every day
    select coalesce(min(first_session), date '9999-12-31') as first_capped_session
    from {{ ref('int_style_capping') }}
),

members as (
    select
        m.index_code,
        m.security_id,
        case when t.index_code is not null then greatest(m.valid_from, c.first_capped_session) else m.valid_from
        end as valid_from,
        coalesce(m.valid_to, date '9999-12-31') as valid_to,
        m.inclusion_factor
    from {{ ref('fct_index_membership') }} as m
    cross join capping_start as c
    left join capped_twins as t using (index_code)
    where t.index_code is null or coalesce(m.valid_to, date '9999-12-31') > c.first_capped_session
),

member_months as (
    -- each interval once per calendar month it touches: joining on (security, month) first keeps the candidate
    -- pairs to the handful of indexes a security is in that month, instead of all its intervals ever
    select m.*, month_start
    from members as m
    cross join lateral (
        select unnest(generate_series(
            date_trunc('month', m.valid_from),
            date_trunc('month', least(m.valid_to, (select max(trade_date) from {{ ref('stg_prices') }}))),
            interval 1 month
        ))::date as month_start
    )
),

returns as (
    select * from {{ ref('int_security_daily_returns') }}
    where security_id in (select security_id from members)
    {%- if is_incremental() %}
      and trade_date >= {{ incremental_start('trade_date') }}
    {%- endif %}
),

security_days as (
    select
        r.security_id,
        s.company_id,
        r.trade_date,
        r.previous_trade_date,
        r.previous_close,
        r.split_factor,
        r.price_return,
        r.total_return,
        -- the index's shares and float in force that day; a line not yet through an update uses the raw float
        coalesce(i.index_available_shares, h.available_shares) as available_shares
    from returns as r
    join {{ ref('stg_securities') }} as s using (security_id)
    asof left join {{ ref('int_index_shares') }} as i
        on i.security_id = r.security_id and i.apply_date <= r.trade_date
    asof left join {{ ref('stg_shares') }} as h
        on h.security_id = r.security_id and h.effective_date <= r.trade_date
),

classified as (
    select d.*, coalesce(k.icb_industry, 'Unclassified') as icb_industry
    from security_days as d
    asof left join {{ ref('stg_classifications') }} as k
        on k.company_id = d.company_id and k.effective_date <= d.previous_trade_date
),

index_keys as (
    -- the aggregation below runs over ~100M member-days: small integer keys and integer cents make it several
    -- times faster than strings and DECIMAL casts, and integer sums are exact, so reruns are identical
    select index_code, row_number() over (order by index_code)::smallint as index_key
    from (select distinct index_code from members)
),

industry_keys as (
    select icb_industry, row_number() over (order by icb_industry)::tinyint as industry_key
    from (select distinct icb_industry from classified)
),

weighted as (
    select
        k.index_key,
        c.trade_date,
        i.industry_key,
        m.inclusion_factor * c.available_shares * c.previous_close / c.split_factor as begin_cap,
        c.price_return,
        c.total_return
    from classified as c
    join member_months as m
        on m.security_id = c.security_id
        and m.month_start = date_trunc('month', c.trade_date)
        and c.trade_date >= m.valid_from
        and c.trade_date < m.valid_to
    join index_keys as k on k.index_code = m.index_code
    join industry_keys as i on i.icb_industry = c.icb_industry
),

summed as (
    select
        index_key,
        trade_date,
        industry_key,
        count(*) as constituent_count,
        sum(round(100 * begin_cap)::bigint) as begin_cents,
        sum(round(100 * begin_cap * (1 + price_return))::bigint) as price_end_cents,
        sum(round(100 * begin_cap * (1 + total_return))::bigint) as total_end_cents
    from weighted
    group by all
),

computed as (
    select
        k.index_code,
        s.trade_date,
        i.icb_industry,
        s.constituent_count,
        s.begin_cents::double / 100 as begin_cap,
        s.price_end_cents::double / 100 as price_end_cap,
        s.total_end_cents::double / 100 as total_end_cap,
        s.begin_cents,
        s.price_end_cents,
        s.total_end_cents
    from summed as s
    join index_keys as k using (index_key)
    join industry_keys as i using (industry_key)
)

select * from computed
union all
select t.index_code, c.* exclude (index_code)
from computed as c
join capped_twins as t on t.twin_index_code = c.index_code
cross join capping_start as s
where c.trade_date < s.first_capped_session
order by index_code, trade_date, icb_industry
