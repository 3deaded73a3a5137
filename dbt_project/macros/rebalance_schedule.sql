{#- Every rebalance event the rules define on the XNYS sessions (docs/methodology.md §2 Calendar, §3, decision 10),
    as a subquery: June reconstitutions every year, December ones from `first_december_recon_year`, and the
    quarterly IPO/share reviews in between, with rank day, implementation Friday (`effective_date`) and the first
    session of the new composition. Rank days follow the rule (last business day of April / October / the review
    month) except where FTSE Russell published another one (the May rank days before 2023, seed
    published_reconstitution_dates). No filter on the price span: int_rebalance_calendar keeps the events the
    prices cover; int_preview_events also needs the coming reconstitution whose rank day is still ahead. -#}
{% macro rebalance_schedule() -%}
(
    with sessions as (
        select session_date from {{ ref('stg_xnys_sessions') }}
    ),

    years as (
        select distinct year(session_date) as y from sessions
    ),

    last_sessions as (
        -- last business day of each month
        select year(session_date) as y, month(session_date) as m, max(session_date) as last_session
        from sessions
        group by all
    ),

    schedule as (
        -- (event type, id suffix, rank month, implementation month, n-th Friday)
        select * from (values
            ('reconstitution', '06', 4, 6, 4),
            ('reconstitution', '12', 10, 12, 2),
            ('quarterly', 'Q1', 1, 3, 3),
            ('quarterly', 'Q3', 7, 9, 3),
            ('quarterly', 'Q4', 10, 12, 3)
        ) as t (event_type, id_suffix, rank_month, effective_month, nth_friday)
    ),

    published as (
        select recon_id, rank_date from {{ ref('published_reconstitution_dates') }}
    ),

    events as (
        select
            s.event_type,
            y.y || '-' || s.id_suffix as recon_id,
            y.y as recon_year,
            s.id_suffix,
            coalesce(p.rank_date, r.last_session) as rank_date,
            -- the n-th Friday of the implementation month (calendar Fridays; a holiday moves to the session before)
            make_date(y.y, s.effective_month, 1)
                + cast((5 - dayofweek(make_date(y.y, s.effective_month, 1)) + 7) % 7 + 7 * (s.nth_friday - 1) as integer)
                as nth_friday
        from years as y
        cross join schedule as s
        join last_sessions as r on r.y = y.y and r.m = s.rank_month
        left join published as p on p.recon_id = y.y || '-' || s.id_suffix
        where
            -- December: a reconstitution from the first December year, before that a quarterly IPO review
            (s.id_suffix = '12' and y.y >= {{ var('first_december_recon_year') }})
            or (s.id_suffix = 'Q4' and y.y < {{ var('first_december_recon_year') }})
            or s.id_suffix in ('06', 'Q1', 'Q3')
    ),

    dated as (
        select
            e.*,
            (select max(session_date) from sessions where session_date <= e.nth_friday) as effective_date
        from events as e
    )

    select
        d.*,
        case when d.event_type = 'reconstitution' and d.id_suffix = '12' then 'december'
             when d.event_type = 'reconstitution' then 'june'
             else 'quarterly' end as recon_type,
        (select min(session_date) from sessions where session_date > d.effective_date) as first_session
    from dated as d
)
{%- endmacro %}
