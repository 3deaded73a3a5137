-- Reconstitution preview (docs/preview.md): for every preview date and the reconstitution it previews, every company
-- of the preview's universe with its projected rank, cumulative cap percentage, core index now and projected, the
-- edges it must cross (in cap-move terms), and the probability of each outcome.
--
-- Outcomes move a company between core levels: none (0), Microcap outside the R2000 (1), R2000 (2), R1000 (3).
-- A company reaches level 1 when eligible and in the top #4,000, level 2 when also in the top #3,000 or on the
-- R1000 side, level 3 when on the R1000 side (banded for current R3000 members). Each threshold is a move x in
-- its log total cap the company needs: x >= ln(edge cap / cap). Edges:
--   * $1 close (an existing member whose 30-day average is $1 or more has none), $30M total cap;
--   * #N without band (#3,000, #4,000): the cap of company #N+1 for a company inside, of #N for one outside
--     (none with N companies or fewer);
--   * the #1,000 band for current R3000 members: the cap at cumulative percentage breakpoint + band (R1000
--     members stay above it) or breakpoint - band (R2000 members move up above it), read off the curve of caps
--     against cumulative percentage, linear between neighbouring companies; other companies: #1,000 as above.
--   Screens a price move cannot change (type, exchange, country, float, votes) fix level 0.
-- The edges are the curve's on the preview date: every other company keeps its place on it, so x is the move
-- relative to the market (docs/preview.md discusses what this leaves out). The model: x ~ Normal(0, s^2),
-- s = preview_volatility_scale x sigma x sqrt(sessions to the rank day), sigma the daily volatility of
-- int_preview_trading (relative to the market, or total: var preview_volatility_basis; a company without enough
-- returns takes the preview's median). P(level <= k) = Phi(threshold of level k + 1 / s). On the rank day and after
-- it (determined), the probability of the projected outcome is 1.
--
-- Weights and trade estimate: float cap = total cap x float factor; the company's weight in its core index now (the
-- preview's members) and projected; net shares passive funds trade = sum over the size indexes of the change in
-- weight x assets tracking the index and its style and stability children (int_tracking_assets; a style index is
-- taken to hold a company at its parent's weight), over the close; days of volume over the 20-day average.
{%- set size_flags = {
    'R3000E': '{p}_r3000e', 'R3000': '{p}_r3000', 'R1000': '{p}_r1000', 'RTOP500': '{p}_top500',
    'RTOP200': '{p}_top200', 'RMID': '{p}_r1000 and not {p}_top200', 'R2000': '{p}_r3000 and not {p}_r1000',
    'R2500': '{p}_r3000 and not {p}_top500', 'RMICRO': '{p}_micro'} %}
{%- set basis = var('preview_volatility_basis') %}
with universe as (
    select * from {{ ref('int_preview_universe') }}
),

trading as (
    select * from {{ ref('int_preview_trading') }}
),

ranked as (
    select * from universe where size_rank is not null
),

size_breakpoints as (
    {{ size_breakpoints('ranked', 'preview_id') | indent(4) }}
),

breakpoints as (
    select
        preview_id,
        any_value(s.pct_r1000) as pct_r1000,
        any_value(s.cap_r1000) as cap_r1000,
        any_value(s.cap_r3000) as cap_r3000,
        any_value(s.cap_r3000e) as cap_r3000e,
        count(*) as eligible_count,
        {%- for name in ['r1000', 'r3000', 'r3000e'] %}
        max(total_market_cap) filter (where size_rank = {{ var('rank_' ~ name) }} + 1) as cap_after_{{ name }},
        {%- endfor %}
        min(total_market_cap) as cap_smallest
    from ranked
    join size_breakpoints as s using (preview_id)
    group by preview_id
),

band_crossings as (
    -- the first company past each #1,000 band edge: beyond breakpoint + band, at or beyond breakpoint - band
    select
        r.preview_id,
        b.pct_r1000 + {{ var('band_r1000') }} as band_upper_pct,
        b.pct_r1000 - {{ var('band_r1000') }} as band_lower_pct,
        min(r.size_rank) filter (where r.cum_cap_pct > b.pct_r1000 + {{ var('band_r1000') }}) as upper_past_rank,
        min(r.size_rank) filter (where r.cum_cap_pct >= b.pct_r1000 - {{ var('band_r1000') }}) as lower_past_rank
    from ranked as r
    join breakpoints as b using (preview_id)
    group by all
),

band_edges as (
    -- the cap at each band edge on the (cumulative percentage, cap) curve, linear between the companies either
    -- side of it; 0 when no company is past the edge (every cap is on the inside)
    select
        c.preview_id,
        c.band_upper_pct,
        c.band_lower_pct,
        {%- for side in ['upper', 'lower'] %}
        case
            when c.{{ side }}_past_rank is null then 0.0
            when c.{{ side }}_past_rank = 1 then past_{{ side }}.total_market_cap
            else before_{{ side }}.total_market_cap
                + (past_{{ side }}.total_market_cap - before_{{ side }}.total_market_cap)
                * (c.band_{{ side }}_pct - before_{{ side }}.cum_cap_pct)
                / (past_{{ side }}.cum_cap_pct - before_{{ side }}.cum_cap_pct)
        end as band_{{ side }}_cap{{ ',' if side == 'upper' }}
        {%- endfor %}
    from band_crossings as c
    left join ranked as past_upper on past_upper.preview_id = c.preview_id and past_upper.size_rank = c.upper_past_rank
    left join ranked as before_upper
        on before_upper.preview_id = c.preview_id and before_upper.size_rank = c.upper_past_rank - 1
    left join ranked as past_lower on past_lower.preview_id = c.preview_id and past_lower.size_rank = c.lower_past_rank
    left join ranked as before_lower
        on before_lower.preview_id = c.preview_id and before_lower.size_rank = c.lower_past_rank - 1
),

placed as (
    select
        u.*,
        b.pct_r1000 as breakpoint_pct,
        b.cap_r1000 as breakpoint_cap,
        e.band_lower_pct,
        e.band_upper_pct,
        e.band_lower_cap,
        e.band_upper_cap,
        case when u.was_r1000 then 3 when u.was_r3000 then 2 when u.was_micro then 1 else 0 end as current_level,
        case when u.in_r1000 then 3 when u.in_r3000 then 2 when u.in_micro then 1 else 0 end as projected_level,
        u.structural_reason is not null
            or u.size_reason in ('float_below_min', 'voting_rights_below_min') as fixed_ineligible,
        -- log moves to each edge; -inf = no edge on the way
        case
            when u.was_r3000e and u.close_30d_avg >= {{ var('min_price') }} then '-inf'::double
            else ln({{ var('min_price') }} / u.vehicle_close)
        end as x_price,
        ln({{ var('min_total_market_cap') }} / u.total_market_cap) as x_cap,
        {%- for name in ['r1000', 'r3000', 'r3000e'] %}
        case
            when u.size_rank <= {{ var('rank_' ~ name) }}
                then coalesce(ln(b.cap_after_{{ name }} / u.total_market_cap), '-inf'::double)
            when coalesce(b.eligible_count, 0) >= {{ var('rank_' ~ name) }}
                then ln(b.cap_{{ name }} / u.total_market_cap)
            else '-inf'::double
        end as x_rank_{{ name }},
        {%- endfor %}
        case when u.was_r1000 then e.band_upper_cap else e.band_lower_cap end as band_edge_cap
    from universe as u
    left join breakpoints as b using (preview_id)
    left join band_edges as e using (preview_id)
),

thresholds as (
    select
        *,
        case
            when fixed_ineligible then 'inf'::double
            else greatest(x_price, x_cap, x_rank_r3000e)
        end as x_level1,
        case
            when was_r3000 and knows_r1000 then
                case when band_edge_cap > 0 then ln(band_edge_cap / total_market_cap) else '-inf'::double end
            else x_rank_r1000
        end as x_side_r1000
    from placed
),

levels as (
    select
        t.*,
        greatest(t.x_level1, least(t.x_rank_r3000, t.x_side_r1000)) as x_level2,
        greatest(t.x_level1, t.x_side_r1000) as x_level3,
        tr.volatility_returns,
        tr.sigma_daily,
        tr.sigma_relative_daily,
        tr.avg_daily_volume_20d,
        tr.last_trade_date,
        coalesce(
            tr.{{ 'sigma_relative_daily' if basis == 'relative' else 'sigma_daily' }},
            median(tr.{{ 'sigma_relative_daily' if basis == 'relative' else 'sigma_daily' }})
                over (partition by t.preview_id)
        ) as sigma_used
    from thresholds as t
    left join trading as tr using (preview_id, company_id)
),

spread as (
    select
        *,
        {{ var('preview_volatility_scale') }} * sigma_used * sqrt(sessions_to_rank_day) as move_sd
    from levels
),

cumulative as (
    -- P(level <= k) for k = 0, 1, 2
    select
        *,
        {%- for k in [1, 2, 3] %}
        case
            when x_level{{ k }} = 'inf'::double then 1.0
            when x_level{{ k }} = '-inf'::double then 0.0
            when move_sd is null or move_sd = 0 then case when x_level{{ k }} > 0 then 1.0 else 0.0 end
            else {{ normal_cdf('z' ~ k) }}
        end as p_at_most_{{ k - 1 }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select *,
            {%- for k in [1, 2, 3] %}
            x_level{{ k }} / nullif(move_sd, 0) as z{{ k }}{{ ',' if not loop.last }}
            {%- endfor %}
        from spread
    )
),

level_probabilities as (
    select
        *,
        -- on the rank day (and once it has passed) the rules' own result is certain
        case when sessions_to_rank_day = 0 then (projected_level = 0)::int::double
             else p_at_most_0 end as p_level0,
        case when sessions_to_rank_day = 0 then (projected_level = 1)::int::double
             else greatest(p_at_most_1 - p_at_most_0, 0.0) end as p_level1,
        case when sessions_to_rank_day = 0 then (projected_level = 2)::int::double
             else greatest(p_at_most_2 - p_at_most_1, 0.0) end as p_level2,
        case when sessions_to_rank_day = 0 then (projected_level = 3)::int::double
             else 1.0 - p_at_most_2 end as p_level3
    from cumulative
),

index_caps as (
    -- float caps of each size index before (the membership in force) and projected, per preview
    select
        preview_id,
        {%- for code, flag in size_flags.items() %}
        {{ exact_sum('total_market_cap * float_factor', 2) }} filter (where {{ flag.replace('{p}', 'was') }})::double
            as before_{{ code | lower }},
        {{ exact_sum('total_market_cap * float_factor', 2) }} filter (where {{ flag.replace('{p}', 'in') }})::double
            as after_{{ code | lower }}{{ ',' if not loop.last }}
        {%- endfor %}
    from universe
    group by preview_id
),

size_assets as (
    -- assets tracking each size index and its style and stability children, one column per size index
    select
        {%- for code in size_flags %}
        coalesce(sum(tracking_assets_usd) filter (where size_index_code = '{{ code }}'), 0) as assets_{{ code | lower }}
            {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_tracking_assets') }}
),

demand as (
    select
        l.preview_id,
        l.company_id,
        {%- for code, flag in size_flags.items() %}
        (case when {{ flag.replace('{p}', 'l.in') }}
              then l.total_market_cap * l.float_factor / c.after_{{ code | lower }} else 0 end
         - case when {{ flag.replace('{p}', 'l.was') }}
              then l.total_market_cap * l.float_factor / c.before_{{ code | lower }} else 0 end)
            * a.assets_{{ code | lower }}
        {{- ' +' if not loop.last }}
        {%- endfor %}
            as net_demand_usd
    from level_probabilities as l
    join index_caps as c using (preview_id)
    cross join size_assets as a
),

outcomes as (
    select
        l.*,
        d.net_demand_usd,
        {{ core_index_code('l.was') }} as current_index_code,
        {{ core_index_code('l.in') }} as projected_index_code,
        -- the level the thresholds put the company at today, and the nearest edges below and above it
        case when 0 >= l.x_level3 then 3 when 0 >= l.x_level2 then 2 when 0 >= l.x_level1 then 1 else 0 end
            as level_now
    from level_probabilities as l
    join demand as d using (preview_id, company_id)
),

finished as (
    select
        *,
        case level_now when 0 then '-inf'::double when 1 then x_level1 when 2 then x_level2 else x_level3 end
            as x_down,
        case level_now when 0 then x_level1 when 1 then x_level2 when 2 then x_level3 else 'inf'::double end
            as x_up
    from outcomes
)

select
    preview_date,
    recon_id,
    company_id,
    preview_id,
    preview_basis,
    sessions_to_rank_day,
    pricing_security_id,
    size_rank as projected_rank,
    cum_cap_pct,
    current_index_code,
    projected_index_code,
    case
        when current_index_code is null and projected_index_code is not null then 'addition'
        when current_index_code is not null and projected_index_code is null then 'deletion'
        when projected_level > current_level then 'migration_up'
        when projected_level < current_level then 'migration_down'
        else 'stay'
    end as projected_change,
    ineligible_reason,
    total_market_cap,
    vehicle_close,
    breakpoint_pct,
    breakpoint_cap,
    band_lower_pct,
    band_upper_pct,
    case when was_r3000 and knows_r1000 then band_edge_cap end as band_edge_cap,
    -- the smallest move of the total cap (relative to the market) that changes the projected outcome: a rise
    -- (positive) or a fall (negative), whichever is nearer in log terms
    case
        when isinf(x_up) and isinf(x_down) then null
        when x_up <= -x_down then exp(x_up) - 1
        else exp(x_down) - 1
    end as distance_to_edge_pct,
    case when isinf(x_level1) then null else exp(x_level1) - 1 end as move_to_r3000e_pct,
    case when isinf(x_level2) then null else exp(x_level2) - 1 end as move_to_r3000_pct,
    case when isinf(x_level3) then null else exp(x_level3) - 1 end as move_to_r1000_pct,
    case when current_level = 0 then 1.0 - p_level0 else 0.0 end as p_add,
    case when current_level > 0 then p_level0 else 0.0 end as p_delete,
    case current_level
        when 1 then p_level2 + p_level3 when 2 then p_level3 else 0.0
    end as p_migrate_up,
    case current_level
        when 3 then p_level1 + p_level2 when 2 then p_level1 else 0.0
    end as p_migrate_down,
    case current_level
        when 0 then p_level0 when 1 then p_level1 when 2 then p_level2 else p_level3
    end as p_stay,
    p_level3 as p_in_r1000,
    p_level2 as p_in_r2000,
    p_level1 as p_in_rmicro,
    p_level0 as p_outside,
    sigma_daily,
    sigma_relative_daily,
    sigma_used,
    move_sd,
    float_factor,
    total_market_cap * float_factor / case f.current_index_code
        when 'R1000' then c.before_r1000 when 'R2000' then c.before_r2000 when 'RMICRO' then c.before_rmicro
    end as current_index_weight,
    total_market_cap * float_factor / case f.projected_index_code
        when 'R1000' then c.after_r1000 when 'R2000' then c.after_r2000 when 'RMICRO' then c.after_rmicro
    end as projected_index_weight,
    net_demand_usd,
    net_demand_usd / vehicle_close as net_shares_to_trade,
    avg_daily_volume_20d,
    abs(net_demand_usd / vehicle_close) / nullif(avg_daily_volume_20d, 0) as days_of_volume,
    greatest(f.latest_input_date, f.last_trade_date) as latest_input_date
from finished as f
join index_caps as c using (preview_id)
order by preview_date, recon_id, projected_rank nulls last, company_id
