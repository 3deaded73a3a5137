"""A preview as printed by `indexpipe preview`: the setting, the expected and likely changes, the companies most
likely to change and the ones near an edge, and the preview's rows as CSV on request."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from indexpipe.preview.data import CHANGES, Preview, PreviewCompany

TITLES = {
    "addition": "Additions",
    "deletion": "Deletions",
    "migration_up": "Migrations up",
    "migration_down": "Migrations down",
}


def _pct(value: float | None, decimals: int = 1) -> str:
    return "-" if value is None else f"{100 * value:+.{decimals}f}%"


def _company(c: PreviewCompany, change: str) -> str:
    label = f"{c.ticker or c.company_id:<8} {(c.name or '')[:28]:<28}"
    rank = f"#{c.rank:,}" if c.rank is not None else "inelig."
    cum = f"{100 * c.cum_cap_pct:5.1f}%" if c.cum_cap_pct is not None else "     -"
    days = f"{c.days_of_volume:6.1f}" if c.days_of_volume is not None else "     -"
    cap = f"${(c.total_market_cap or 0) / 1e9:7.2f}B"
    return (
        f"  {label} {c.current or '-':>6} -> {c.projected or '-':<6} {rank:>7} {cum} {cap} "
        f"p={c.probability(change):4.2f} edge {_pct(c.distance):>7} days {days}"
    )


def preview_lines(preview: Preview, show: int = 10) -> list[str]:
    days = preview.sessions_to_rank_day
    when = (
        f"{days} sessions to the rank day {preview.rank_date}"
        if preview.basis == "projected" and days > 0
        else f"rank day {preview.rank_date} ({'determined' if preview.basis == 'determined' else 'today'})"
    )
    lines = [
        f"Preview of the {preview.recon_id} reconstitution on {preview.preview_date}: {when}, "
        f"effective after the close of {preview.effective_date}",
    ]
    if preview.breakpoint_pct is not None and preview.breakpoint_cap is not None:
        lines.append(
            f"  #1,000 breakpoint ${preview.breakpoint_cap / 1e9:,.2f}B at {100 * preview.breakpoint_pct:.1f}% of "
            f"cumulative cap; band {100 * (preview.band_lower_pct or 0):.1f}%-{100 * (preview.band_upper_pct or 0):.1f}%"
        )
    lines.append(
        "  expected (sum of probabilities) / likely (p >= 0.5): "
        + ", ".join(
            f"{TITLES[c].lower()} {preview.expected(c):,.1f} / {len(preview.likely(c)):,}" for c in CHANGES
        )
    )
    columns = "  company  name                         now    -> after   rank   cum.%   total cap  p(change) edge  days of volume"
    for change in CHANGES:
        likely = preview.likely(change)
        lines.append(f"{TITLES[change]} ({len(likely):,} likely):")
        if likely:
            lines.append(columns)
        lines += [_company(c, change) for c in likely[:show]]
        if len(likely) > show:
            lines.append(f"  ... {len(likely) - show:,} more")
        near = preview.watch(change)
        if near:
            lines.append("  near the edge (p 0.20-0.50): " + ", ".join(
                f"{c.ticker or c.company_id} {c.probability(change):.2f}" for c in near[:show]
            ))  # fmt: skip
    return lines


def write_csv(con: duckdb.DuckDBPyConnection, preview_id: str, out: Path) -> int:
    """Every row of the preview, with ticker and name, as CSV."""
    cursor = con.execute(
        """
        select s.ticker, s.name, p.*
        from main.fct_reconstitution_preview as p
        left join main.dim_security as s on s.security_id = p.pricing_security_id
        where p.preview_id = ?
        order by p.projected_rank nulls last, p.company_id
        """,
        [preview_id],
    )
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
    return len(rows)
