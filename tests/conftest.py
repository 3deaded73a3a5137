"""Shared fixtures: markets are generated once per session and many tests assert on them."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

import duckdb
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# Runs of the tests go to a Dagster instance of their own, not the project's .dagster_home (the UI's history)
os.environ["DAGSTER_HOME"] = tempfile.mkdtemp(prefix="indexpipe-test-dagster-")
atexit.register(shutil.rmtree, os.environ["DAGSTER_HOME"], True)

from indexpipe.build import build  # noqa: E402
from indexpipe.generator import MarketConfig, generate_market, write_market  # noqa: E402
from indexpipe.settings import Settings  # noqa: E402

# Small enough to build in seconds, long enough to hold the 2024 rank day and a full year of events.
SMALL_MARKET = MarketConfig(seed=7, start=date(2023, 1, 1), end=date(2024, 12, 31), companies=400)
DEFAULT_MARKET = MarketConfig(seed=42, end=date(2026, 12, 31))


@pytest.fixture(scope="session")
def small_market_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small_market")
    write_market(generate_market(SMALL_MARKET), out)
    return out


@pytest.fixture(scope="session")
def default_market(tmp_path_factory: pytest.TempPathFactory):
    """The default-size market (6,000 companies, 2015-2026): ~15 s to generate and write."""
    out = tmp_path_factory.mktemp("default_market")
    market = generate_market(DEFAULT_MARKET)
    write_market(market, out)
    return market, out


@pytest.fixture(scope="session")
def default_warehouse(default_market, tmp_path_factory: pytest.TempPathFactory):
    """The default market built once through Dagster (every model and check), opened read-only."""
    db = tmp_path_factory.mktemp("default_build") / "warehouse.duckdb"
    build(Settings(input_dir=default_market[1], duckdb_path=db))
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def chartbook_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/chartbook_fixtures.py built once (about 40 s) for the holdings and report tests."""
    from chartbook_fixtures import chartbook_market
    from recon_fixtures import build_market

    return build_market(chartbook_market(), tmp_path_factory.mktemp("chartbook"))


# Crafted markets that several test files read (never write: a test that changes a warehouse copies it first), each
# built once per session instead of once per file.


@pytest.fixture(scope="session")
def banding_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/recon_fixtures.py's banding market with SCALED_VARS: reconstitutions 2023-06 and 2024-06 (effective
    2023-06-23 and 2024-06-28); the banding rules, the CLI's compare and validate, the schedules read it."""
    from recon_fixtures import banding_market, build_market

    return build_market(banding_market(), tmp_path_factory.mktemp("banding"))


@pytest.fixture(scope="session")
def style_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/style_fixtures.py's style market (the style rules and the daily sums read it)."""
    from recon_fixtures import build_market
    from style_fixtures import style_market

    return build_market(style_market(), tmp_path_factory.mktemp("style"))


@pytest.fixture(scope="session")
def capping_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/capping_fixtures.py's market under CAPPING_VARS (the capping rules and the daily sums read it)."""
    from capping_fixtures import CAPPING_VARS, capping_market
    from recon_fixtures import build_market

    return build_market(capping_market(), tmp_path_factory.mktemp("capping"), dbt_vars=CAPPING_VARS)
