select
    recon_id,
    company_id,
    eligible,
    ineligible_reason,
    ineligible_reason is null as has_no_reason,
    size_rank,
    case when eligible then
        size_rank - coalesce(lag(size_rank) over (partition by recon_id, eligible order by size_rank), 0)
    end as rank_step,
    case when cum_cap_pct is not null then
        cum_cap_pct - coalesce(lag(cum_cap_pct) over (partition by recon_id, cum_cap_pct is not null order by size_rank), 0)
    end as cum_pct_step,
    is_r3000e_member and not eligible as member_not_eligible,
    latest_input_date > rank_date as uses_input_after_rank_day
from {{ ref('fct_rank_day_universe') }}
