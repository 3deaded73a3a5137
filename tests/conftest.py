"""Shared fixtures: markets are generated once per session and many tests assert on them."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from unittest import mock

import duckdb
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# Runs of the tests go to a Dagster instance of their own, not the project's .dagster_home (the UI's history)
os.environ["DAGSTER_HOME"] = tempfile.mkdtemp(prefix="indexpipe-test-dagster-")
atexit.register(shutil.rmtree, os.environ["DAGSTER_HOME"], True)

from indexpipe.build import build  # noqa: E402
from indexpipe.generator import MarketConfig, generate_market, write_market  # noqa: E402
from indexpipe.settings import REPO_ROOT, Settings  # noqa: E402
from shared_builds import BUILD_LOG, build_once  # noqa: E402

# Small enough to build in seconds, long enough to hold the 2024 rank day and a full year of events.
SMALL_MARKET = MarketConfig(seed=7, start=date(2023, 1, 1), end=date(2024, 12, 31), companies=400)
DEFAULT_MARKET = MarketConfig(seed=42, end=date(2026, 12, 31))
PUBLIC_DATA = REPO_ROOT.parent / "shared" / "data" / "public"


@pytest.fixture(scope="session")
def small_market_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    def make(out: Path) -> Path:
        write_market(generate_market(SMALL_MARKET), out)
        return out

    return build_once(tmp_path_factory, "small_market", make)


@pytest.fixture(scope="session")
def small_ui_build(small_market_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small market built once as the UI launches build_all (tests/ui_launch.py) into ``ui.duckdb``, its one run
    in the Dagster instance ``dagster_home`` beside it; test_cli_and_ui checks the run, test_pipeline_dagster reads
    the warehouse (and copies it to build again)."""
    from ui_launch import launch_build_all

    return build_once(
        tmp_path_factory,
        "small_ui_build",
        lambda out: launch_build_all(small_market_dir, out / "ui.duckdb", out / "dagster_home"),
    )


@pytest.fixture(scope="session")
def default_market(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default-size market's input files (6,000 companies, 2015-2026): ~15 s to generate and write."""

    def make(out: Path) -> Path:
        write_market(generate_market(DEFAULT_MARKET), out)
        return out

    return build_once(tmp_path_factory, "default_market", make)


@pytest.fixture(scope="session")
def default_warehouse(default_market: Path, tmp_path_factory: pytest.TempPathFactory):
    """The default market built once through Dagster (every model and check), opened read-only."""

    def make(out: Path) -> Path:
        db = out / "warehouse.duckdb"
        build(Settings(input_dir=default_market, duckdb_path=db))
        return db

    db = build_once(tmp_path_factory, "default_warehouse", make)
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def _crafted(
    factory: pytest.TempPathFactory,
    name: str,
    market,
    dbt_vars: dict | None = None,
    models: tuple[str, ...] = (),
) -> Path:
    from recon_fixtures import build_market

    return build_once(
        factory, name, lambda out: build_market(market(), out, dbt_vars=dbt_vars, models=models)
    )


@pytest.fixture(scope="session")
def chartbook_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/chartbook_fixtures.py built once for the holdings, report and daily sums tests: up to what they read (the
    report's marts and its preview page, the holdings view and mart, the daily sums), with everything those are built
    from and every check; not the rank-day universe, the changes, trade demand and style score marts."""
    from chartbook_fixtures import chartbook_market
    from indexpipe.report import MARTS

    models = (*MARTS, "fct_reconstitution_preview", "fct_index_constituents_daily", "fct_index_holdings",
              "int_index_daily_industry_returns")  # fmt: skip
    return _crafted(tmp_path_factory, "chartbook", chartbook_market, models=models)


# Crafted markets that several test files read (never write: a test that changes a warehouse copies it first), each
# built once per run instead of once per file.


@pytest.fixture(scope="session")
def banding_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/recon_fixtures.py's banding market with BANDING_VARS (the scaled breakpoints, a 100% daily-move bound,
    a preview on the 2024 rank day): reconstitutions 2023-06 and 2024-06 (effective 2023-06-23 and 2024-06-28); the
    banding rules, the quality checks, the preview's rank-day identity, the CLI's compare and validate, the schedules
    read it."""
    from recon_fixtures import BANDING_VARS, banding_market

    return _crafted(tmp_path_factory, "banding", banding_market, BANDING_VARS)


@pytest.fixture(scope="session")
def style_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/style_fixtures.py's style market (the style rules and the daily sums read it): built up to what they
    read, the scores, holdings and daily industry sums, with everything those are built from and every check."""
    from style_fixtures import style_market

    models = ("fct_style_scores", "fct_index_holdings", "int_index_daily_industry_returns")
    return _crafted(tmp_path_factory, "style", style_market, models=models)


@pytest.fixture(scope="session")
def capping_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/capping_fixtures.py's market under CAPPING_VARS (the capping rules and the daily sums read it): built up
    to the holdings, levels and daily industry sums they read, with everything those are built from and every
    check."""
    from capping_fixtures import CAPPING_VARS, capping_market

    models = ("fct_index_holdings", "fct_index_levels", "int_index_daily_industry_returns")
    return _crafted(tmp_path_factory, "capping", capping_market, CAPPING_VARS, models)


# Beside real_inputs_2024's directory: the CSV its import combined the bar archives into, and how many ticker files
# that was (test_import_public.py's second import reuses it; see keeping_combined_bars).
COMBINED_BARS = "combined_bars.csv"


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # the scratch directory on another file system than the test's
        shutil.copyfile(source, target)


@contextmanager
def keeping_combined_bars(keep: Path) -> Iterator[None]:
    """Keep the scratch CSV an import combines the daily bar archives into (a hard link, so no copy): streaming the
    xz archives is about 8 s of the import's 19 s of CPU, and combining them is a deterministic stream in archive
    order, so test_import_2024_is_deterministic gives its second import this file instead of decompressing again."""
    from indexpipe.importers import public_market

    combine = public_market.combine_archives

    def combine_and_keep(archives: Sequence[Path], target: Path) -> int:
        files = combine(archives, target)
        link_or_copy(target, keep)
        keep.with_suffix(".files").write_text(str(files), encoding="utf-8")
        return files

    with mock.patch.object(public_market, "combine_archives", combine_and_keep):
        yield


@pytest.fixture(scope="session")
def real_inputs_2024(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The public files of the June 2024 reconstitution imported by `indexpipe import public` (docs/real-data.md):
    the import's tests read them, and real_warehouse_2024 is built from them (a build never writes to its input)."""
    from indexpipe.cli import main

    if not PUBLIC_DATA.is_dir():
        pytest.skip(f"public reference data not available: {PUBLIC_DATA}")

    def make(out: Path) -> Path:
        inputs = out / "input"
        argv = ["import", "public", "--year", "2024", "--out", str(inputs), "--source", str(PUBLIC_DATA)]
        with keeping_combined_bars(out / COMBINED_BARS):
            if main(argv) != 0:
                raise RuntimeError(f"indexpipe {' '.join(argv)} failed")
        return inputs

    return build_once(tmp_path_factory, "real_inputs_2024", make)


@pytest.fixture(scope="session")
def real_warehouse_2024(real_inputs_2024: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """real_inputs_2024 built (docs/real-data.md); the real-data and the preview back-test files read it. Their
    modules skip before asking for it when the public folder is absent."""

    def make(out: Path) -> Path:
        db = out / "warehouse.duckdb"
        build(Settings(input_dir=real_inputs_2024, duckdb_path=db))
        return db

    return build_once(tmp_path_factory, "real_2024", make)


# The builds several files share, longest first (the inputs of the default and small markets are only written, in
# seconds). Under xdist (--dist loadfile --no-loadscope-reorder) the workers take files in collection order: the first
# file reading the default market (the longest build) goes first, then the first reader of every other shared build,
# so one worker builds each while the other works on something else; the files reading a build already started come
# later, when it is likely done (a worker that asks for it earlier waits on its lock).
SHARED_BUILDS = (
    "default_warehouse",
    "real_warehouse_2024",
    "chartbook_warehouse",
    "banding_warehouse",
    "style_warehouse",
    "capping_warehouse",
    "small_ui_build",
)


def file_order(items: list[pytest.Item]) -> dict[str, tuple[int, int, int]]:
    """Each test file's place: (how many earlier files read one of its shared builds; 0 for the default market's
    first reader, 1 for a slow file, 2 for the others; its place in the collection)."""
    files: dict[str, set[str]] = {}
    slow: set[str] = set()
    for item in items:
        module = item.nodeid.split("::")[0]
        files.setdefault(module, set()).update(name for name in SHARED_BUILDS if name in item.fixturenames)
        if item.get_closest_marker("slow"):
            slow.add(module)
    readers: dict[str, int] = {}
    order: dict[str, tuple[int, int, int]] = {}
    for place, (module, shared) in enumerate(files.items()):
        rank = max((readers.get(name, 0) for name in shared), default=0)
        first_default = "default_warehouse" in shared and readers.get("default_warehouse", 0) == 0
        for name in shared:
            readers[name] = readers.get(name, 0) + 1
        order[module] = (rank, 0 if first_default else 1 if module in slow else 2, place)
    return order


def pytest_configure(config: pytest.Config) -> None:
    # the workers import the Dagster definitions at once: on a clean clone each would run `dbt parse` into the same
    # target/manifest.json, so the xdist controller writes it before it starts them
    if config.getoption("numprocesses", None) and not hasattr(config, "workerinput"):
        from indexpipe.dbt_manifest import prepare_manifest

        prepare_manifest()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    order = file_order(items)
    items.sort(key=lambda item: order[item.nodeid.split("::")[0]])  # stable: a file's tests keep their order


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    factory = getattr(config, "_tmp_path_factory", None)  # pytest's own, as pytest-xdist reads it
    log = factory.getbasetemp() / BUILD_LOG if factory is not None else None
    if log is not None and log.exists():
        terminalreporter.write_sep("-", "shared builds")
        terminalreporter.write(log.read_text(encoding="utf-8"))
