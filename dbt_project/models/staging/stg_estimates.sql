with source as (
    select * from {{ source('raw', 'estimates') }}
),

renamed as (
    select
        company_id,
        as_of_date,
        cast(eps_growth_2y as double) as eps_growth_2y,
        cast(ltg as double) as long_term_growth,
        cast(eps_fy1 as double) as eps_fy1,
        cast(analyst_count as integer) as analyst_count
    from source
)

select * from renamed
