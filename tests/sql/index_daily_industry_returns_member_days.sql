-- The daily index sums as they were first written (before issue 15): every member-day of every index is a row,
-- weighted and rounded to cents on its own, then summed per index, day and industry. Test-only: the model
-- int_index_daily_industry_returns sums each line's day once per distinct inclusion factor and set of indexes, and
-- tests/test_index_daily_sums.py checks both give the same integers on a crafted market.
-- Reads a built warehouse (schemas main and intermediate); no parameters.
with capped_twins as (
    select index_code, parent_index_code as twin_index_code
    from intermediate.index_definitions
    where index_code = parent_index_code || 'C'
),

capping_start as (
    select coalesce(min(first_session), date '9999-12-31') as first_capped_session
    from intermediate.int_style_capping
),

members as (
    select
        m.index_code,
        m.security_id,
        case when t.index_code is not null then greatest(m.valid_from, c.first_capped_session) else m.valid_from
        end as valid_from,
        coalesce(m.valid_to, date '9999-12-31') as valid_to,
        m.inclusion_factor
    from main.fct_index_membership as m
    cross join capping_start as c
    left join capped_twins as t using (index_code)
    where t.index_code is null or coalesce(m.valid_to, date '9999-12-31') > c.first_capped_session
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
        coalesce(i.index_available_shares, h.available_shares) as available_shares
    from intermediate.int_security_daily_returns as r
    join staging.stg_securities as s using (security_id)
    asof left join intermediate.int_index_shares as i
        on i.security_id = r.security_id and i.apply_date <= r.trade_date
    asof left join staging.stg_shares as h
        on h.security_id = r.security_id and h.effective_date <= r.trade_date
),

classified as (
    select d.*, coalesce(k.icb_industry, 'Unclassified') as icb_industry
    from security_days as d
    asof left join staging.stg_classifications as k
        on k.company_id = d.company_id and k.effective_date <= d.previous_trade_date
),

member_days as (
    select
        m.index_code,
        c.trade_date,
        c.icb_industry,
        m.inclusion_factor * c.available_shares * c.previous_close / c.split_factor as begin_cap,
        c.price_return,
        c.total_return
    from classified as c
    join members as m
        on m.security_id = c.security_id and c.trade_date >= m.valid_from and c.trade_date < m.valid_to
),

computed as (
    select
        index_code,
        trade_date,
        icb_industry,
        count(*) as constituent_count,
        sum(round(100 * begin_cap)::bigint) as begin_cents,
        sum(round(100 * begin_cap * (1 + price_return))::bigint) as price_end_cents,
        sum(round(100 * begin_cap * (1 + total_return))::bigint) as total_end_cents
    from member_days
    group by all
)

select * from computed
union all
select t.index_code, c.* exclude (index_code)
from computed as c
join capped_twins as t on t.twin_index_code = c.index_code
cross join capping_start as s
where c.trade_date < s.first_capped_session
order by index_code, trade_date, icb_industry
