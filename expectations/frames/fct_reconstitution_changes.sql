-- asset: marts/fct_reconstitution_changes
-- examples: recon_id, security_id
select recon_id, security_id, change_type, from_index_code, to_index_code, reason
from main.fct_reconstitution_changes
