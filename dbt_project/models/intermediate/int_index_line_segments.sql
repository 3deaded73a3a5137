-- Company memberships from the reconstitution chain, turned into index lines and size index codes:
-- each segment lasts until the company's next segment or the next reconstitution, whichever comes first,
-- and a line leaves when it exits (int_security_exits). The pricing vehicle is the index line; an additional
-- listed common class is a line of its own with the same memberships when it has total cap > $30M, average
-- daily dollar volume over two years > $175,000 and float >= 5% (docs/methodology.md §1).
with chain as (
    -- the members of each reconstitution and the additions after it
    select
        recon_id, company_id, pricing_security_id, valid_from, 'reconstitution' as membership_event,
        false as is_addition, {{ flag_columns() }}
    from {{ ref('int_reconstitution_universe') }}
    where in_r3000e
    union all
    select
        recon_id, company_id, pricing_security_id, valid_from, membership_event, true, {{ flag_columns() }}
    from {{ ref('int_reconstitution_additions') }}
    where in_r3000e
),

reconstitutions as (
    select
        recon_id,
        lead(first_session) over (order by rank_date) as next_first_session
    from {{ ref('int_rebalance_calendar') }}
    where event_type = 'reconstitution'
),

segments as (
    -- a segment ends at the company's next segment or when the next reconstitution takes effect; additions
    -- made between a rank day and its effective date belong to that reconstitution and carry through it
    select
        c.*,
        least(
            -- on the same day an addition follows the reconstitution row; the line id settles the rest (decision 14)
            lead(c.valid_from) over (
                partition by c.company_id order by c.valid_from, c.is_addition, c.pricing_security_id, c.recon_id
            ),
            r.next_first_session
        ) as valid_to
    from chain as c
    join reconstitutions as r using (recon_id)
),

extra_classes as (
    select l.recon_id, l.company_id, l.security_id
    from {{ ref('int_event_lines') }} as l
    join chain as c on not c.is_addition and c.recon_id = l.recon_id and c.company_id = l.company_id
    where l.is_common_class
      and l.exchange <> 'UNLISTED'
      and l.security_id <> c.pricing_security_id
      and l.rank_close * l.shares_outstanding > {{ var('min_total_market_cap') }}
      and l.dollar_volume_2y / nullif(l.trading_days_2y, 0) > {{ var('extra_class_min_daily_dollar_volume') }}
      and l.available_shares / nullif(l.shares_outstanding, 0) >= {{ var('min_float') }}
),

lines as (
    select s.*, s.pricing_security_id as security_id from segments as s
    union all
    select s.*, e.security_id
    from segments as s
    join extra_classes as e on e.recon_id = s.recon_id and e.company_id = s.company_id and not s.is_addition
),

cut_at_exit as (
    select
        l.*,
        case
            when x.leaves_on is not null and (l.valid_to is null or x.leaves_on < l.valid_to) then x.leaves_on
            else l.valid_to
        end as line_valid_to
    from lines as l
    left join {{ ref('int_security_exits') }} as x using (security_id)
),

index_flags as (
    select * from (values
        ('R3000E'), ('R3000'), ('RTOP50'), ('RTOP200'), ('RTOP500'), ('R1000'), ('RMID'), ('R2000'), ('R2500'),
        ('RMICRO')
    ) as t (index_code)
)

select
    f.index_code,
    c.security_id,
    c.company_id,
    c.recon_id,
    c.membership_event as event,
    c.valid_from,
    c.line_valid_to as valid_to
from cut_at_exit as c
join index_flags as f on
    case f.index_code
        when 'R3000E' then c.in_r3000e
        when 'R3000' then c.in_r3000
        when 'RTOP50' then c.in_top50
        when 'RTOP200' then c.in_top200
        when 'RTOP500' then c.in_top500
        when 'R1000' then c.in_r1000
        when 'RMID' then c.in_r1000 and not c.in_top200
        when 'R2000' then c.in_r3000 and not c.in_r1000
        when 'R2500' then c.in_r3000 and not c.in_top500
        when 'RMICRO' then c.in_micro
    end
where c.line_valid_to is null or c.line_valid_to > c.valid_from
