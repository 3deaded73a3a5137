-- Membership intervals per index and security (docs/contract.md §3), as int_index_membership merges them from the
-- size, style and capped-style segments: the mart publishes the intermediate model, so intermediate models read
-- that one and never a mart.
select index_code, security_id, company_id, valid_from, valid_to, inclusion_factor, event
from {{ ref('int_index_membership') }}
order by index_code, security_id, valid_from
