with securities as (
    select * from {{ ref('stg_securities') }}
),

home as (
    select company_id, home_country from {{ ref('int_company_home_country') }}
)

select
    s.security_id,
    s.company_id,
    s.ticker,
    s.security_name as name,
    s.security_type,
    s.exchange,
    h.home_country,
    s.conversion_ratio,
    s.listing_date,
    s.delisting_date
from securities as s
left join home as h using (company_id)
