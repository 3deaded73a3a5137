with source as (
    select * from {{ source('raw', 'corporate_actions') }}
),

renamed as (
    select
        action_id,
        security_id,
        ex_date,
        action_type,
        cast(cash_amount as double) as cash_amount,
        cast(ratio as double) as ratio,
        related_security_id
    from source
)

select * from renamed
