-- Tracking stocks (M7 §6.2.2): "where the common stock share classes act independently of each other (e.g.
-- tracking stocks), each class is considered for inclusion separately". Every security with the company it is
-- ranked as for size and eligibility: a tracking_stock line that shares its company_id with any other common class
-- (common, reit or another tracking stock, listed or not) is a company of its own, `<company_id>:<security_id>`;
-- every other line keeps its company_id. A tracking stock that is already its company's only common class is
-- unchanged. input_company_id keeps the issuer the input names, for company facts that belong to it (countries,
-- classifications).
with securities as (
    select * from {{ ref('stg_securities') }}
),

common_classes as (
    select company_id, count(*) as common_classes
    from securities
    where security_type in {{ sql_values(var('eligible_security_types')) }}
    group by company_id
)

select
    s.* replace (
        case
            when s.security_type = 'tracking_stock' and c.common_classes > 1 then s.company_id || ':' || s.security_id
            else s.company_id
        end as company_id
    ),
    s.company_id as input_company_id,
    s.security_type = 'tracking_stock' and c.common_classes > 1 as is_separated_tracking_stock
from securities as s
left join common_classes as c using (company_id)
