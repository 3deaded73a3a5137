-- The CVS band and the December style rule (M7 §8.8 and §8.1.1-§8.1.2; docs/methodology.md §5): the final CVS of every
-- base-universe company at each reconstitution, and whether it keeps the probabilities it had.
--
-- In reconstitution order per company (a recursion: a kept CVS is the reference of the next comparison). A company
-- is "unchanged" when it was in the same base universe at the reconstitution just before.
--   band      an unchanged R1000 or R2000 company whose raw CVS moved by at most 0.10 from its reference keeps the
--             reference (cvs_source 'banded'); everyone else takes the raw CVS ('computed'). June and December alike:
--             the whole style calculation runs at both reconstitutions, a new banded CVS for every company (§8.1.2).
--   December  only new and migrating companies get new probabilities; unchanged ones keep their June probabilities
--             (probability_retained, §8.1.1). Their December CVS still counts in the December breaks.
--   reference the CVS the next reconstitution's band compares with: the final CVS of a company whose probabilities
--             were set here, and for one that retained its June probabilities in December, that June CVS (at June,
--             "banding applies the December CVS for securities classified in December and the June CVS for
--             securities that retained their prior style probability", §8.1.2).
with recursive values_scored as (
    select * from {{ ref('int_value_scores') }}
),

sequenced as (
    select
        *,
        coalesce(
            lag(recon_sequence) over by_company = recon_sequence - 1
            and lag(base_index_code) over by_company = base_index_code,
            false
        ) as unchanged
    from values_scored
    window by_company as (partition by company_id order by recon_sequence)
),

{%- set kept_by_band -%}
(s.base_index_code in ('R1000', 'R2000') and abs(s.raw_cvs - b.reference_cvs) <= {{ var('cvs_band') }} + 1e-12)
{%- endset %}

banded (company_id, recon_sequence, cvs, cvs_source, probability_retained, reference_cvs) as (
    select company_id, recon_sequence, raw_cvs, 'computed', false, raw_cvs
    from sequenced
    where not unchanged
    union all
    select
        s.company_id,
        s.recon_sequence,
        case when {{ kept_by_band }} then b.reference_cvs else s.raw_cvs end,
        case when {{ kept_by_band }} then 'banded' else 'computed' end,
        s.recon_type = 'december',
        case when s.recon_type = 'december' or {{ kept_by_band }} then b.reference_cvs else s.raw_cvs end
    from banded as b
    join sequenced as s
        on s.company_id = b.company_id and s.recon_sequence = b.recon_sequence + 1 and s.unchanged
)

select
    s.* exclude (unchanged),
    b.cvs,
    -- the reference the band compared (or would have compared, had the company stayed in its core index)
    case
        when lag(s.recon_sequence) over by_company = s.recon_sequence - 1 then lag(b.reference_cvs) over by_company
    end as previous_cvs,
    b.cvs_source,
    b.probability_retained,
    b.reference_cvs
from sequenced as s
join banded as b using (company_id, recon_sequence)
window by_company as (partition by s.company_id order by s.recon_sequence)
