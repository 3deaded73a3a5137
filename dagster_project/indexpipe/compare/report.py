"""Terminal tables and the Markdown/CSV files of ``indexpipe compare``."""

from __future__ import annotations

import csv
from dataclasses import asdict
from pathlib import Path

from indexpipe.compare.levels import LevelComparison
from indexpipe.compare.membership import Disagreement, MembershipComparison


def _pct(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{100 * x:.{digits}f}%"


def membership_lines(result: MembershipComparison, shown: int = 25) -> list[str]:
    out = ["| index | date | file | ETF names | with data | engine members | both | precision | recall | "
           "recall (all ETF names) |", "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for a in result.indexes:
        out.append(
            f"| {a.index_code} | {a.as_of} | {a.source} | {a.etf_names:,} | {a.etf_names_with_data:,} | "
            f"{a.engine_members:,} | {a.both:,} | {a.precision:.4f} | {a.recall:.4f} | {a.recall_all:.4f} |"
        )
    split = result.split
    if split is not None:
        counts: dict[str, int] = {}
        for d in split.disagreements:
            counts[d.reason] = counts.get(d.reason, 0) + 1
        cap = f"${split.breakpoint_cap / 1e9:.2f}B" if split.breakpoint_cap else "-"
        out += [
            "",
            f"R1000/R2000 split on {split.as_of} (reconstitution {split.recon_id}; #1,000 at {cap}, "
            f"{_pct(split.breakpoint_pct)} cumulative cap, band ±{_pct(split.band, 1)}):",
            f"- agreement on the names the engine classifies: {split.agree:,} / {split.classified:,} = "
            f"{_pct(split.agreement)}",
            f"- R2000 on those names: precision {split.r2000_precision:.4f} ({split.r2000_both:,} / "
            f"{split.r2000_engine:,} engine R2000), recall {split.r2000_recall:.4f} ({split.r2000_both:,} / "
            f"{split.r2000_etf:,} ETF R2000)",
            f"- ETF names the engine does not classify: {split.not_classified:,}",
            "- disagreements by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
            "",
            "| ticker | name | ETF | engine | reason | rank | cum cap | distance to band edge | total cap | detail |",
            "|---|---|---|---|---|---:|---:|---:|---:|---|",
        ]
        ordered = sorted(
            split.disagreements, key=lambda d: (d.engine_side is None, d.size_rank or 10**9, d.ticker)
        )
        for d in ordered[:shown] if shown else ordered:
            out.append(_row(d))
        if shown and len(ordered) > shown:
            out.append(f"| ... {len(ordered) - shown} more in the CSV file | | | | | | | | | |")
    return out


def _row(d: Disagreement) -> str:
    distance = "-" if d.distance_to_band_pct is None else f"{d.distance_to_band_pct:+.2f} pp"
    cap = "-" if d.total_market_cap is None else f"${d.total_market_cap / 1e9:.2f}B"
    rank = "-" if d.size_rank is None else f"{d.size_rank:,}"
    return (f"| {d.ticker} | {(d.name or '')[:40]} | {d.etf_side} | {d.engine_side or '-'} | {d.reason} | {rank} | "
            f"{_pct(d.cum_cap_pct)} | {distance} | {cap} | {d.detail} |")  # fmt: skip


def level_lines(result: LevelComparison) -> list[str]:
    out = [
        f"{result.index_code} {result.series} level against {result.source}, {result.first_day} to "
        f"{result.last_day} ({result.days} common trading days):",
        f"- daily return correlation {result.correlation:.4f}, tracking error {_pct(result.tracking_error)} a year",
        "",
        "| period | engine | published | difference |",
        "|---|---:|---:|---:|",
    ]
    for p in result.periods:
        out.append(
            f"| {p.period} | {_pct(p.engine)} | {_pct(p.published)} | {_pct(p.engine - p.published)} |"
        )
    return out


def write_disagreements(result: MembershipComparison, path: Path) -> Path | None:
    if result.split is None:
        return None
    fields = list(Disagreement.__dataclass_fields__)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for d in sorted(result.split.disagreements, key=lambda d: (d.size_rank or 10**9, d.ticker)):
            writer.writerow(asdict(d))
    return path


def write_periods(result: LevelComparison, path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["period", "engine_return", "published_return"])
        for p in result.periods:
            writer.writerow([p.period, repr(p.engine), repr(p.published)])
    return path
