"""The ``indexpipe`` command (docs/contract.md §2): generate, build, day, demo, import, validate, compare, report, holdings,
preview, sql, docs, dev."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from indexpipe.settings import (
    DAGSTER_HOME_VARIABLE,
    DEFAULT_DATA_ROOT,
    DEFAULT_DUCKDB_PATH,
    DEFAULT_INPUT_DIR,
    REPO_ROOT,
    Settings,
    default_dagster_home,
)

if TYPE_CHECKING:
    from indexpipe.build import BuildResult
    from indexpipe.progress import RunProgress

# `indexpipe demo --small`: every index non-empty and every check passing in well under a minute
SMALL_DEMO_COMPANIES = 500
SMALL_DEMO_START = date(2022, 1, 1)
SMALL_DEMO_NAME = (
    "demo-small"  # the input folder and the warehouse file (demo-small.duckdb) in the data folder
)


class CommandError(Exception):
    """A failure reported as one line and a non-zero exit."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from exc


def _generate(out: Path, seed: int, start: date | None, end: date | None, companies: int) -> None:
    from indexpipe.generator import MarketConfig, generate_market, write_market

    config = MarketConfig(seed=seed, companies=companies)
    if start is not None:
        config = MarketConfig(**{**config.__dict__, "start": start})
    if end is not None:
        config = MarketConfig(**{**config.__dict__, "end": end})
    began = time.perf_counter()
    market = generate_market(config)
    generated = time.perf_counter() - began
    written = write_market(market, out)
    total = time.perf_counter() - began
    print(f"synthetic market (seed {seed}, {companies:,} companies, {config.start} to {config.end}) in {out}")
    for name, path in written.items():
        rows = market.tables[name].num_rows
        print(f"  {path.name:<24} {rows:>12,} rows  {rows / generated:>14,.0f} rows/s generated")
    print(f"generated in {generated:.1f} s, written in {total - generated:.1f} s")
    from indexpipe.market_scale import CALIBRATED_COMPANIES, RANK_VARS, market_overrides

    if scaled := market_overrides(out):
        ranks = ", ".join(f"{name.removeprefix('rank_')} #{scaled[name]:,}" for name in RANK_VARS)
        print(
            f"breakpoint ranks scaled to {companies:,} of the calibrated {CALIBRATED_COMPANIES:,} companies "
            f"(market.json): {ranks}"
        )


def _run(run: Callable[[RunProgress], BuildResult], verbose: bool) -> BuildResult:
    """Run a build with its progress lines (and nothing else, unless verbose); failures become one-line errors."""
    from indexpipe.build import BuildError
    from indexpipe.ingest.files import InputValidationError
    from indexpipe.progress import RunProgress, quiet_terminal
    from indexpipe.warehouse.lock import WarehouseBusy
    from indexpipe.warehouse.staging import WarehouseUnusable

    try:
        with quiet_terminal(verbose) as out:
            return run(RunProgress(out))
    except InputValidationError as exc:
        raise CommandError(f"invalid input: {exc}") from exc
    except (BuildError, WarehouseBusy, WarehouseUnusable) as exc:
        raise CommandError(str(exc)) from exc


def _settings(data_dir: Path, db: Path, dagster_home: Path | None) -> Settings:
    home = dagster_home.expanduser().resolve() if dagster_home else default_dagster_home()
    return Settings(input_dir=data_dir.resolve(), duckdb_path=db.resolve(), dagster_home=home)


def _log_level(verbose: bool) -> str:
    return "INFO" if verbose else "CRITICAL"


def _print_timings(result: BuildResult) -> None:
    """Every Dagster step and table (bench/run_bench.py reads these lines)."""
    for step, seconds in result.step_seconds.items():
        print(f"  step {step:<31} {seconds:>8.1f} s")
    for table, rows in result.table_rows.items():
        loaded = result.load_rates.get(table.removeprefix("raw."))
        rate = f"  {loaded[0] / loaded[1]:>14,.0f} rows/s loaded" if loaded and loaded[1] > 0 else ""
        print(f"  {table:<36} {rows:>12,} rows{rate}")


def _where(settings: Settings, result: BuildResult) -> None:
    from indexpipe.warehouse.published import published_link

    print(f"published:   {published_link(settings.duckdb_path)} (Parquet snapshot of the checked marts)")
    print(f"dagster:     run {result.run_id[:8]} in {settings.dagster_home} (the UI shows it: indexpipe dev)")


def _build(
    data_dir: Path,
    db: Path,
    through: date | None,
    verbose: bool = False,
    dagster_home: Path | None = None,
    timings: bool = False,
) -> BuildResult:
    from indexpipe.build import build
    from indexpipe.summary import read_summary, summary_lines

    settings = _settings(data_dir, db, dagster_home)
    print(f"building {settings.duckdb_path} from {settings.input_dir}", flush=True)
    result = _run(lambda progress: build(settings, through, _log_level(verbose), progress=progress), verbose)
    print(f"built in {result.seconds:.1f} s, prices {result.first_price_date} to {result.last_price_date}")
    if verbose or timings:
        _print_timings(result)
    for line in summary_lines(read_summary(settings.duckdb_path)):
        print(line)
    for note in result.notes:
        print(f"warning: {note}")
    _where(settings, result)
    return result


def _day(
    data_dir: Path,
    db: Path,
    day: date,
    verbose: bool = False,
    dagster_home: Path | None = None,
    timings: bool = False,
) -> None:
    from indexpipe.calendars import no_calculation_reason
    from indexpipe.dbt_child import warm_dbt

    settings = _settings(data_dir, db, dagster_home)
    if not settings.duckdb_path.exists():
        raise CommandError(f"no warehouse at {settings.duckdb_path}: run indexpipe build first")
    print(f"calculating {day} into {settings.duckdb_path}", flush=True)
    # a day without a session is refused before dbt's child and the pipeline's imports start (3 s of CPU for nothing)
    if reason := no_calculation_reason(day):
        raise CommandError(reason)
    # dbt imports itself while this process imports the pipeline (2.7 s): calculate_day runs dbt in that child
    with warm_dbt():
        from indexpipe.build import calculate_day

        result = _run(
            lambda progress: calculate_day(settings, day, _log_level(verbose), progress=progress), verbose
        )
    from indexpipe.summary import read_summary

    print(f"calculated {day} in {result.seconds:.1f} s")
    if verbose or timings:
        _print_timings(result)
    levels = read_summary(settings.duckdb_path).levels
    if levels:
        print("price levels: " + ", ".join(f"{code} {level:,.2f}" for code, level in levels.items()))
    _where(settings, result)


def _validate(db: Path) -> None:
    from indexpipe.dbt_manifest import mart_models
    from indexpipe.quality.runner import run_all
    from indexpipe.warehouse.state import check_warehouse_state

    db = db.resolve()
    if not db.exists():
        raise CommandError(f"no warehouse at {db}")
    import duckdb

    try:
        state = check_warehouse_state(db, mart_models())
        outcomes = run_all(db)
    except duckdb.Error as exc:
        raise CommandError(f"cannot read {db}: {' '.join(str(exc).split())[:300]}") from exc
    failed = [o for o in outcomes if not o.success]
    print(f"  {'ok  ' if state.success else 'FAIL'} build state: {state.message}")
    for outcome in outcomes:
        print(f"  {'ok  ' if outcome.success else 'FAIL'} {outcome.summary()}")
    print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed ({sum(o.expectations for o in outcomes)} "
          f"expectations in {len(outcomes)} suites) on {db}")  # fmt: skip
    reasons = [f"{len(failed)} suite(s) failed: {', '.join(o.frame.name for o in failed)}"] if failed else []
    if not state.success:
        reasons.append(state.message)
    if reasons:
        raise CommandError("; ".join(reasons))


def _compare(args: argparse.Namespace) -> None:
    import duckdb

    from indexpipe.compare.levels import compare_levels
    from indexpipe.compare.membership import compare_membership
    from indexpipe.compare.report import level_lines, membership_lines, write_disagreements, write_periods
    from indexpipe.rules import recorded_overrides, rule_vars

    db = args.db.resolve()
    if not db.exists():
        raise CommandError(f"no warehouse at {db}")
    holdings, indexes = args.holdings or [], args.index or []
    if holdings and len(indexes) != len(holdings):
        raise CommandError("give one --index per --holdings file, in the same order")
    if not holdings and not args.prices:
        raise CommandError(
            "nothing to compare: give --holdings FILE --index CODE and/or --prices FILE --index CODE"
        )
    if args.prices and not indexes:
        raise CommandError("--prices needs --index (the index whose levels to compare)")
    for path in [*holdings, *([args.prices] if args.prices else [])]:
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
    out = (args.out or db.parent / "compare" / f"compare-{'-'.join(indexes)}.md").resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    lines: list[str] = [f"# indexpipe compare: {db.name}", ""]
    written = [out]
    if holdings:
        # the breakpoints the warehouse was built with (a small market's are scaled)
        with duckdb.connect(str(db), read_only=True) as con:
            vars_ = rule_vars(recorded_overrides(con))
        result = compare_membership(
            db,
            list(zip(holdings, indexes, strict=True)),
            args.date,
            rank_r1000=int(vars_["rank_r1000"]),
            band_r1000=float(vars_["band_r1000"]),
            rank_r3000=int(vars_["rank_r3000"]),
        )
        lines += ["## Membership against ETF holdings", "", *membership_lines(result, shown=0), ""]
        print("\n".join(membership_lines(result, shown=args.show)))
        if (csv_path := write_disagreements(result, out.with_suffix(".disagreements.csv"))) is not None:
            written.append(csv_path)
    if args.prices:
        levels = compare_levels(
            db, args.prices, indexes[0], args.start, args.end, total_return=args.total_return
        )
        lines += ["## Levels against a published series", "", *level_lines(levels), ""]
        print("\n".join(level_lines(levels)))
        written.append(write_periods(levels, out.with_suffix(".periods.csv")))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("written: " + ", ".join(str(p) for p in written))


def _report(db: Path, index_code: str, quarter: str | None, out: Path | None, pdf: bool) -> Path:
    from indexpipe.report import Quarter, ReportError, write_report
    from indexpipe.report.browser import BrowserError, print_pdf
    from indexpipe.warehouse import WarehouseError

    began = time.perf_counter()
    try:
        result = write_report(db, index_code, Quarter.parse(quarter) if quarter else None, out)
        written = time.perf_counter() - began
        pdf_path = print_pdf(result.path, result.path.with_suffix(".pdf")) if pdf else None
    except (ReportError, WarehouseError, BrowserError) as exc:
        raise CommandError(str(exc)) from exc
    print(
        f"{result.index_name} chartbook, {result.quarter.label}: {result.exhibits} exhibits, {result.charts} charts, "
        f"written in {written:.1f} s"
    )
    print(f"report:      {result.path}")
    if pdf_path is not None:
        print(f"pdf:         {pdf_path}")
    return result.path


def _holdings(db: Path, index_code: str, day: date, fmt: str, out: Path | None) -> None:
    from indexpipe.holdings import write_holdings
    from indexpipe.warehouse import WarehouseError

    began = time.perf_counter()
    try:
        result = write_holdings(db, index_code, day, fmt, out)
    except WarehouseError as exc:
        raise CommandError(str(exc)) from exc
    moved = "" if result.day == result.requested else f" ({result.requested} is not a trading day)"
    print(
        f"{result.index_name} ({result.index_code}) at the close of {result.day}{moved}: {result.rows:,} "
        f"constituents, ${result.market_value / 1e9:,.1f}B float cap, in {time.perf_counter() - began:.1f} s"
    )
    print(f"holdings:    {result.path}")


def _preview(args: argparse.Namespace) -> None:
    from indexpipe.build import BuildError
    from indexpipe.preview.command import backtest_lines, preview_date
    from indexpipe.preview.run import PreviewError
    from indexpipe.warehouse import WarehouseError
    from indexpipe.warehouse.lock import WarehouseBusy

    try:
        if args.backtest:
            lines = backtest_lines(args.db, args.recon_type, args.holdings, args.index, args.recon)
        elif args.date is None:
            raise CommandError("give --date DATE (or --backtest)")
        else:
            lines = preview_date(args.db, args.date, args.recon, args.show, args.out, args.dagster_home)
    except (PreviewError, WarehouseError, WarehouseBusy, BuildError) as exc:
        raise CommandError(str(exc)) from exc
    print("\n".join(lines))


def _sql(db: Path, query: str, max_rows: int) -> None:
    """A read-only query on the warehouse (no DuckDB command-line client needed)."""
    import duckdb

    from indexpipe.warehouse import WarehouseError, connect_read_only

    try:
        con = connect_read_only(db)
    except WarehouseError as exc:
        raise CommandError(str(exc)) from exc
    try:
        relation = con.sql(query)
        if relation is None:
            print("ok")
        else:
            relation.show(max_rows=max_rows, max_width=200)
    except duckdb.Error as exc:
        raise CommandError(" ".join(str(exc).split())[:500]) from exc
    finally:
        con.close()


def _docs(db: Path, port: int, serve: bool) -> None:
    from indexpipe.dbt_docs import DocsError, generate_docs, serve_docs

    began = time.perf_counter()
    try:
        site = generate_docs(db)
    except DocsError as exc:
        raise CommandError(f"dbt docs generate failed: {exc}") from exc
    catalog = "catalog from " + str(db.resolve()) if db.exists() else "no warehouse yet: descriptions only"
    print(f"dbt docs in {site} ({catalog}) in {time.perf_counter() - began:.1f} s")
    if serve:
        print(f"serving on http://localhost:{port} (Ctrl-C to stop)", flush=True)
        serve_docs(db, port)


def _import_public(year: int, out: Path, source: Path | None) -> None:
    from indexpipe.importers.public_market import import_public
    from indexpipe.importers.public_sources import PublicImportError

    began = time.perf_counter()
    try:
        summary = import_public(year, out, source)
    except PublicImportError as exc:
        raise CommandError(str(exc)) from exc
    seconds = time.perf_counter() - began
    print(
        f"public files for the June {year} reconstitution in {summary.out_dir} ({seconds:.1f} s): "
        f"{summary.lines_kept:,} of {summary.lines_read:,} lines kept, {summary.companies:,} companies"
    )
    for name, rows in summary.files.items():
        print(f"  {name:<24} {rows:>12,} rows")
    members = ", ".join(f"{code} {n:,}" for code, n in summary.membership_rows.items())
    print(f"initial membership: {members}")
    for note in summary.notes:
        print(f"note: {note}")
    print(f"report: {summary.report}")


def _dev(data_dir: Path, db: Path, dagster_home: Path | None, verbose: bool) -> None:
    from indexpipe.instance import prepare_home

    settings = _settings(data_dir, db, dagster_home)
    # the code location reads its settings from the environment it starts with (indexpipe.settings); the instance
    # is the one `indexpipe build` and `day` record their runs in: the UI shows them
    env = {
        **os.environ,
        **settings.environment(),
        DAGSTER_HOME_VARIABLE: str(prepare_home(settings.dagster_home)),
    }
    if not verbose:
        env.setdefault("PYTHONWARNINGS", "ignore")  # Dagster's beta and supersession notices
    dagster = Path(sys.executable).parent / "dagster"
    os.execve(str(dagster), [str(dagster), "dev", "-w", str(REPO_ROOT / "workspace.yaml")], env)


def _demo(
    small: bool, root: Path | None, verbose: bool, dagster_home: Path | None, timings: bool = False
) -> None:
    root = (root or DEFAULT_DATA_ROOT).resolve()
    if small:
        data_dir, db = root / SMALL_DEMO_NAME, root / f"{SMALL_DEMO_NAME}.duckdb"
        _generate(data_dir, 42, SMALL_DEMO_START, None, SMALL_DEMO_COMPANIES)
    else:
        data_dir, db = root / DEFAULT_INPUT_DIR.name, root / DEFAULT_DUCKDB_PATH.name
        _generate(data_dir, 42, None, None, 6000)
    result = _build(data_dir, db, None, verbose, dagster_home, timings)
    _report(db, "R2000", None, None, pdf=False)
    print(f"input files: {data_dir}")
    print(f"warehouse:   {db}")
    _next_steps(data_dir, db, result.last_price_date, dagster_home)


def _next_steps(data_dir: Path, db: Path, last: date, dagster_home: Path | None) -> None:
    """What to look at next, each with the paths of this build (none for the defaults)."""
    default = db.resolve() == DEFAULT_DUCKDB_PATH.resolve()
    db_arg = "" if default else f" --db {_relative(db)}"
    dev_args = "" if default else f" --data-dir {_relative(data_dir)}{db_arg}"
    if dagster_home is not None:
        dev_args += f" --dagster-home {_relative(dagster_home)}"
    query = (
        "select date, price_level from fct_index_levels where index_code = 'R2000' order by date desc limit 5"
    )
    commands = [
        (f'indexpipe sql{db_arg} "{query}"', "SQL on the warehouse, read-only"),
        (f"indexpipe holdings --index R2000 --date {last}{db_arg}", "an index's constituents on a day"),
        (f"indexpipe dev{dev_args}", "the Dagster UI: this run, its checks, logs and the asset lineage"),
        (f"indexpipe docs{db_arg}", "dbt docs: every model and column"),
    ]
    print("next:")
    for command, what in commands:
        print(f"  {command}\n      {what}")


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="indexpipe", description="Russell US index family as a data pipeline.")
    sub = p.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a synthetic US equity market in the input format")
    gen.add_argument("--out", type=Path, required=True, help="directory to write")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--start", type=_date, help="first day (default 2015-01-01)")
    gen.add_argument("--end", type=_date, help="last day (default: end of the last complete quarter, "
                                                  "not before 2026-12-31)")  # fmt: skip
    gen.add_argument("--companies", type=int, default=6000, help="number of companies (default 6,000)")

    build = sub.add_parser("build", help="ingest a directory and materialize every asset and check")
    build.add_argument("--data-dir", type=Path, required=True)
    build.add_argument("--db", type=Path, default=DEFAULT_DUCKDB_PATH)
    build.add_argument("--through", type=_date, help="load prices up to this date only")
    _run_options(build)

    day = sub.add_parser("day", help="the daily index calculation for one trading day on a built warehouse")
    day.add_argument("--data-dir", type=Path, required=True)
    day.add_argument("--db", type=Path, default=DEFAULT_DUCKDB_PATH)
    day.add_argument(
        "--date", type=_date, required=True, help="the trading day (its prices must be in the input)"
    )
    _run_options(day)

    demo = sub.add_parser(
        "demo", help="generate the default market into data/demo and build data/warehouse.duckdb"
    )
    demo.add_argument(
        "--small",
        action="store_true",
        help=f"a {SMALL_DEMO_COMPANIES}-company market from {SMALL_DEMO_START.year} ({SMALL_DEMO_NAME}/ and "
        f"{SMALL_DEMO_NAME}.duckdb): every index and check in under a minute",
    )
    demo.add_argument(
        "--dir", type=Path, help="the data folder to write to (default data/ in the repository)"
    )
    _run_options(demo)

    imp = sub.add_parser("import", help="turn freely available files into an input directory")
    vendors = imp.add_subparsers(dest="vendor", required=True)
    public = vendors.add_parser(
        "public",
        help="Nasdaq screener, daily bar archives, SEC tickers and Russell lists (docs/real-data.md)",
    )
    public.add_argument(
        "--year", type=int, required=True, help="the June reconstitution to prepare (2024, 2025)"
    )
    public.add_argument("--out", type=Path, required=True, help="directory to write")
    public.add_argument(
        "--source",
        type=Path,
        help="folder of the public files (default: shared/data/public beside the repository)",
    )

    validate = sub.add_parser("validate", help="run every Great Expectations suite against a warehouse")
    validate.add_argument("--db", type=Path, default=DEFAULT_DUCKDB_PATH)

    compare = sub.add_parser(
        "compare",
        help="the outside check: membership against ETF holdings files, levels against a published series",
    )
    compare.add_argument("--db", type=Path, default=DEFAULT_DUCKDB_PATH)
    compare.add_argument(
        "--holdings", type=Path, action="append", help="an iShares holdings file (repeatable)"
    )
    compare.add_argument(
        "--index", action="append", help="the index each --holdings file tracks, in order (R2000, R3000, R1000); "
        "with --prices, the first one's levels are compared"
    )  # fmt: skip
    compare.add_argument(
        "--date", type=_date, help="the date of holdings files without a 'Fund Holdings as of' line"
    )
    compare.add_argument("--prices", type=Path, help="a published daily series (CSV with Date and Close)")
    compare.add_argument(
        "--total-return", action="store_true", help="compare Adj Close with the total return level"
    )
    compare.add_argument("--start", type=_date, help="first day of the level comparison")
    compare.add_argument("--end", type=_date, help="last day of the level comparison")
    compare.add_argument("--out", type=Path, help="Markdown file to write (CSV files beside it)")
    compare.add_argument("--show", type=int, default=25, help="disagreements to print (0 = all)")

    report = sub.add_parser(
        "report", help="write the quarterly chartbook of a size index (self-contained HTML)"
    )
    report.add_argument("--db", type=Path, default=DEFAULT_DUCKDB_PATH)
    report.add_argument("--quarter", help="YYYYQn (default: the last complete quarter)")
    report.add_argument("--index", default="R2000", dest="index_code", help="size index code (default R2000)")
    report.add_argument(
        "--out", type=Path, help="HTML file (default: reports/<INDEX>_<QUARTER>.html beside the db)"
    )
    report.add_argument(
        "--pdf", action="store_true", help="also print it to PDF next to the HTML (needs chromium)"
    )

    holdings = sub.add_parser(
        "holdings", help="an index's constituents at the close of a trading day, as an ETF holdings file"
    )
    holdings.add_argument("--index", required=True, dest="index_code", help="index code, e.g. R2000")
    holdings.add_argument(
        "--date", type=_date, required=True, help="the day (a non-trading day gives the session before it)"
    )
    holdings.add_argument("--format", choices=("csv", "parquet"), default="csv")
    holdings.add_argument("--out", type=Path, help="file to write (default <INDEX>_holdings_<DATE>.<format>)")
    holdings.add_argument("--db", type=Path, default=DEFAULT_DUCKDB_PATH)

    preview = sub.add_parser(
        "preview",
        help="who the coming reconstitution adds, deletes or moves, with probabilities (docs/preview.md)",
    )
    preview.add_argument(
        "--date", type=_date, help="the preview date (a non-trading day gives the session before)"
    )
    preview.add_argument("--recon", help="YYYY-06 or YYYY-12 (default: the coming reconstitution)")
    preview.add_argument("--db", type=Path, default=DEFAULT_DUCKDB_PATH)
    preview.add_argument("--show", type=int, default=10, help="companies printed per kind of change")
    preview.add_argument("--out", type=Path, help="CSV file of every company of the preview")
    preview.add_argument(
        "--backtest",
        action="store_true",
        help="score the warehouse's previews against what their rank days decided",
    )
    preview.add_argument(
        "--recon-type",
        choices=("june", "december", "all"),
        default="june",
        help="reconstitutions --backtest scores",
    )
    preview.add_argument(
        "--holdings",
        type=Path,
        action="append",
        help="with --backtest and --recon: an ETF holdings file after it",
    )
    preview.add_argument(
        "--index", action="append", help="the index each --holdings file tracks (R2000, R3000)"
    )
    preview.add_argument("--dagster-home", type=Path, help=_DAGSTER_HOME_HELP)

    sql = sub.add_parser("sql", help="run a read-only SQL query on a warehouse and print the result")
    sql.add_argument("query", help='e.g. "select * from dim_index"')
    sql.add_argument("--db", type=Path, default=DEFAULT_DUCKDB_PATH)
    sql.add_argument("--max-rows", type=int, default=40, help="rows to print (default 40)")

    docs = sub.add_parser("docs", help="build dbt docs (every model and column) and serve them")
    docs.add_argument("--db", type=Path, default=DEFAULT_DUCKDB_PATH)
    docs.add_argument("--port", type=int, default=8080)
    docs.add_argument(
        "--no-serve", action="store_true", help="only write the site to dbt_project/target/docs"
    )

    dev = sub.add_parser("dev", help="start the Dagster UI on the same warehouse and run history")
    dev.add_argument("--data-dir", type=Path, default=DEFAULT_INPUT_DIR)
    dev.add_argument("--db", type=Path, default=DEFAULT_DUCKDB_PATH)
    _run_options(dev)
    return p


_DAGSTER_HOME_HELP = "the Dagster instance that keeps the run history (default: $DAGSTER_HOME, else .dagster_home in the repository)"


def _run_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--verbose", action="store_true", help="print Dagster's and dbt's logs (and the --timings)"
    )
    command.add_argument(
        "--timings", action="store_true", help="print every Dagster step's time and every table's rows"
    )
    command.add_argument("--dagster-home", type=Path, help=_DAGSTER_HOME_HELP)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if not getattr(args, "verbose", False):
        # library notices (Dagster's beta and preview warnings, deprecations) are for --verbose, not the summary
        warnings.simplefilter("ignore")
    try:
        if args.command == "generate":
            if args.companies < 100:
                raise CommandError("--companies must be at least 100")
            _generate(args.out, args.seed, args.start, args.end, args.companies)
        elif args.command == "build":
            result = _build(
                args.data_dir, args.db, args.through, args.verbose, args.dagster_home, args.timings
            )
            _next_steps(args.data_dir, args.db, result.last_price_date, args.dagster_home)
        elif args.command == "day":
            _day(args.data_dir, args.db, args.date, args.verbose, args.dagster_home, args.timings)
        elif args.command == "demo":
            _demo(args.small, args.dir, args.verbose, args.dagster_home, args.timings)
        elif args.command == "import":
            _import_public(args.year, args.out, args.source)
        elif args.command == "validate":
            _validate(args.db)
        elif args.command == "compare":
            _compare(args)
        elif args.command == "report":
            _report(args.db, args.index_code, args.quarter, args.out, args.pdf)
        elif args.command == "holdings":
            _holdings(args.db, args.index_code, args.date, args.format, args.out)
        elif args.command == "preview":
            _preview(args)
        elif args.command == "sql":
            _sql(args.db, args.query, args.max_rows)
        elif args.command == "docs":
            _docs(args.db, args.port, serve=not args.no_serve)
        elif args.command == "dev":
            _dev(args.data_dir, args.db, args.dagster_home, args.verbose)
    except CommandError as exc:
        print(f"indexpipe {args.command}: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"indexpipe {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


def run() -> None:
    """The ``indexpipe`` command: ``main``, then an exit without the interpreter's teardown.

    Once the last line is out, Python would still finalize ~4,400 modules (dbt, Dagster, pandas) and free a GB of
    objects one by one: 1.8 s after a daily run at load average 3, 6 s at load 9 (after its atexit handlers). The
    handlers still run (DuckDB connections, logging); then the process ends. With a non-daemon thread still
    running, the normal exit waits for it as before."""
    code = main()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`indexpipe sql ... | head`)
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
