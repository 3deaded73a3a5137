with source as (
    select * from {{ source('raw', 'fundamentals') }}
),

renamed as (
    select
        company_id,
        period_end,
        available_date,
        cast(book_value as double) as book_value,
        cast(sales as double) as sales,
        cast(eps as double) as eps,
        cast(pretax_income as double) as pretax_income,
        cast(total_assets as double) as total_assets,
        cast(total_debt as double) as total_debt,
        cast(operating_cash_flow as double) as operating_cash_flow
    from source
)

select * from renamed
