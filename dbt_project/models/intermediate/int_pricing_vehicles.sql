-- The pricing vehicle of each company on each rank day (M7 §6.5.3): the class with the highest two-year trading
-- volume as of the rank day; if the two leading classes' volumes differ by less than 20%, the one with more
-- available shares. "At least 100-day trading volume is necessary to consider the class as a pricing vehicle for
-- existing members. New members will be analyzed on all available data, even if that data is for less than 100
-- days." Membership is only known inside int_reconstitution_chain, so each company gets two vehicles:
--   new_member       all available data (also what quarterly IPO reviews and the style inputs use)
--   existing_member  only classes with at least `pricing_vehicle_min_volume_days` days of volume (days with shares
--                    traded) in the two-year window; when no class has that many (a company that listed less than
--                    100 sessions ago, e.g. a recent fast entry), every class is considered, as for a new member.
-- Candidates are listed common lines on an eligible exchange that trade on the rank day (an OTC class does not
-- price a company that also trades on an eligible exchange); companies without one (funds, ADRs ...) are
-- represented by their most traded line so they can carry an exclusion reason. The security id breaks every
-- remaining tie (decision 14).
with lines as (
    select * from {{ ref('int_event_lines') }}
    where exchange <> 'UNLISTED'
),

bases as (
    select * from (values ('new_member'), ('existing_member')) as t (vehicle_basis)
),

candidates as (
    select
        l.recon_id,
        l.company_id,
        l.security_id,
        l.volume_2y,
        l.volume_days_2y,
        l.available_shares,
        b.vehicle_basis,
        l.is_common_class
            and l.exchange in {{ sql_values(var('eligible_exchanges')) }}
            and l.rank_close is not null as can_price,
        b.vehicle_basis = 'new_member' or l.volume_days_2y >= {{ var('pricing_vehicle_min_volume_days') }}
            as has_history,
        row_number() over (
            partition by l.recon_id, l.company_id, b.vehicle_basis
            order by
                l.is_common_class desc,
                l.exchange in {{ sql_values(var('eligible_exchanges')) }} desc,
                (l.rank_close is not null) desc,
                (b.vehicle_basis = 'new_member' or l.volume_days_2y >= {{ var('pricing_vehicle_min_volume_days') }})
                    desc,
                l.volume_2y desc,
                l.security_id
        ) as volume_order
    from lines as l
    cross join bases as b
),

top_two as (
    select
        recon_id,
        company_id,
        vehicle_basis,
        max(security_id) filter (where volume_order = 1) as top_id,
        max(volume_2y) filter (where volume_order = 1) as top_volume,
        max(available_shares) filter (where volume_order = 1) as top_available,
        bool_or(has_history) filter (where volume_order = 1) as top_has_history,
        max(security_id) filter (where volume_order = 2 and can_price) as second_id,
        max(volume_2y) filter (where volume_order = 2 and can_price) as second_volume,
        max(available_shares) filter (where volume_order = 2 and can_price) as second_available,
        bool_or(has_history) filter (where volume_order = 2 and can_price) as second_has_history
    from candidates
    group by all
)

select
    recon_id,
    company_id,
    vehicle_basis,
    case
        -- within 20% on volume, the class with more available shares prices the company; a class without the
        -- history an existing member's vehicle needs cannot win that way over one that has it
        when second_id is not null
            and (second_has_history or not top_has_history)
            and second_volume >= (1 - {{ var('pricing_vehicle_volume_tolerance') }}) * top_volume
            and second_available > top_available
        then second_id
        else top_id
    end as pricing_security_id
from top_two
