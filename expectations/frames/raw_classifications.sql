-- asset: raw/classifications
-- examples: company_id, effective_date
select company_id, effective_date, icb_industry, icb_subsector
from raw.classifications
