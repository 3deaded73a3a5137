"""`make bench`: whole-process wall time, peak memory and rows per second of each pipeline step.

Each step runs as its own process (the real `indexpipe` command) under a small wrapper that reports the
peak resident memory of that process alone. Results go to stdout and bench/results/summary.md; timings
stay out of the tests on purpose.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
INDEXPIPE = str(Path(sys.executable).parent / "indexpipe")

# Runs one command and prints its peak RSS (KiB) as the last line: RUSAGE_CHILDREN of a fresh wrapper
# covers exactly that command.
WRAPPER = (
    "import resource, subprocess, sys;"
    "rc = subprocess.run(sys.argv[1:]).returncode;"
    "print(f'@@peak_kib={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}');"
    "sys.exit(rc)"
)
STEP_LINE = re.compile(r"^\s+step (\S+)\s+([\d.]+) s$")
RATE_LINE = re.compile(r"^\s+(\S+)\s+([\d,]+) rows\s+([\d,]+) rows/s (generated|loaded)")


def run_step(name: str, args: list[str]) -> dict:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"bench step {name} failed")
    peak = int(re.search(r"@@peak_kib=(\d+)", proc.stdout).group(1))
    rates = {
        m.group(1): {
            "rows": int(m.group(2).replace(",", "")),
            "rows_per_second": int(m.group(3).replace(",", "")),
        }
        for m in map(RATE_LINE.match, proc.stdout.splitlines())
        if m
    }
    steps = {m.group(1): float(m.group(2)) for m in map(STEP_LINE.match, proc.stdout.splitlines()) if m}
    return {
        "step": name,
        "seconds": round(seconds, 1),
        "peak_mib": round(peak / 1024),
        "tables": rates,
        "steps": steps,
    }


def _last_price_date(db: Path) -> str:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return str(con.execute("select max(date) from raw.prices").fetchone()[0])


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    market, db = RESULTS / "market", RESULTS / "warehouse.duckdb"
    for stale in (db, db.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    steps = [
        run_step("generate default market", [INDEXPIPE, "generate", "--out", str(market)]),
        run_step(
            "build (ingest + dbt + checks)",
            [INDEXPIPE, "build", "--data-dir", str(market), "--db", str(db), "--timings"],
        ),
    ]
    # the daily calculation of the last trading day on the built warehouse: its prices, that day's returns and
    # levels (incremental models), period and contribution marts, their checks and publication
    last_day = _last_price_date(db)
    day = run_step(
        f"one trading day ({last_day}) incrementally",
        [INDEXPIPE, "day", "--data-dir", str(market), "--db", str(db), "--date", last_day, "--timings"],
    )
    lines = [
        f"# indexpipe bench ({platform.machine()}, {platform.python_version()}, {time.strftime('%Y-%m-%d')})",
        "",
        "| step | wall s | peak MiB |",
        "|---|---:|---:|",
        *[f"| {s['step']} | {s['seconds']} | {s['peak_mib']:,} |" for s in steps],
        f"| **generate + build** | **{sum(s['seconds'] for s in steps):.1f}** | |",
        f"| {day['step']} | {day['seconds']} | {day['peak_mib']:,} |",
        "",
        "| Dagster step (inside build) | seconds |",
        "|---|---:|",
        *[f"| {step} | {secs:.1f} |" for s in steps for step, secs in s["steps"].items()],
        "",
        "| Dagster step (one day) | seconds |",
        "|---|---:|",
        *[f"| {step} | {secs:.1f} |" for step, secs in day["steps"].items()],
        "",
        "| step | table | rows | rows/s |",
        "|---|---|---:|---:|",
        *[
            f"| {s['step']} | {table} | {r['rows']:,} | {r['rows_per_second']:,} |"
            for s in steps
            for table, r in s["tables"].items()
        ],
    ]
    summary = "\n".join(lines) + "\n"
    (RESULTS / "summary.md").write_text(summary)
    (RESULTS / "summary.json").write_text(json.dumps([*steps, day], indent=2))
    print(summary)


if __name__ == "__main__":
    main()
