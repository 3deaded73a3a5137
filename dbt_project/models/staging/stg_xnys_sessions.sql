with source as (
    select * from {{ source('raw', 'xnys_sessions') }}
),

renamed as (
    select
        session_date,
        row_number() over (order by session_date) as session_number
    from source
)

select * from renamed
