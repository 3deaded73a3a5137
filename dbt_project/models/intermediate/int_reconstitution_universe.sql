{{ config(materialized='view') }}
-- Every company of a reconstitution's rank-day universe, members or not, with its rank, cumulative cap share,
-- previous composition and new membership: the reconstitution rows of int_reconstitution_chain, which also holds
-- the additions between reconstitutions (int_reconstitution_additions) because both feed the next reconstitution.
-- Every column of the chain but those of additions (membership_event is 'reconstitution', event_id null here).
select * exclude (kind, membership_event, event_id)
from {{ ref('int_reconstitution_chain') }}
where kind = 'universe'
