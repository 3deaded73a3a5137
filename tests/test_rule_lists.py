"""Each rule list has one home, and the places that must repeat it agree with it.

- The eligible exchanges and security types (docs/methodology.md §1) are dbt vars (dbt_project.yml) that the models read
  through the macro sql_values; no model spells them out, and the test fixtures and the calibration query agree.
- The input enumerations live in indexpipe/contract.py and the input validator alone checks them; the Great
  Expectations suites of the raw tables check what the load must keep (keys, known securities), never a value
  list, and the eligible lists are taken from the contract's.
- The index codes live in the seed index_definitions.csv; the suites that check index codes use the same set.
- The seven membership flags of the reconstitution chain are one Jinja list (macro membership_flags).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from indexpipe.contract import EXCHANGES, SECURITY_TYPES, SIZE_INDEX_CODES, TABLES_BY_NAME
from indexpipe.quality.runner import expectation_columns
from indexpipe.rules import project_vars
from indexpipe.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR
from recon_fixtures import EXCLUDED_TYPES
from test_generator_market import calibration_sql

MODELS = DBT_PROJECT_DIR / "models"
SUITES = EXPECTATIONS_DIR / "gx" / "expectations"
RULES = project_vars()


def _value_sets(suite: Path) -> dict[str, list[object]]:
    """column -> value_set of every expect_column_values_to_be_in_set of a suite."""
    expectations = json.loads(suite.read_text())["expectations"]
    return {
        e["kwargs"]["column"]: e["kwargs"]["value_set"]
        for e in expectations
        if e["type"] == "expect_column_values_to_be_in_set"
    }


def _model_sql() -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(MODELS.rglob("*.sql"))}


def test_eligible_lists_are_values_of_the_contract() -> None:
    assert RULES["eligible_exchanges"] == ["NYSE", "NASDAQ", "NYSE_AMERICAN", "NYSE_ARCA", "CBOE"]
    assert RULES["eligible_security_types"] == ["common", "reit", "tracking_stock"]
    assert set(RULES["eligible_exchanges"]) < set(EXCHANGES)
    assert set(RULES["eligible_security_types"]) < set(SECURITY_TYPES)
    # the eligibility market (tests/recon_fixtures.py) has one company of every other type
    assert set(EXCLUDED_TYPES) == set(SECURITY_TYPES) - set(RULES["eligible_security_types"])


def test_no_model_spells_out_an_eligible_list() -> None:
    # a quoted value list naming an eligible exchange or type: the list belongs in the vars
    listed = re.compile(r"\(\s*'[^']*'\s*(,\s*'[^']*'\s*)+\)")
    values = set(RULES["eligible_exchanges"]) | set(RULES["eligible_security_types"])
    found = {
        (name, match.group(0))
        for name, sql in _model_sql().items()
        for match in listed.finditer(sql)
        if values & set(re.findall(r"'([^']*)'", match.group(0)))
    }
    assert not found
    readers = {name for name, sql in _model_sql().items() if "var('eligible_" in sql}
    assert readers >= {
        "int_event_company_vehicles.sql",
        "int_pricing_vehicles.sql",
        "int_reconstitution_chain.sql",
    }


def test_calibration_query_reads_the_eligible_lists(tmp_path: Path) -> None:
    sql = calibration_sql(tmp_path, "2024-04-30")
    assert "${" not in sql
    assert "exchange in ('NYSE', 'NASDAQ', 'NYSE_AMERICAN', 'NYSE_ARCA', 'CBOE')" in sql
    assert "security_type in ('common', 'reit', 'tracking_stock')" in sql


def test_no_raw_suite_repeats_a_rule_of_the_input_validator() -> None:
    suites = sorted(SUITES.glob("raw_*.json"))
    assert len(suites) == 6
    for suite in suites:
        table = TABLES_BY_NAME[suite.stem.removeprefix("raw_")]
        contract_columns = {c.name for c in table.columns}
        expectations = json.loads(suite.read_text())["expectations"]
        # a contract column appears only as the table's key: its values, lists and bounds are the validator's
        for expectation in expectations:
            named = set(expectation_columns(expectation["kwargs"])) & contract_columns
            assert named <= set(table.key), (suite.name, expectation["type"], named)
        # the frame's own columns are flags and counts (known_security true, duplicate_keys 0)
        assert all(v in ([True], [0]) for v in _value_sets(suite).values()), suite.name
        # each keeps its table's key, in the table or in the loaded window
        keys = {(e["type"], tuple(sorted(expectation_columns(e["kwargs"])))) for e in expectations}
        assert keys & {
            ("expect_compound_columns_to_be_unique", tuple(sorted(table.key))),
            ("expect_column_values_to_be_unique", tuple(table.key)),
            ("expect_column_values_to_be_in_set", ("duplicate_keys",)),
        }, suite.name


def test_index_code_sets_agree_with_the_seed() -> None:
    with (DBT_PROJECT_DIR / "seeds" / "index_definitions.csv").open(newline="") as f:
        seed = list(csv.DictReader(f))
    codes = [row["index_code"] for row in seed]
    size_codes = [row["index_code"] for row in seed if row["family"] == "size"]
    assert set(SIZE_INDEX_CODES) == set(size_codes)
    suites_with_codes = 0
    for suite in SUITES.glob("fct_*.json"):
        value_set = _value_sets(suite).get("index_code")
        if value_set is not None:
            suites_with_codes += 1
            assert value_set == codes, suite.name
    assert suites_with_codes >= 3


def test_membership_flags_are_one_list() -> None:
    macro = (DBT_PROJECT_DIR / "macros" / "reconstitution_steps.sql").read_text()
    flags = ["in_r1000", "in_top500", "in_top200", "in_top50", "in_r3000", "in_r3000e", "in_micro"]
    assert str(flags) in macro
    # the chain names each flag only where it computes it (an IPO's placement), never as a list of all seven
    chain = (MODELS / "intermediate" / "int_reconstitution_chain.sql").read_text()
    spelled = re.findall(r"in_r1000,\s*\w*\.?in_top500,", chain)
    assert not spelled
