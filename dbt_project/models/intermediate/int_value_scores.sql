-- Standard scores and the raw composite value score (CVS) of every base-universe company on a reconstitution's
-- rank day (docs/methodology.md §5, project decision 2). Per base universe and variable, the companies with a valid value
-- are ranked (ties share the average rank) and the percentile (rank - 0.5) / n becomes a standard normal score.
-- A company without a valid value (missing or negative B/P, no I/B/E/S growth or no analyst, no five-year sales
-- per share growth) takes the mean score of its peer group: its ICB sub-sector in the same base universe if at
-- least 5 companies there have a valid value, else its sector, supersector, industry, else 0 (the universe mean).
-- I/B/E/S growth with 1 analyst blends 1/3 own + 2/3 peer score, with 2 analysts 2/3 own + 1/3 peer.
-- CVS = 0.5 z(B/P) - 0.25 z(2y EPS growth) - 0.25 z(5y SPS growth): high CVS = value. The CVS band and the
-- December rules are applied in int_style_probabilities.
{%- set variables = ['book_to_price', 'eps_growth_2y', 'sps_growth_5y'] %}
{%- set levels = ['icb_subsector', 'icb_sector', 'icb_supersector', 'icb_industry'] %}
with inputs as (
    select * from {{ ref('int_style_inputs') }}
),

ranked as (
    select
        *,
        {%- for v in variables %}
        -- average rank among valid values: rank() is the first of the tied ranks, so add half the tie width
        case when {{ v }} is not null then
            (rank() over (partition by recon_id, base_index_code, {{ v }} is null order by {{ v }})
             + (count(*) over (partition by recon_id, base_index_code, {{ v }}) - 1) / 2.0
             - 0.5)
            / count({{ v }}) over (partition by recon_id, base_index_code)
        end as {{ v }}_percentile{{ ',' if not loop.last }}
        {%- endfor %}
    from inputs
),

own_scores as (
    select
        *,
        {%- for v in variables %}
        {{ inverse_normal_cdf(v ~ '_percentile') }} as {{ v }}_own_score{{ ',' if not loop.last }}
        {%- endfor %}
    from ranked
),

{%- for level in levels %}
{{ level }}_means as (
    select
        recon_id,
        base_index_code,
        {{ level }},
        {%- for v in variables %}
        case when count({{ v }}_own_score) >= {{ var('peer_group_min_members') }}
            then {{ exact_avg(v ~ '_own_score') }} end as {{ v }}_{{ level }}_mean{{ ',' if not loop.last }}
        {%- endfor %}
    from own_scores
    group by all
),
{%- endfor %}

peer_scores as (
    select
        o.*,
        {%- for v in variables %}
        coalesce(
            {%- for level in levels %}
            {{ level }}_means.{{ v }}_{{ level }}_mean,
            {%- endfor %}
            0.0
        ) as {{ v }}_peer_score,
        case
            {%- for level in levels %}
            when {{ level }}_means.{{ v }}_{{ level }}_mean is not null then '{{ level | replace("icb_", "") }}'
            {%- endfor %}
            else 'universe'
        end as {{ v }}_peer_group{{ ',' if not loop.last }}
        {%- endfor %}
    from own_scores as o
    {%- for level in levels %}
    left join {{ level }}_means using (recon_id, base_index_code, {{ level }})
    {%- endfor %}
),

scored as (
    select
        *,
        coalesce(book_to_price_own_score, book_to_price_peer_score) as book_to_price_score,
        case
            when eps_growth_2y_own_score is null then eps_growth_2y_peer_score
            when analyst_count = 1 then eps_growth_2y_own_score / 3 + 2 * eps_growth_2y_peer_score / 3
            when analyst_count = 2 then 2 * eps_growth_2y_own_score / 3 + eps_growth_2y_peer_score / 3
            else eps_growth_2y_own_score
        end as eps_growth_2y_score,
        coalesce(sps_growth_5y_own_score, sps_growth_5y_peer_score) as sps_growth_5y_score
    from peer_scores
)

select
    recon_id,
    recon_type,
    rank_date,
    recon_sequence,
    company_id,
    pricing_security_id,
    base_index_code,
    total_market_cap,
    float_market_cap,
    icb_industry,
    icb_supersector,
    icb_sector,
    icb_subsector,
    book_to_price,
    eps_growth_2y,
    analyst_count,
    sps_growth_5y,
    book_to_price_own_score,
    eps_growth_2y_own_score,
    sps_growth_5y_own_score,
    book_to_price_peer_group,
    eps_growth_2y_peer_group,
    sps_growth_5y_peer_group,
    book_to_price_score,
    eps_growth_2y_score,
    sps_growth_5y_score,
    {{ var('cvs_weight_book_to_price') }} * book_to_price_score
        - {{ var('cvs_weight_eps_growth_2y') }} * eps_growth_2y_score
        - {{ var('cvs_weight_sps_growth_5y') }} * sps_growth_5y_score as raw_cvs,
    latest_input_date
from scored
