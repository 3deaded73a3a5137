with pairs (parent_index_code, pair, first_index_code, second_index_code) as (
    values
        ('R3000', 'growth_value', 'R3000G', 'R3000V'),
        ('R1000', 'growth_value', 'R1000G', 'R1000V'),
        ('RTOP200', 'growth_value', 'RTOP200G', 'RTOP200V'),
        ('RMID', 'growth_value', 'RMIDG', 'RMIDV'),
        ('R2000', 'growth_value', 'R2000G', 'R2000V'),
        ('R2500', 'growth_value', 'R2500G', 'R2500V'),
        ('RMICRO', 'growth_value', 'RMICROG', 'RMICROV'),
        ('R1000', 'defensive_dynamic', 'R1000DEF', 'R1000DYN'),
        ('R2000', 'defensive_dynamic', 'R2000DEF', 'R2000DYN')
),

parent_lines as (
    select p.parent_index_code, p.pair, h.as_of_date, h.security_id, h.float_market_cap as parent_cap
    from {{ ref('fct_index_holdings') }} as h
    join pairs as p on p.parent_index_code = h.index_code
),

side_lines as (
    select
        p.parent_index_code,
        p.pair,
        h.as_of_date,
        h.security_id,
        sum(h.float_market_cap) filter (where h.index_code = p.first_index_code) as first_cap,
        sum(h.float_market_cap) filter (where h.index_code = p.second_index_code) as second_cap
    from {{ ref('fct_index_holdings') }} as h
    join pairs as p on h.index_code in (p.first_index_code, p.second_index_code)
    group by all
),

lines as (
    select
        parent_index_code,
        pair,
        as_of_date,
        security_id,
        l.parent_cap,
        s.first_cap,
        s.second_cap,
        coalesce(s.first_cap, 0) + coalesce(s.second_cap, 0) as parts_cap
    from parent_lines as l
    full join side_lines as s using (parent_index_code, pair, as_of_date, security_id)
)

select
    parent_index_code,
    pair,
    as_of_date,
    count(parent_cap) as parent_holdings,
    count(first_cap) as first_side_holdings,
    count(second_cap) as second_side_holdings,
    sum(parent_cap) as parent_float_cap,
    coalesce(sum(first_cap), 0) + coalesce(sum(second_cap), 0) as sides_float_cap,
    (coalesce(sum(first_cap), 0) + coalesce(sum(second_cap), 0)) / sum(parent_cap) - 1 as relative_difference,
    count(*) filter (
        where parent_cap is null or abs(parts_cap - parent_cap) > 1e-9 * abs(parent_cap)
    ) as securities_not_adding_up
from lines
group by all
