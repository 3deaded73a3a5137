"""Growth/Value and Defensive/Dynamic on the default synthetic market (issue 5): plausible splits and the rules
for companies that are not scored at a June reconstitution (IPOs, spin-offs, December)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_value_share_and_split_share_of_the_r1000_are_plausible(default_warehouse) -> None:
    rows = default_warehouse.execute(
        """
        select
            recon_id,
            sum(float_market_cap * value_probability) / sum(float_market_cap) as value_share,
            sum(float_market_cap) filter (where value_probability > 0 and value_probability < 1)
                / sum(float_market_cap) as split_share
        from main.fct_style_scores
        where base_index_code = 'R1000' and event = 'reconstitution'
        group by recon_id
        """
    ).fetchall()
    assert len(rows) == 13
    for recon_id, value_share, split_share in rows:
        assert 0.35 <= value_share <= 0.65, (recon_id, value_share)
        # Russell reports ~30% split; the linear curve of decision 3 puts the 50% of cap between the 25% and 75%
        # breaks in play, less what the 95% rule makes pure (README, "Style and stability")
        assert 0.25 <= split_share <= 0.50, (recon_id, split_share)


def test_the_cvs_band_holds_some_june_scores_and_never_in_the_first_or_a_december(default_warehouse) -> None:
    rows = dict(
        default_warehouse.execute(
            """
            select recon_id, avg((cvs_source = 'banded')::int)
            from main.fct_style_scores
            where event = 'reconstitution' and base_index_code in ('R1000', 'R2000')
            group by recon_id
            """
        ).fetchall()
    )
    assert rows.pop("2015-06") == 0 and rows.pop("2026-12") == 0
    assert all(0.1 <= share <= 0.6 for share in rows.values()), rows


def test_december_scores_only_new_and_migrating_companies(default_warehouse) -> None:
    rows = default_warehouse.execute(
        """
        select d.company_id, d.cvs_source, d.base_index_code, j.base_index_code,
            d.value_probability, j.value_probability, d.defensive_probability, j.defensive_probability
        from main.fct_style_scores as d
        left join main.fct_style_scores as j
            on j.company_id = d.company_id and j.recon_id = '2026-06' and j.event = 'reconstitution'
        where d.recon_id = '2026-12' and d.event = 'reconstitution'
        """
    ).fetchall()
    carried = [r for r in rows if r[1] == "carried"]
    assert len(carried) > 0.9 * len(rows)
    for _, _, base, june_base, value, june_value, defensive, june_defensive in carried:
        assert base == june_base and value == june_value and defensive == june_defensive
    for _, source, base, june_base, *_ in rows:
        if source != "carried":
            assert june_base is None or june_base != base  # new to the index family, or migrating


def test_ipos_take_their_sub_sector_average_and_are_dynamic(default_warehouse) -> None:
    rows = default_warehouse.execute(
        """
        with peers as (
            select recon_id, base_index_code, icb_subsector, avg(value_probability) as mean_value, count(*) as n
            from main.fct_style_scores
            where event = 'reconstitution'
            group by all
        )
        select a.company_id, a.value_probability, p.mean_value, a.defensive_probability, a.base_index_code
        from main.fct_style_scores as a
        join peers as p using (recon_id, base_index_code, icb_subsector)
        where a.event in ('ipo', 'fast_entry_ipo') and p.n >= 5
        """
    ).fetchall()
    assert len(rows) > 100
    for company_id, value, mean_value, defensive, base in rows:
        expected = 1.0 if mean_value > 0.95 else 0.0 if mean_value < 0.05 else mean_value
        assert value == pytest.approx(expected, abs=1e-12), company_id
        assert defensive == (None if base == "RMICRO" else 0.0), company_id


def test_spin_offs_take_their_parents_probabilities(default_warehouse) -> None:
    rows = default_warehouse.execute(
        """
        select s.company_id, s.value_probability, p.value_probability, s.defensive_probability,
            p.defensive_probability
        from main.fct_style_scores as s
        join intermediate.int_reconstitution_chain as c
            on c.kind = 'addition' and c.company_id = s.company_id and c.valid_from = s.valid_from
        join staging.stg_corporate_actions as a
            on a.action_type = 'spin_off' and a.related_security_id = s.security_id
        join staging.stg_securities as parent on parent.security_id = a.security_id
        join intermediate.int_rebalance_calendar as r on r.event_type = 'reconstitution'
        join main.fct_style_scores as p
            on p.company_id = parent.company_id and p.recon_id = r.recon_id and p.event = 'reconstitution'
        where s.event = 'spin_off' and s.cvs_source = 'parent'
        qualify row_number() over (
            partition by s.company_id, s.valid_from
            order by (r.first_session <= s.valid_from) desc, r.first_session desc
        ) = 1
        """
    ).fetchall()
    assert len(rows) > 20
    for company_id, value, parent_value, defensive, parent_defensive in rows:
        assert value == parent_value and defensive == parent_defensive, company_id
