-- asset: raw/fundamentals
-- examples: company_id, period_end
select company_id, period_end, available_date, available_date >= period_end as available_after_period
from raw.fundamentals
