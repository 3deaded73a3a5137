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
# built once per session (per xdist worker; the files reading one build share a worker, see pytest_collection_
# modifyitems below) instead of once per file.


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


# Session-scoped builds that more than one test file reads. Under pytest-xdist (`make test`: two workers, --dist
# loadgroup) each worker builds the session fixtures it needs, so the files that share one of these builds must run
# on one worker; so must all of one file's tests (module-scoped builds). The files are joined into groups through
# the builds they share (the default market links the slow files, test_holdings links it to the chartbook, ...).
SHARED_BUILDS = (
    "default_market",
    "default_warehouse",
    "chartbook_warehouse",
    "banding_warehouse",
    "style_warehouse",
    "capping_warehouse",
)


def build_groups(items: list[pytest.Item]) -> dict[str, str]:
    """Each test file's group: the files linked, directly or through others, by a shared build form one group."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.setdefault(name, name) != name:
            name = parent[name]
        return name

    for item in items:
        module = item.nodeid.split("::")[0]
        root(module)
        for fixture in SHARED_BUILDS:
            if fixture in item.fixturenames:
                parent[root(module)] = root(fixture)
    return {name: root(name) for name in list(parent)}


def pytest_configure(config: pytest.Config) -> None:
    # the workers import the Dagster definitions at once: on a clean clone each would run `dbt parse` into the same
    # target/manifest.json, so the controller writes it before it starts them
    if getattr(config.option, "dist", "no") != "no" and not hasattr(config, "workerinput"):
        from indexpipe.dbt_manifest import prepare_manifest

        prepare_manifest()


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the marks into the node ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # a worker knows --dist loadgroup as option.loadgroup (xdist sets the worker's own dist to "no")
    if not getattr(config.option, "loadgroup", False) and getattr(config.option, "dist", "no") != "loadgroup":
        return
    groups = build_groups(items)
    for item in items:
        item.add_marker(pytest.mark.xdist_group(groups[item.nodeid.split("::")[0]]))
    # xdist hands out groups in the order of their first test: the default-size market's group (minutes) first, so
    # the other worker runs the rest beside it instead of waiting for it at the end
    slowest = groups.get("default_warehouse")
    items.sort(key=lambda item: groups[item.nodeid.split("::")[0]] != slowest)
