-- asset: raw/shares
-- examples: security_id, effective_date
select security_id, effective_date, shares_outstanding, available_shares, votes_per_share
from raw.shares
