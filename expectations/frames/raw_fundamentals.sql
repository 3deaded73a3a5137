-- asset: raw/fundamentals
-- examples: company_id, period_end
-- The key the load must keep: one row per company and fiscal period end. The file's dates and values are the input
-- validator's rules (docs/contract.md §1).
select company_id, period_end
from raw.fundamentals
