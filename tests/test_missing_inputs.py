"""A market without the optional inputs still builds, passes every check and publishes (docs/contract.md §1).

The banding market of tests/recon_fixtures.py (two reconstitutions at scaled breakpoints, an R2000 and a Microcap)
is built with header-only fundamentals and estimates and without classifications or corporate actions. Every
blocking Great Expectations check ran (the build would have failed otherwise); here the style splits are checked
directly: growth + value and defensive + dynamic add up to the parent for every security, index and date, and with
no style input at all every company is 50/50 growth/value.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from indexpipe.build import BuildResult, build
from indexpipe.settings import Settings
from indexpipe.warehouse.published import published_link
from recon_fixtures import SCALED_VARS, banding_market

PAIRS = {
    "R3000": ("R3000G", "R3000V"),
    "R1000": ("R1000G", "R1000V"),
    "RTOP200": ("RTOP200G", "RTOP200V"),
    "RMID": ("RMIDG", "RMIDV"),
    "R2000": ("R2000G", "R2000V"),
    "R2500": ("R2500G", "R2500V"),
    "RMICRO": ("RMICROG", "RMICROV"),
}
STABILITY_PAIRS = {"R1000": ("R1000DEF", "R1000DYN"), "R2000": ("R2000DEF", "R2000DYN")}


@pytest.fixture(scope="module")
def bare_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    root = tmp_path_factory.mktemp("bare")
    market = replace(
        banding_market(),
        header_only={"fundamentals", "estimates"},
        absent={"classifications", "corporate_actions"},
        harmless_dividend=False,
    )
    db = root / "w.duckdb"
    result = build(Settings(input_dir=market.write(root / "input"), duckdb_path=db), dbt_vars=SCALED_VARS)
    return db, result


def test_the_build_names_what_was_absent(bare_build: tuple[Path, BuildResult]) -> None:
    _, result = bare_build
    assert [note.split(" (")[0] for note in result.notes] == [
        "corporate_actions: absent",
        "fundamentals: header only",
        "estimates: header only",
        "classifications: absent",
        "initial_membership: absent",
    ]
    published = published_link(bare_build[0])
    assert (published / "fct_index_holdings.parquet").exists()


@pytest.mark.parametrize("pairs", [PAIRS, STABILITY_PAIRS], ids=["growth_value", "defensive_dynamic"])
def test_style_sides_add_up_to_the_parent(bare_build: tuple[Path, BuildResult], pairs) -> None:
    db, _ = bare_build
    values = ", ".join(f"('{p}', '{a}', '{b}')" for p, (a, b) in pairs.items())
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            f"""
            with pairs (parent, side_a, side_b) as (values {values}),
            parent_lines as (
                select p.parent, h.as_of_date, h.security_id, h.float_market_cap as parent_cap
                from main.fct_index_holdings as h join pairs as p on p.parent = h.index_code
            ),
            side_lines as (
                select p.parent, h.as_of_date, h.security_id, sum(h.float_market_cap) as sides_cap
                from main.fct_index_holdings as h join pairs as p on h.index_code in (p.side_a, p.side_b)
                group by all
            )
            select parent, count(*) as lines,
                count(*) filter (
                    where sides_cap is null or parent_cap is null or abs(sides_cap - parent_cap) > 1e-9 * parent_cap
                ) as not_adding_up
            from parent_lines full join side_lines using (parent, as_of_date, security_id)
            group by parent order by parent
            """
        ).fetchall()
    assert {parent for parent, _, _ in rows} == set(pairs)
    for parent, count, not_adding_up in rows:
        assert count > 0 and not_adding_up == 0, (parent, count, not_adding_up)


def test_without_style_inputs_every_company_is_half_growth_half_value(
    bare_build: tuple[Path, BuildResult],
) -> None:
    db, _ = bare_build
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select recon_id, base_index_code, company_id, event, cvs, cvs_cap_position, value_probability, "
            "growth_probability from main.fct_style_scores"
        ).fetchall()
    # no B/P, EPS or sales growth anywhere: every standard score is the peer mean 0, so every CVS is 0. The tie
    # spans the whole base universe, so every company sits at its midpoint c = 0.5 (decision 3's tie rule), where
    # the curve gives 0.5 x ((0.5 - 0.25) / 0.25)^k = 0.5 for any k; additions take that as their peers' mean
    assert "reconstitution" in {row[3] for row in rows}
    assert {base for _, base, *_ in rows} == {"R1000", "R2000", "RMICRO"}
    for recon_id, base, company_id, event, cvs, position, value, growth in rows:
        key = (recon_id, base, company_id)
        if event == "reconstitution":
            assert cvs == 0 and position == 0.5, key
        assert value == 0.5 and growth == 0.5, key


def test_industries_show_as_unclassified(bare_build: tuple[Path, BuildResult]) -> None:
    db, _ = bare_build
    with duckdb.connect(str(db), read_only=True) as con:
        weights = con.execute(
            "select icb_industry, min(weight), max(weight), count(distinct (index_code, as_of_date)) "
            "from main.fct_industry_weights group by 1"
        ).fetchall()
    assert len(weights) == 12
    assert len({n for *_, n in weights}) == 1  # every industry on every index and month end
    for industry, low, high, _ in weights:
        # everything is Unclassified; the 11 industries stay, at zero
        expected = 1.0 if industry == "Unclassified" else 0.0
        assert (low, high) == (pytest.approx(expected, abs=1e-9), pytest.approx(expected, abs=1e-9)), industry
