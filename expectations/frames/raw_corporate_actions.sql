-- asset: raw/corporate_actions
-- examples: action_id
select action_id, security_id, ex_date, action_type, cash_amount, ratio
from raw.corporate_actions
