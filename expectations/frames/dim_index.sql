-- asset: marts/dim_index
-- examples: index_code
select index_code, index_name, family, parent_index_code, base_date, base_value
from main.dim_index
