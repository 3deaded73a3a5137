select index_code, index_name, family, parent_index_code, base_date, base_value
from {{ ref('dim_index') }}
