"""The chartbook's "Reconstitution preview" page: the latest reconstitution preview (fct_reconstitution_preview)
dated in the report's quarter, when the warehouse has one: the projected membership changes by size band, the
likely additions, deletions and migrations with their probabilities and days of volume, and the companies near an
edge. Quarters without a preview (no reconstitution near) get no page."""

from __future__ import annotations

import duckdb

from indexpipe.preview.data import CHANGES, CORE_INDEXES, Preview, PreviewCompany, load_preview, previews_in
from indexpipe.report import charts
from indexpipe.report.exhibits import Exhibit, Row, Section, Table
from indexpipe.report.formats import billions, long_date, number, percent
from indexpipe.report.quarters import Quarter

BAND_NAMES = {"R1000": "Russell 1000", "R2000": "Russell 2000", "RMICRO": "Microcap (outside the R2000)"}
SHOWN = 15  # companies per table


def load(con: duckdb.DuckDBPyConnection, quarter: Quarter, last_day) -> Preview | None:
    """The latest preview dated from the quarter's first day to ``last_day`` (its last session), if any."""
    present = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'main' and table_name = 'fct_reconstitution_preview'"
    ).fetchall()[0][0]
    if not present:
        return None
    ids = previews_in(con, quarter.first_day, last_day)
    return load_preview(con, ids[0]) if ids else None


def _core(code: str | None) -> str:
    return code if code is not None else "–"


def _row(c: PreviewCompany, change: str) -> Row:
    return Row(
        (
            c.name or c.company_id,
            c.ticker or "",
            f"{_core(c.current)} → {_core(c.projected)}",
            f"{c.rank:,}" if c.rank is not None else "ineligible",
            percent(c.cum_cap_pct),
            billions(c.total_market_cap),
            number(c.probability(change), 2),
            percent(c.distance),
            number(c.days_of_volume, 1),
        )
    )


_HEADER = (
    "Company", "Ticker", "Core index", "Rank", "Cum. cap (%)", "Total cap ($B)", "Probability",
    "Edge (%)", "Days of volume",
)  # fmt: skip


def _changes_table(preview: Preview, change: str, title: str) -> Table:
    likely = preview.likely(change)
    rows = [_row(c, change) for c in likely[:SHOWN]]
    if len(likely) > SHOWN:
        rows.append(Row((f"... and {len(likely) - SHOWN:,} more",), "group"))
    if not rows:
        rows.append(Row(("None",), "group"))
    return Table(f"{title}: {len(likely):,} likely", _HEADER, tuple(rows), text_columns=3)


def section(preview: Preview) -> Section:
    when = (
        f"{preview.sessions_to_rank_day} sessions before the rank day ({long_date(preview.rank_date)})"
        if preview.basis == "projected" and preview.sessions_to_rank_day > 0
        else f"after the rank day ({long_date(preview.rank_date)}): the changes it determined"
    )
    subtitle = (
        f"Preview of the {preview.recon_id} reconstitution on {long_date(preview.preview_date)}, {when}"
    )
    flows = preview.band_flows()
    bands = Exhibit("P1", "Projected membership changes by size band", subtitle)
    names = [BAND_NAMES[code] for code in CORE_INDEXES]
    bands.chart = charts.grouped_bars(
        "chart-P1",
        names,
        [
            ("Joining (expected)", [flows[code][0] for code in CORE_INDEXES]),
            ("Leaving (expected)", [-flows[code][1] for code in CORE_INDEXES]),
        ],
        "Companies",
    )
    bands.tables.append(
        Table(
            "Expected companies joining and leaving each core index (sum of probabilities)",
            ("", "Joining", "Leaving", "Net"),
            tuple(
                Row(
                    (
                        BAND_NAMES[code],
                        number(flows[code][0], 1),
                        number(flows[code][1], 1),
                        number(flows[code][0] - flows[code][1], 1),
                    )
                )
                for code in CORE_INDEXES
            ),  # fmt: skip
        )
    )
    bands.tables.append(
        Table(
            "Changes across the core indexes",
            ("", "Expected", "Likely (p ≥ 0.5)"),
            tuple(
                Row((label, number(preview.expected(change), 1), f"{len(preview.likely(change)):,}"))
                for change, label in zip(
                    CHANGES, ("Additions", "Deletions", "Migrations up", "Migrations down"), strict=True
                )
            ),
        )
    )
    if preview.breakpoint_cap is not None and preview.breakpoint_pct is not None:
        bands.notes.append(
            f"#1,000 breakpoint: ${preview.breakpoint_cap / 1e9:,.2f}B at {percent(preview.breakpoint_pct)}% of "
            f"cumulative cap; band {percent(preview.band_lower_pct)}%–{percent(preview.band_upper_pct)}%."
        )
    bands.notes.append(
        "Core indexes: Russell 1000, Russell 2000 and the Microcap outside it. Probabilities from a lognormal move of "
        "each company's total cap with its own volatility over the sessions left to the rank day (docs/preview.md)."
    )
    adds = Exhibit("P2", "Likely additions and deletions", subtitle)
    adds.tables += [
        _changes_table(preview, "addition", "Additions"),
        _changes_table(preview, "deletion", "Deletions"),
    ]
    moves = Exhibit("P3", "Likely migrations", subtitle)
    moves.tables += [
        _changes_table(preview, "migration_up", "Migrations up"),
        _changes_table(preview, "migration_down", "Migrations down"),
    ]
    for exhibit in (adds, moves):
        exhibit.notes.append(
            "Edge: the move of the total cap (relative to the market) that would change the outcome. Days of volume: "
            "net shares passive funds trade in the company (assumed tracking assets, docs/preview.md) over its "
            "20-day average volume."
        )
    near = Exhibit("P4", "Near an edge", subtitle)
    rows = []
    for change, label in zip(
        CHANGES, ("Addition", "Deletion", "Migration up", "Migration down"), strict=True
    ):
        for c in preview.watch(change)[:SHOWN]:
            rows.append(Row((label, *_row(c, change).cells)))
    if rows:
        near.tables.append(Table("Changes with a probability from 0.20 to 0.50", ("Change", *_HEADER), tuple(rows),
                                 text_columns=4))  # fmt: skip
    else:
        near.empty = "No company has a change probability between 0.20 and 0.50."
    return Section(
        "Reconstitution preview",
        "Who the coming reconstitution is likely to add, delete or move between the core indexes, from what was "
        "known on the preview date.",
        (bands, adds, moves, near),
    )
