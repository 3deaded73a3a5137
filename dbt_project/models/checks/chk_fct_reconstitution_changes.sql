select recon_id, security_id, change_type, from_index_code, to_index_code, reason
from {{ ref('fct_reconstitution_changes') }}
