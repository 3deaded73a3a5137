-- asset: raw/shares
-- examples: security_id, effective_date
-- The key the load must keep: one row per security and effective date, for a security the warehouse holds. The
-- file's bounds (shares, float, votes) are the input validator's rules (docs/contract.md §1).
select
    sh.security_id,
    sh.effective_date,
    s.security_id is not null as known_security
from raw.shares as sh
left join raw.securities as s using (security_id)
