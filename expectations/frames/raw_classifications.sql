-- asset: raw/classifications
-- examples: company_id, effective_date
-- The key the load must keep: one row per company and effective date. The ICB enumerations are the input
-- validator's rules (docs/contract.md §1).
select company_id, effective_date
from raw.classifications
