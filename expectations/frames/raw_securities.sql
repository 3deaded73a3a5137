-- asset: raw/securities
-- examples: security_id
-- Contract keys, enumerations and dates of the securities file (docs/contract.md §1).
select
    security_id,
    company_id,
    security_type,
    exchange,
    country_incorporation,
    country_headquarters,
    country_most_liquid,
    conversion_ratio,
    delisting_date is null or delisting_date >= listing_date as dates_in_order
from raw.securities
