-- asset: raw/corporate_actions
-- examples: action_id
-- The key the load must keep: one row per action, of a security the warehouse holds. The file's enumerations and
-- amounts are the input validator's rules (docs/contract.md §1).
select
    a.action_id,
    a.security_id,
    s.security_id is not null as known_security
from raw.corporate_actions as a
left join raw.securities as s using (security_id)
