-- Membership segments of the style and stability indexes (docs/methodology.md §5-§6, docs/contract.md §3): every segment of a
-- line in a parent size index, split by its company's probability for that segment (the reconstitution that set
-- it, or its addition between reconstitutions). Extra share classes use the pricing vehicle's probabilities.
-- Growth and value of a segment sum to 1, as do defensive and dynamic, so the two halves of a pair add up to the
-- parent; a side with probability 0 has no segment.
with size_segments as (
    select * from {{ ref('int_index_line_segments') }}
),

probabilities as (
    select * from {{ ref('int_style_probabilities') }}
),

style_indexes as (
    select * from (values
        ('R1000G', 'R1000', 'growth'), ('R1000V', 'R1000', 'value'),
        ('R2000G', 'R2000', 'growth'), ('R2000V', 'R2000', 'value'),
        ('RMICROG', 'RMICRO', 'growth'), ('RMICROV', 'RMICRO', 'value'),
        ('R3000G', 'R3000', 'growth'), ('R3000V', 'R3000', 'value'),
        ('RTOP200G', 'RTOP200', 'growth'), ('RTOP200V', 'RTOP200', 'value'),
        ('RMIDG', 'RMID', 'growth'), ('RMIDV', 'RMID', 'value'),
        ('R2500G', 'R2500', 'growth'), ('R2500V', 'R2500', 'value'),
        ('R1000DEF', 'R1000', 'defensive'), ('R1000DYN', 'R1000', 'dynamic'),
        ('R2000DEF', 'R2000', 'defensive'), ('R2000DYN', 'R2000', 'dynamic')
    ) as t (index_code, parent_index_code, side)
),

split as (
    select
        i.index_code,
        s.security_id,
        s.company_id,
        s.recon_id,
        s.event,
        s.valid_from,
        s.valid_to,
        case i.side
            when 'growth' then p.growth_probability
            when 'value' then p.value_probability
            when 'defensive' then p.defensive_probability
            when 'dynamic' then p.dynamic_probability
        end as inclusion_factor
    from size_segments as s
    join style_indexes as i on i.parent_index_code = s.index_code
    join probabilities as p
        on p.recon_id = s.recon_id and p.company_id = s.company_id and p.valid_from = s.valid_from
)

select * from split where inclusion_factor > 0
