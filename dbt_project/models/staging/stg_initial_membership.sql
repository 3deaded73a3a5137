with source as (
    select * from {{ source('raw', 'initial_membership') }}
),

renamed as (
    select
        index_code,
        as_of_date,
        company_id,
        security_id
    from source
)

select * from renamed
