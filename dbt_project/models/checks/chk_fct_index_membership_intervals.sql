select
    index_code,
    security_id,
    valid_from,
    valid_to,
    valid_to is null or valid_from < valid_to as interval_ordered,
    case
        when lead(valid_from) over w is null then false
        when valid_to is null then true
        else lead(valid_from) over w < valid_to
    end as overlaps_next
from {{ ref('fct_index_membership') }}
window w as (partition by index_code, security_id order by valid_from, valid_to nulls last, inclusion_factor)
