with source as (
    select * from {{ source('raw', 'shares') }}
),

renamed as (
    select
        security_id,
        effective_date,
        cast(shares_outstanding as double) as shares_outstanding,
        cast(available_shares as double) as available_shares,
        cast(coalesce(votes_per_share, 1.0) as double) as votes_per_share
    from source
)

select * from renamed
