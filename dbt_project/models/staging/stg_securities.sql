with source as (
    select * from {{ source('raw', 'securities') }}
),

renamed as (
    select
        security_id,
        company_id,
        ticker,
        name as security_name,
        security_type,
        exchange,
        country_incorporation,
        country_headquarters,
        country_most_liquid,
        country_assets,
        country_revenue,
        home_country as home_country_override,
        listing_date,
        delisting_date,
        cast(coalesce(conversion_ratio, 1.0) as double) as conversion_ratio
    from source
)

select * from renamed
