"""`make bench`: whole-process wall time and peak memory of the demo, the daily run and builds of other market sizes.

Each measured command runs as its own process (the real `indexpipe` command) under a small wrapper that reports
the peak resident memory of the largest process it started (the CLI, or dbt under it). What is measured:

- `indexpipe demo` (generate the default market, build it with every index, check and publication, write the
  chartbook), best of ``--runs`` (3);
- `indexpipe day` for the last trading day on the demo's warehouse, best of ``--runs``;
- the scaling markets, each generated and built once: 3,000, 6,000 and 12,000 companies over 2015-2026, and 6,000
  companies over 6 and 24 years (``--start`` 2021-01-01 and 2003-01-01), with the ratio of each build's time to
  the market half its size.

Results go to stdout and bench/results/summary.md (and summary.json); timings stay out of the tests on purpose.
The demo writes data/demo and data/warehouse.duckdb, as `make demo` does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
INDEXPIPE = str(Path(sys.executable).parent / "indexpipe")
DEMO_DATA = ROOT / "data" / "demo"
DEMO_DB = ROOT / "data" / "warehouse.duckdb"

# Targets of issue 15, on this project's 2-core machine. "4 GB" read as 4 x 10^9 bytes (3,814 MiB), the stricter
# of its two readings, so a build that meets it meets 4 GiB too.
DEMO_TARGET_SECONDS, DEMO_TARGET_MIB = 90.0, 3814
DAY_TARGET_SECONDS = 10.0
DOUBLING_TARGET = 2.1
LARGE_TARGET_MIB = 3814

# Runs one command and prints its peak RSS (KiB) as the last line: RUSAGE_CHILDREN of a fresh wrapper covers that
# command and every process under it (dbt), each process counted on its own.
WRAPPER = (
    "import resource, subprocess, sys;"
    "rc = subprocess.run(sys.argv[1:]).returncode;"
    "print(f'@@peak_kib={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}');"
    "sys.exit(rc)"
)
STEP_LINE = re.compile(r"^\s+step (\S+)\s+([\d.]+) s$")
RATE_LINE = re.compile(r"^\s+(\S+)\s+([\d,]+) rows\s+([\d,]+) rows/s (generated|loaded)")
PRICE_ROWS = re.compile(r"prices\.\w+\s+([\d,]+) rows")


@dataclass
class Run:
    name: str
    seconds: float
    peak_mib: int
    output: str = field(repr=False)

    @property
    def steps(self) -> dict[str, float]:
        return {m.group(1): float(m.group(2)) for m in map(STEP_LINE.match, self.output.splitlines()) if m}

    @property
    def tables(self) -> dict[str, dict[str, int]]:
        return {
            m.group(1): {
                "rows": int(m.group(2).replace(",", "")),
                "rows_per_second": int(m.group(3).replace(",", "")),
            }
            for m in map(RATE_LINE.match, self.output.splitlines())
            if m
        }


def run(name: str, args: list[str], env: dict[str, str] | None = None) -> Run:
    print(f"  {name} ...", end="", flush=True)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"bench step {name} failed")
    peak = int(re.search(r"@@peak_kib=(\d+)", proc.stdout).group(1))
    print(f" {seconds:.1f} s, {peak / 1024:,.0f} MiB", flush=True)
    return Run(name, round(seconds, 1), round(peak / 1024), proc.stdout)


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.seconds)


def _last_price_date(db: Path) -> str:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return str(con.execute("select max(date) from raw.prices").fetchone()[0])


@dataclass
class Market:
    label: str
    companies: int
    start: str  # first day; every market ends on the default end (2026-12-31)
    years: int


SCALING = (
    Market("3,000 companies, 12 years", 3000, "2015-01-01", 12),
    Market("6,000 companies, 12 years (default)", 6000, "2015-01-01", 12),
    Market("12,000 companies, 12 years", 12000, "2015-01-01", 12),
    Market("6,000 companies, 6 years", 6000, "2021-01-01", 6),
    Market("6,000 companies, 24 years", 6000, "2003-01-01", 24),
)
# (market, the market half its size along one axis)
DOUBLINGS = (
    ("6,000 companies, 12 years (default)", "3,000 companies, 12 years"),
    ("12,000 companies, 12 years", "6,000 companies, 12 years (default)"),
    ("6,000 companies, 12 years (default)", "6,000 companies, 6 years"),
    ("6,000 companies, 24 years", "6,000 companies, 12 years (default)"),
)


# The 12,000-company market's random walks reach one close of $30-45M a share (2023-10 to 2024-02), above the
# input check's plausibility bound of $10M: the scaling builds raise that bound rather than measure a rejection.
# (The 24-year market no longer needs the split check's tolerance raised: the generator stops consolidating a
# company below 100 shares, generator/events.py.)
SCALING_ENV = {"INDEXPIPE_MAX_CLOSE": "1e8"}


def scale(market: Market) -> dict:
    directory = RESULTS / f"scale-{market.companies}-{market.years}y"
    data, db = directory / "market", directory / "warehouse.duckdb"
    for stale in (db, db.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    generated = run(
        f"generate {market.label}",
        [
            INDEXPIPE,
            "generate",
            "--out",
            str(data),
            "--companies",
            str(market.companies),
            "--start",
            market.start,
        ],
    )
    built = run(
        f"build {market.label}",
        [INDEXPIPE, "build", "--data-dir", str(data), "--db", str(db), "--timings"],
        env=SCALING_ENV,
    )
    rows = PRICE_ROWS.search(generated.output)
    return {
        "market": market.label,
        "companies": market.companies,
        "years": market.years,
        "price_rows": int(rows.group(1).replace(",", "")) if rows else None,
        "generate_seconds": generated.seconds,
        "build_seconds": built.seconds,
        "build_peak_mib": built.peak_mib,
    }


def _verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the demo and the day (best is reported)")
    parser.add_argument("--no-scaling", action="store_true", help="skip the markets of other sizes")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)

    print("indexpipe demo:")
    demos = [run(f"demo {n + 1}", [INDEXPIPE, "demo", "--timings"]) for n in range(args.runs)]
    demo = best(demos)
    last_day = _last_price_date(DEMO_DB)
    print(f"indexpipe day {last_day}:")
    day_args = [
        INDEXPIPE,
        "day",
        "--data-dir",
        str(DEMO_DATA),
        "--db",
        str(DEMO_DB),
        "--date",
        last_day,
        "--timings",
    ]
    days = [run(f"day {n + 1}", day_args) for n in range(args.runs)]
    day = best(days)
    scaling = []
    if not args.no_scaling:
        print("scaling:")
        scaling = [scale(m) for m in SCALING]
    by_label = {s["market"]: s for s in scaling}

    lines = [
        f"# indexpipe bench ({platform.machine()}, {platform.python_version()}, {time.strftime('%Y-%m-%d')})",
        "",
        f"Whole processes, best of {args.runs} (median in brackets); peak = the largest single process.",
        "",
        "| command | wall s | peak MiB | target | met |",
        "|---|---:|---:|---|---|",
        f"| `indexpipe demo` (generate + build + chartbook) | {demo.seconds} "
        f"({statistics.median(r.seconds for r in demos):.1f}) | {demo.peak_mib:,} | <= {DEMO_TARGET_SECONDS:.0f} s, "
        f"<= {DEMO_TARGET_MIB:,} MiB | "
        f"{_verdict(demo.seconds <= DEMO_TARGET_SECONDS and demo.peak_mib <= DEMO_TARGET_MIB)} |",
        f"| `indexpipe day` ({last_day}) | {day.seconds} ({statistics.median(r.seconds for r in days):.1f}) | "
        f"{day.peak_mib:,} | <= {DAY_TARGET_SECONDS:.0f} s | {_verdict(day.seconds <= DAY_TARGET_SECONDS)} |",
    ]
    if scaling:
        lines += [
            "",
            "| market | price rows | generate s | build s | build peak MiB | build time over the market half its size |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for s in scaling:
            ratios = [
                f"{s['build_seconds'] / by_label[half]['build_seconds']:.2f}x {half.split(' (')[0]}"
                for market, half in DOUBLINGS
                if market == s["market"] and half in by_label
            ]
            rows = f"{s['price_rows']:,}" if s["price_rows"] else "-"
            lines.append(
                f"| {s['market']} | {rows} | {s['generate_seconds']} | {s['build_seconds']} | "
                f"{s['build_peak_mib']:,} | {'; '.join(ratios) or '-'} |"
            )
        doubling = [
            by_label[market]["build_seconds"] / by_label[half]["build_seconds"]
            for market, half in DOUBLINGS
            if market in by_label and half in by_label
        ]
        large = by_label.get("12,000 companies, 12 years")
        lines += [
            "",
            f"Doubling the market: at most {max(doubling):.2f}x the build time (target <= {DOUBLING_TARGET}x: "
            f"{_verdict(max(doubling) <= DOUBLING_TARGET)}); 12,000 companies x 12 years peak "
            f"{large['build_peak_mib']:,} MiB (target < {LARGE_TARGET_MIB:,}: "
            f"{_verdict(large['build_peak_mib'] < LARGE_TARGET_MIB)}).",
        ]
    if demo.steps:
        lines += ["", "| Dagster step (inside the demo's build) | seconds |", "|---|---:|"]
        lines += [f"| {step} | {secs:.1f} |" for step, secs in demo.steps.items()]
    if day.steps:
        lines += ["", "| Dagster step (one day) | seconds |", "|---|---:|"]
        lines += [f"| {step} | {secs:.1f} |" for step, secs in day.steps.items()]
    if demo.tables:
        lines += ["", "| table | rows | rows/s |", "|---|---:|---:|"]
        lines += [f"| {t} | {r['rows']:,} | {r['rows_per_second']:,} |" for t, r in demo.tables.items()]
    summary = "\n".join(lines) + "\n"
    (RESULTS / "summary.md").write_text(summary)
    (RESULTS / "summary.json").write_text(
        json.dumps(
            {
                "demo": [{k: v for k, v in asdict(r).items() if k != "output"} for r in demos],
                "day": [{k: v for k, v in asdict(r).items() if k != "output"} for r in days],
                "demo_steps": demo.steps,
                "day_steps": day.steps,
                "scaling": scaling,
            },
            indent=2,
        )
    )
    print()
    print(summary)


if __name__ == "__main__":
    main()
