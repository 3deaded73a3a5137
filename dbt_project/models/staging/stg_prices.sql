with source as (
    select * from {{ source('raw', 'prices') }}
),

renamed as (
    select
        security_id,
        date as trade_date,
        cast(close as double) as close_price,
        cast(volume as bigint) as volume
    from source
)

select * from renamed
