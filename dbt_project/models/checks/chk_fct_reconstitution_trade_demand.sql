select
    recon_id,
    index_code,
    count(*) as securities,
    -- an index left empty by the reconstitution (or empty before it, on a small market) sums to 0 on that side
    sum(weight_before) - (count(*) filter (where weight_before > 0) > 0)::int as weight_before_gap,
    sum(weight_after) - (count(*) filter (where weight_after > 0) > 0)::int as weight_after_gap,
    sum(weight_change) - (sum(weight_after) - sum(weight_before)) as weight_change_sum,
    sum(greatest(weight_change, 0)) - max(index_one_way_turnover) as turnover_gap,
    max(index_one_way_turnover) - min(index_one_way_turnover) as turnover_spread,
    count(*) filter (where sign(shares_to_trade) <> sign(weight_change)) as shares_of_the_wrong_sign,
    max(abs(shares_to_trade * close_price - weight_change * tracking_assets_usd)
        / nullif(abs(weight_change * tracking_assets_usd), 0)) as max_shares_gap,
    count(*) filter (where days_of_volume < 0) as negative_days_of_volume,
    count(*) filter (where (change_type = 'addition' and weight_before <> 0)
                        or (change_type = 'deletion' and weight_after <> 0)) as misplaced_change_types
from {{ ref('fct_reconstitution_trade_demand') }}
group by recon_id, index_code
order by recon_id, index_code
