with checked as (
    select
        *,
        least(p_add, p_delete, p_migrate_up, p_migrate_down, p_stay) < -1e-12
            or greatest(p_add, p_delete, p_migrate_up, p_migrate_down, p_stay) > 1 + 1e-12 as out_of_range,
        abs(p_add + p_delete + p_migrate_up + p_migrate_down + p_stay - 1) as outcome_gap,
        abs(p_in_r1000 + p_in_r2000 + p_in_rmicro + p_outside - 1) as level_gap,
        (current_index_code is null and p_delete + p_migrate_up + p_migrate_down > 0)
            or (current_index_code is not null and p_add > 0)
            or (current_index_code = 'R1000' and p_migrate_up > 0)
            or (current_index_code = 'RMICRO' and p_migrate_down > 0) as impossible_outcome,
        sessions_to_rank_day = 0 and case projected_change
            when 'addition' then p_add when 'deletion' then p_delete when 'migration_up' then p_migrate_up
            when 'migration_down' then p_migrate_down else p_stay end <> 1 as rank_day_uncertain,
        (projected_rank is null) <> (ineligible_reason is not null) as rank_eligibility_mismatch,
        coalesce(latest_input_date > preview_date, true) as uses_input_after_preview_date
    from {{ ref('fct_reconstitution_preview') }}
)

select
    preview_id,
    min(preview_date) as preview_date,
    count(*) as companies,
    count(distinct company_id) = count(*) as one_row_per_company,
    count(*) filter (where out_of_range) as probabilities_out_of_range,
    max(outcome_gap) as max_outcome_gap,
    max(level_gap) as max_level_gap,
    count(*) filter (where impossible_outcome) as impossible_outcomes,
    count(*) filter (where rank_day_uncertain) as rank_day_uncertain,
    count(*) filter (where rank_eligibility_mismatch) as rank_eligibility_mismatches,
    count(*) filter (where uses_input_after_preview_date) as rows_with_input_after_preview_date,
    arg_min(company_id, (not (out_of_range or impossible_outcome or rank_day_uncertain or rank_eligibility_mismatch
        or uses_input_after_preview_date or outcome_gap > 1e-9 or level_gap > 1e-9), company_id)) as example_company
from checked
group by preview_id
order by preview_id
