with source as (
    select * from {{ source('raw', 'classifications') }}
),

renamed as (
    select
        company_id,
        effective_date,
        icb_industry,
        icb_supersector,
        icb_sector,
        icb_subsector
    from source
)

select * from renamed
