-- asset: raw/securities
-- examples: security_id
-- The key the load must keep: one row per security. The file's values (enumerations, country
-- codes, dates, ratios) are the input validator's rules (docs/contract.md §1), checked before anything is loaded.
select security_id
from raw.securities
